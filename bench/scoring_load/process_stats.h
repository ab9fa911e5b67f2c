#pragma once
// What a bench reads about its own process and the service it drives: CPU seconds, context
// switches (every thread's, from /proc) and the machine's load average.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace churn::bench {

// utime + stime of this process (getrusage).
double SelfCpuSeconds();

// utime + stime of another process from /proc/<pid>/stat; nullopt when unknown.
std::optional<double> ProcessCpuSeconds(pid_t pid);

// Context switches (voluntary + involuntary) of every thread of process `pid`, summed over
// /proc/<pid>/task/*/status: how often its threads block, wake and hand work to each other.
// nullopt when unknown.
std::optional<int64_t> ProcessContextSwitches(pid_t pid);
// The voluntary ones only (a thread blocking: waiting for work, a lock, the poller's hand-off),
// the process's own design; the rest are preemptions, the machine's other load.
std::optional<int64_t> ProcessVoluntaryContextSwitches(pid_t pid);

// "/proc/loadavg"'s three figures, "?" when unreadable.
std::string LoadAverage();

}  // namespace churn::bench
