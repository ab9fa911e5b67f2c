#include "scoring_load/process_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <initializer_list>
#include <string_view>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace churn::bench {

double SelfCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::optional<double> ProcessCpuSeconds(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(paren + 1));
  std::vector<std::string> tokens;
  for (std::string token; fields >> token;) tokens.push_back(token);
  // tokens[0] is field 3 (state); utime and stime are fields 14 and 15.
  if (tokens.size() < 13) return std::nullopt;
  double utime = 0, stime = 0;
  if (!absl::SimpleAtod(tokens[11], &utime) || !absl::SimpleAtod(tokens[12], &stime)) {
    return std::nullopt;
  }
  return (utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

namespace {

// Sum over the threads of `pid` of the status lines that start with one of `keys`.
std::optional<int64_t> SumThreadStatus(pid_t pid, std::initializer_list<std::string_view> keys) {
  if (pid <= 0) return std::nullopt;
  int64_t total = 0;
  std::error_code error;
  for (const auto& entry :
       std::filesystem::directory_iterator(absl::StrCat("/proc/", pid, "/task"), error)) {
    std::ifstream in(entry.path() / "status");
    for (std::string line; std::getline(in, line);) {
      if (std::none_of(keys.begin(), keys.end(),
                       [&line](std::string_view key) { return line.rfind(key, 0) == 0; })) {
        continue;
      }
      int64_t count = 0;
      if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(line.find(':') + 1)), &count)) {
        total += count;
      }
    }
  }
  if (error) return std::nullopt;
  return total;
}

}  // namespace

std::optional<int64_t> ProcessContextSwitches(pid_t pid) {
  return SumThreadStatus(pid, {"voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:"});
}

std::optional<int64_t> ProcessVoluntaryContextSwitches(pid_t pid) {
  return SumThreadStatus(pid, {"voluntary_ctxt_switches:"});
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a.empty() ? std::string("?") : absl::StrCat(a, " ", b, " ", c);
}

}  // namespace churn::bench
