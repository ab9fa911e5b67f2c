#pragma once
// Fills a settings message (see settings_schema.h) from up to three layers,
// later ones winning:
//   1. a YAML file, a flat `key: value` map (--config=PATH or <prefix>CONFIG
//   pick another than
//      the default file; a missing default file just means "defaults"),
//   2. environment variables <prefix><KEY> (e.g. CHURN_SCORING_MAX_BATCH=500),
//   3. flags --key=value or --key value; a bare --key sets a bool to true; '-'
//   and '_' are the
//      same in flag names.
// Unknown keys, flags and <prefix>* variables are errors naming the nearest
// known key, and a value of the wrong type is an error naming the key and where
// it came from: a typo never falls back to a default silently.

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"

namespace churn::settings {

struct SettingsSources {
  std::string program;            // for --help: "churn-scoring"
  std::string env_prefix;         // "CHURN_SCORING_"; empty: only settings with an env
                                  // of their own
  std::string default_file;       // "config/scoring-service.yaml"; empty: no file
                                  // layer, no --config
  std::vector<std::string> args;  // the command line after the program name
  bool allow_positional = false;  // otherwise a non-flag argument is an error
  bool dashed_names = false;      // options are written --as-of in messages and help
  // nullopt: the process environment.
  std::optional<std::map<std::string, std::string>> environment;
};

struct SettingsReport {
  bool help_requested = false;  // --help, -h: the message holds the defaults only
  std::string config_file;      // the file read; empty when none
  std::vector<std::string> positional;
  std::map<std::string, std::string> source;  // key -> "default", "file", "env" or "flag"
  // Every setting (and the file) with its value, in declaration order, for the
  // startup log.
  std::vector<std::pair<std::string, std::string>> effective;
};

// INVALID_ARGUMENT for an unknown key or a bad value, NOT_FOUND for a --config
// file that cannot be read, INTERNAL for a message that is no settings message.
// --help wins over everything.
absl::StatusOr<SettingsReport> LoadSettings(const SettingsSources& sources,
                                            google::protobuf::Message* settings);

// What --help prints: every setting with its type, default, environment variable and (with
// `restart_notes`) whether a change needs a restart.
struct HelpStyle {
  bool restart_notes = true;
};
std::string SettingsHelp(const SettingsSources& sources,
                         const google::protobuf::Descriptor& descriptor, HelpStyle style = {});
// The settings of several messages (a program's commands), each key once.
std::string SettingsHelp(const SettingsSources& sources,
                         const std::vector<const google::protobuf::Descriptor*>& descriptors,
                         HelpStyle style = {});

}  // namespace churn::settings
