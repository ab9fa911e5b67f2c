#pragma once
// Runs a shell command for a test (churnctl, scripts): its standard output, and the exit status
// in *exit_code (-1 when it did not exit normally).

#include <stdio.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace churn::testing {

inline std::string RunCommand(const std::string& command, int* exit_code) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    *exit_code = -1;
    return output;
  }
  char buffer[65536];
  size_t read;
  while ((read = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, read);
  const int status = ::pclose(pipe);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return output;
}

}  // namespace churn::testing
