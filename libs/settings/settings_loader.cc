#include "settings/settings_loader.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "settings/bool_words.h"
#include "settings/nearest_name.h"
#include "settings/settings_schema.h"
#include "yaml-cpp/yaml.h"

extern char** environ;

namespace churn::settings {
namespace {

using google::protobuf::Message;

constexpr absl::string_view kConfigKey = "config";

std::string EnvName(const SettingsSources& sources, const SettingField& setting) {
  if (!setting.env.empty()) return setting.env;
  if (sources.env_prefix.empty()) return "";
  return sources.env_prefix + absl::AsciiStrToUpper(setting.key);
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> environment;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    absl::string_view entry = *e;
    const size_t eq = entry.find('=');
    if (eq == absl::string_view::npos) continue;
    environment.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return environment;
}

// " (did you mean max_batch?)" or " (known: a, b, c)".
std::string Suggestion(const std::string& name, const std::vector<std::string>& known) {
  if (std::optional<std::string> nearest = NearestName(name, known)) {
    return absl::StrCat(" (did you mean ", *nearest, "?)");
  }
  return absl::StrCat(" (known: ", absl::StrJoin(known, ", "), ")");
}

struct Flag {
  std::string key;
  std::string value;
  std::string spelling;  // as typed, for messages: --as-of or --as_of
};

struct ParsedArgs {
  std::vector<Flag> flags;
  std::vector<std::string> positional;
};

// The option as written for `sources`: --as_of, or --as-of for dashed names.
std::string OptionName(const SettingsSources& sources, std::string key) {
  if (sources.dashed_names) std::replace(key.begin(), key.end(), '_', '-');
  return absl::StrCat("--", key);
}

std::string KeyOfFlag(absl::string_view name) {
  std::string key(name);
  std::replace(key.begin(), key.end(), '-', '_');
  return key;
}

absl::StatusOr<ParsedArgs> ParseArgs(const SettingsSources& sources, const SettingsSchema& schema) {
  std::vector<std::string> known;
  if (!sources.default_file.empty()) known.push_back(OptionName(sources, std::string(kConfigKey)));
  for (const std::string& key : schema.keys()) known.push_back(OptionName(sources, key));
  ParsedArgs parsed;
  const std::vector<std::string>& args = sources.args;
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (!absl::StartsWith(arg, "--") || arg.size() == 2) {
      if (sources.allow_positional && !absl::StartsWith(arg, "-")) {
        parsed.positional.emplace_back(arg);
        continue;
      }
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument '", arg, "' (options are --key=value; see --help)"));
    }
    arg.remove_prefix(2);
    const size_t eq = arg.find('=');
    const absl::string_view name = arg.substr(0, eq);
    std::string key = KeyOfFlag(name);
    const SettingField* setting = schema.Find(key);
    if (key != kConfigKey || sources.default_file.empty()) {
      if (setting == nullptr || setting->env_only) {
        return absl::InvalidArgumentError(
            absl::StrCat("unknown option --", name, Suggestion(OptionName(sources, key), known)));
      }
    }
    const bool is_bool = setting != nullptr && setting->field().cpp_type() ==
                                                   google::protobuf::FieldDescriptor::CPPTYPE_BOOL;
    if (eq != absl::string_view::npos) {
      parsed.flags.push_back({key, std::string(arg.substr(eq + 1)), std::string(name)});
    } else if (is_bool) {
      // "--only-churned true" and a bare "--only-churned" alike.
      if (i + 1 < args.size() && ParseBoolWord(args[i + 1])) {
        parsed.flags.push_back({key, args[++i], std::string(name)});
      } else {
        parsed.flags.push_back({key, "true", std::string(name)});
      }
    } else if (i + 1 < args.size()) {
      parsed.flags.push_back({key, args[++i], std::string(name)});
    } else {
      return absl::InvalidArgumentError(absl::StrCat("option --", name, " needs a value"));
    }
  }
  return parsed;
}

absl::Status ApplyFile(const std::string& file, const SettingsSchema& schema, Message* settings,
                       SettingsReport* report) {
  std::ifstream in(file);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read settings file ", file));
  std::stringstream text;
  text << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(text.str());
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(file, ":", e.mark.line + 1, ": ", e.msg));
  }
  report->config_file = file;
  if (!root.IsDefined() || root.IsNull()) return absl::OkStatus();
  if (!root.IsMap()) {
    return absl::InvalidArgumentError(absl::StrCat(file, ": must be a map of key: value"));
  }
  for (const auto& item : root) {
    const std::string where = absl::StrCat(file, ":", item.first.Mark().line + 1, ": ");
    if (!item.first.IsScalar()) return absl::InvalidArgumentError(where + "keys are names");
    const std::string key = item.first.Scalar();
    if (key == kConfigKey) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "'config' can only be given as flag or environment"));
    }
    const SettingField* setting = schema.Find(key);
    if (setting == nullptr || setting->env_only) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "unknown key '", key, "'", Suggestion(key, schema.keys())));
    }
    if (!item.second.IsScalar() && !item.second.IsNull()) {
      return absl::InvalidArgumentError(absl::StrCat(where, key, ": must be a single value"));
    }
    const std::string value = item.second.IsNull() ? "" : item.second.Scalar();
    if (absl::Status s = SetSettingFromText(*setting, value, settings); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where, key, ": ", s.message()));
    }
    report->source[key] = "file";
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SettingsReport> LoadSettings(const SettingsSources& sources, Message* settings) {
  absl::StatusOr<SettingsSchema> schema = SettingsSchema::Of(*settings->GetDescriptor());
  if (!schema.ok()) return schema.status();
  SettingsReport report;
  settings->Clear();
  for (const SettingField& setting : schema->fields()) {
    report.source[setting.key] = "default";
    if (!setting.default_value) continue;
    if (absl::Status s = SetSettingFromText(setting, *setting.default_value, settings); !s.ok()) {
      return absl::InternalError(absl::StrCat(setting.key, ": default: ", s.message()));
    }
  }
  for (const std::string& arg : sources.args) {
    if (arg == "--help" || arg == "-h" || arg == "-help") {
      report.help_requested = true;
      return report;
    }
  }
  absl::StatusOr<ParsedArgs> args = ParseArgs(sources, *schema);
  if (!args.ok()) return args.status();
  report.positional = std::move(args->positional);

  const std::map<std::string, std::string> environment =
      sources.environment ? *sources.environment : ProcessEnvironment();
  auto env_value = [&environment](const std::string& name) -> const std::string* {
    if (name.empty()) return nullptr;
    auto it = environment.find(name);
    return it == environment.end() ? nullptr : &it->second;
  };
  // A misspelt variable under the prefix would otherwise be ignored without a
  // word.
  if (!sources.env_prefix.empty()) {
    std::vector<std::string> known;
    if (!sources.default_file.empty()) known.push_back(sources.env_prefix + "CONFIG");
    for (const SettingField& setting : schema->fields()) {
      if (setting.env.empty()) known.push_back(EnvName(sources, setting));
    }
    for (const auto& [name, value] : environment) {
      if (!absl::StartsWith(name, sources.env_prefix)) continue;
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat("unknown environment variable ", name, Suggestion(name, known)));
      }
    }
  }

  if (!sources.default_file.empty()) {
    // Which file: the flag, then the environment, then the default (which may
    // be absent).
    std::string file = sources.default_file;
    bool named = false;
    if (const std::string* value = env_value(sources.env_prefix + "CONFIG")) {
      file = *value;
      named = true;
    }
    for (const Flag& flag : args->flags) {
      if (flag.key == kConfigKey) {
        file = flag.value;
        named = true;
      }
    }
    if (!file.empty() && (named || ::access(file.c_str(), F_OK) == 0)) {
      if (absl::Status s = ApplyFile(file, *schema, settings, &report); !s.ok()) return s;
    }
  }

  for (const SettingField& setting : schema->fields()) {
    const std::string name = EnvName(sources, setting);
    const std::string* value = env_value(name);
    if (value == nullptr) continue;
    if (absl::Status s = SetSettingFromText(setting, *value, settings); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("environment ", name, ": ", setting.key, ": ", s.message()));
    }
    report.source[setting.key] = "env";
  }

  for (const Flag& flag : args->flags) {
    if (flag.key == kConfigKey) continue;
    const SettingField& setting = *schema->Find(flag.key);
    if (absl::Status s = SetSettingFromText(setting, flag.value, settings); !s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("option --", flag.spelling, ": ", s.message()));
    }
    report.source[flag.key] = "flag";
  }

  if (!sources.default_file.empty())
    report.effective.emplace_back("config_file", report.config_file);
  for (const SettingField& setting : schema->fields()) {
    // Secrets come only through the environment and stay out of the logs.
    if (setting.env_only) continue;
    report.effective.emplace_back(setting.key, SettingValueText(setting, *settings));
  }
  return report;
}

