#pragma once
// churnctl's client mode: commands that talk to a running service set over gRPC.

#include <map>
#include <string>
#include <vector>

namespace churnctl {

// Options as parsed by main: name -> value, plus positional arguments.
struct RemoteArguments {
  std::string command;
  std::map<std::string, std::string> options;
  std::vector<std::string> positional;
};

// The options each remote command accepts (checked by main before running).
const std::map<std::string, std::vector<std::string>>& RemoteCommandOptions();

// Runs `health`, `at-risk`, `customer` or `analyze-ticket`; returns the process exit code.
int RunRemoteCommand(const RemoteArguments& args);

}  // namespace churnctl
