#include "scoring_load/cpu_pinning.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace churn::bench {

bool ParseCpuList(const std::string& text, cpu_set_t* set) {
  CPU_ZERO(set);
  if (text.empty()) return false;
  for (const std::string& part : std::vector<std::string>(absl::StrSplit(text, ','))) {
    std::pair<std::string, std::string> range = absl::StrSplit(part, absl::MaxSplits('-', 1));
    int first = 0, last = 0;
    if (!absl::SimpleAtoi(range.first, &first)) return false;
    last = first;
    if (!range.second.empty() && !absl::SimpleAtoi(range.second, &last)) return false;
    if (first < 0 || last < first || last >= CPU_SETSIZE) return false;
    for (int cpu = first; cpu <= last; ++cpu) CPU_SET(cpu, set);
  }
  return true;
}

absl::Status PinProcess(pid_t pid, const std::string& cpus) {
  cpu_set_t set;
  if (!ParseCpuList(cpus, &set)) return absl::InvalidArgumentError("bad CPU list " + cpus);
  const std::string tasks = pid == 0 ? "/proc/self/task" : absl::StrCat("/proc/", pid, "/task");
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(tasks, error)) {
    int tid = 0;
    if (!absl::SimpleAtoi(entry.path().filename().string(), &tid)) continue;
    if (::sched_setaffinity(tid, sizeof set, &set) != 0) {
      return absl::InternalError(
          absl::StrCat("sched_setaffinity(", tid, ", ", cpus, "): ", std::strerror(errno)));
    }
  }
  if (error) return absl::InternalError(absl::StrCat(tasks, ": ", error.message()));
  return absl::OkStatus();
}

}  // namespace churn::bench