std::string SettingsHelp(const SettingsSources& sources,
                         const google::protobuf::Descriptor& descriptor, HelpStyle style) {
  return SettingsHelp(sources, std::vector<const google::protobuf::Descriptor*>{&descriptor},
                      style);
}

std::string SettingsHelp(const SettingsSources& sources,
                         const std::vector<const google::protobuf::Descriptor*>& descriptors,
                         HelpStyle style) {
  std::vector<SettingField> fields;
  for (const google::protobuf::Descriptor* descriptor : descriptors) {
    absl::StatusOr<SettingsSchema> schema = SettingsSchema::Of(*descriptor);
    if (!schema.ok()) return std::string(schema.status().message());
    for (const SettingField& setting : schema->fields()) {
      const bool listed = std::any_of(fields.begin(), fields.end(),
                                      [&](const SettingField& f) { return f.key == setting.key; });
      if (!listed) fields.push_back(setting);
    }
  }
  auto flag = [&sources](std::string key) { return OptionName(sources, std::move(key)); };
  std::string text;
  if (!sources.default_file.empty()) {
    absl::StrAppend(&text, "  ", flag(std::string(kConfigKey)), "=<string>  (default: \"",
                    sources.default_file, "\"; env ", sources.env_prefix,
                    "CONFIG)\n      the YAML settings file (only as flag or "
                    "environment)\n");
  }
  for (const SettingField& setting : fields) {
    std::vector<std::string> notes;
    // An optional setting without a default shows none: the program decides when it is unset.
    if (setting.default_value || !setting.field().has_presence()) {
      notes.push_back(absl::StrCat("default: \"", setting.default_value.value_or(""), "\""));
    }
    const std::string env = EnvName(sources, setting);
    if (!env.empty()) notes.push_back(absl::StrCat("env ", env));
    if (style.restart_notes) {
      notes.push_back(setting.restart_needed ? "restart needed" : "applied while running");
    }
    const std::string name = setting.env_only
                                 ? std::string("(environment only)")
                                 : absl::StrCat(flag(setting.key), "=<", setting.type_name(), ">");
    absl::StrAppend(&text, "  ", name);
    if (!notes.empty()) absl::StrAppend(&text, "  (", absl::StrJoin(notes, "; "), ")");
    absl::StrAppend(&text, "\n      ", setting.help, "\n");
    if (!setting.reread.empty()) {
      absl::StrAppend(&text, "      re-read while running: ", setting.reread, "\n");
    }
  }
  return text;
}

}  // namespace churn::settings
