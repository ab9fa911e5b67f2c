#pragma once
// Pinning a bench's processes to CPUs (sched_setaffinity), so a client's threads and a service's
// stop preempting each other on a small machine.

#include <sched.h>
#include <sys/types.h>

#include <string>

#include "absl/status/status.h"

namespace churn::bench {

// "0", "0-1", "0,2-3": the CPUs of a pinned process; false when malformed or empty.
bool ParseCpuList(const std::string& text, cpu_set_t* set);

// Pins every thread of process `pid` (0: this one) to `cpus`. Threads started later inherit
// the mask of the thread that starts them, and a spawned child that of its parent.
absl::Status PinProcess(pid_t pid, const std::string& cpus);

}  // namespace churn::bench
