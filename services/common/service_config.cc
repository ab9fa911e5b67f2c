#include "common/service_config.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/absl_compat.h"
#include "yaml-cpp/yaml.h"

extern char** environ;

namespace churn::service {
namespace {

constexpr absl::string_view kConfigKey = "config";

absl::string_view TypeName(ConfigType type) {
  switch (type) {
    case ConfigType::kString: return "string";
    case ConfigType::kInt: return "int";
    case ConfigType::kBool: return "bool";
    case ConfigType::kDouble: return "double";
  }
  return "string";
}

std::optional<bool> ParseBool(absl::string_view text) {
  std::string lower = absl::AsciiStrToLower(text);
  if (lower == "true" || lower == "1" || lower == "yes" || lower == "on") return true;
  if (lower == "false" || lower == "0" || lower == "no" || lower == "off") return false;
  return std::nullopt;
}

absl::Status CheckType(const ConfigKey& key, absl::string_view value) {
  switch (key.type) {
    case ConfigType::kString: return absl::OkStatus();
    case ConfigType::kInt: {
      int64_t parsed;
      if (absl::SimpleAtoi(value, &parsed)) return absl::OkStatus();
      break;
    }
    case ConfigType::kDouble: {
      double parsed;
      if (absl::SimpleAtod(value, &parsed)) return absl::OkStatus();
      break;
    }
    case ConfigType::kBool:
      if (ParseBool(value)) return absl::OkStatus();
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("must be ", TypeName(key.type), ", got '", value, "'"));
}

std::string EnvPrefix(absl::string_view service) {
  std::string prefix = absl::StrCat("CHURN_", absl::AsciiStrToUpper(service), "_");
  for (char& c : prefix) {
    if (c == '-') c = '_';
  }
  return prefix;
}

std::string EnvName(absl::string_view service, absl::string_view key) {
  return EnvPrefix(service) + absl::AsciiStrToUpper(key);
}

std::string FlagKey(absl::string_view flag) {
  std::string key(flag);
  for (char& c : key) {
    if (c == '-') c = '_';
  }
  return key;
}

bool FileExists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace

std::vector<ConfigKey> CommonServiceKeys(std::string_view default_grpc_address,
                                         std::string_view default_metrics_address) {
  return {
      {"grpc_address", ConfigType::kString, std::string(default_grpc_address),
       "gRPC listen address host:port (port 0 picks a free port; see port_file)"},
      {"metrics_address", ConfigType::kString, std::string(default_metrics_address),
       "Prometheus /metrics listen address host:port (port 0 picks a free port)"},
      {"drain_timeout_ms", ConfigType::kInt, "5000",
       "on SIGTERM/SIGINT, how long in-flight RPCs may finish before they are cancelled"},
      {"worker_threads", ConfigType::kInt, "8",
       "threads for blocking work started by requests (loads, model calls, neighbour calls); "
       "fixed, whatever the load"},
      {"work_queue", ConfigType::kInt, "64",
       "requests that may wait for a worker thread; more are refused with RESOURCE_EXHAUSTED"},
      {"port_file", ConfigType::kString, "",
       "when set, the bound ports are written there as 'grpc_port=N\\nmetrics_port=M\\n'"},
      {"log_level", ConfigType::kString, "info", "debug, info, warn or error"},
      {"auth_tokens_file", ConfigType::kString, "",
       "YAML file 'tokens: [{name, role, sha256}]' of the callers allowed in (roles viewer, csm, "
       "admin, service); empty = no authentication, loopback addresses only"},
      {"allow_unauthenticated", ConfigType::kBool, "false",
       "serve a non-loopback address without auth_tokens_file (anyone who reaches it has full "
       "access)"},
      {"tls_cert_file", ConfigType::kString, "", "PEM certificate chain: serve TLS"},
      {"tls_key_file", ConfigType::kString, "", "PEM private key of tls_cert_file"},
      {"tls_ca_file", ConfigType::kString, "",
       "PEM CA: require client certificates signed by it (mutual TLS)"},
  };
}

absl::StatusOr<ServiceConfig> ServiceConfig::Load(std::string_view service_name,
                                                  std::vector<ConfigKey> keys, int argc,
                                                  const char* const* argv, EnvLookup env) {
  const absl::string_view service = ToAbsl(service_name);
  ServiceConfig config;
  config.service_ = std::string(service);
  std::string default_file = absl::StrCat("config/", service, "-service.yaml");
  keys.insert(keys.begin(), ConfigKey{std::string(kConfigKey), ConfigType::kString, default_file,
                                      "the YAML configuration file (only as flag or environment)"});
  for (ConfigKey& key : keys) {
    std::string name = key.name;
    if (config.entries_.count(name) > 0) {
      return absl::InternalError(absl::StrCat("config key declared twice: ", name));
    }
    std::string value = key.default_value;
    config.order_.push_back(name);
    config.entries_.emplace(name, Entry{std::move(key), std::move(value), "default"});
  }

  // Flags first pass: --help wins over everything, even a broken file.
  struct Flag {
    std::string key;
    std::string value;
  };
  std::vector<Flag> flags;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h" || arg == "-help") {
      config.help_requested_ = true;
      return config;
    }
  }
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (!absl::StartsWith(arg, "--") || arg.size() == 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument '", arg, "' (flags are --key=value; see --help)"));
    }
    arg.remove_prefix(2);
    size_t eq = arg.find('=');
    std::string key = FlagKey(arg.substr(0, eq));
    auto it = config.entries_.find(key);
    if (it == config.entries_.end()) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", key, " (see --help)"));
    }
    if (eq != absl::string_view::npos) {
      flags.push_back({key, std::string(arg.substr(eq + 1))});
    } else if (it->second.key.type == ConfigType::kBool) {
      flags.push_back({key, "true"});
    } else if (i + 1 < argc) {
      flags.push_back({key, argv[++i]});
    } else {
      return absl::InvalidArgumentError(absl::StrCat("flag --", key, " needs a value"));
    }
  }

  auto lookup = [&](const std::string& name) -> std::optional<std::string> {
    if (env) return env(name);
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };

  // The process environment is checked for misspelt keys under our prefix.
  if (!env) {
    const std::string prefix = EnvPrefix(service);
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      absl::string_view var = *e;
      if (!absl::StartsWith(var, prefix)) continue;
      absl::string_view name = var.substr(0, var.find('='));
      std::string key = absl::AsciiStrToLower(name.substr(prefix.size()));
      if (config.entries_.count(key) == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("unknown environment variable ", name, " (known keys: see --help)"));
      }
    }
  }

  // Which file: flag, then environment, then the default (which may be absent).
  std::string file = default_file;
  bool file_explicit = false;
  if (auto value = lookup(EnvName(service, kConfigKey))) {
    file = *value;
    file_explicit = true;
    config.entries_.at(std::string(kConfigKey)).source = "env";
  }
  for (const Flag& flag : flags) {
    if (flag.key == kConfigKey) {
      file = flag.value;
      file_explicit = true;
      config.entries_.at(std::string(kConfigKey)).source = "flag";
    }
  }
  config.entries_.at(std::string(kConfigKey)).value = file;

  if (!file.empty() && (file_explicit || FileExists(file))) {
    std::ifstream in(file);
    if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", file));
    std::stringstream text;
    text << in.rdbuf();
    YAML::Node root;
    try {
      root = YAML::Load(text.str());
    } catch (const YAML::Exception& e) {
      return absl::InvalidArgumentError(absl::StrCat(file, ":", e.mark.line + 1, ": ", e.msg));
    }
    if (root.IsDefined() && !root.IsNull()) {
      if (!root.IsMap()) {
        return absl::InvalidArgumentError(absl::StrCat(file, ": must be a map of key: value"));
      }
      for (const auto& item : root) {
        std::string key = item.first.as<std::string>("");
        std::string where = absl::StrCat(file, ":", item.first.Mark().line + 1, ": ");
        if (key == kConfigKey) {
          return absl::InvalidArgumentError(
              absl::StrCat(where, "'config' can only be given as flag or environment"));
        }
        if (config.entries_.count(key) == 0) {
          return absl::InvalidArgumentError(
              absl::StrCat(where, "unknown key '", key, "' (see --help)"));
        }
        if (!item.second.IsScalar() && !item.second.IsNull()) {
          return absl::InvalidArgumentError(absl::StrCat(where, key, ": must be a single value"));
        }
        std::string value = item.second.IsNull() ? "" : item.second.Scalar();
        if (absl::Status s = config.Set(key, value, "file"); !s.ok()) {
          return absl::InvalidArgumentError(absl::StrCat(where, s.message()));
        }
      }
    }
    config.config_file_ = file;
  }

  for (const std::string& key : config.order_) {
    if (key == kConfigKey) continue;
    std::string name = EnvName(service, key);
    if (auto value = lookup(name)) {
      if (absl::Status s = config.Set(key, *value, "env"); !s.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("environment ", name, ": ", s.message()));
      }
    }
  }

  for (const Flag& flag : flags) {
    if (flag.key == kConfigKey) continue;
    if (absl::Status s = config.Set(flag.key, flag.value, "flag"); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("flag --", s.message()));
    }
  }
  return config;
}

absl::Status ServiceConfig::Set(std::string_view key, std::string value, std::string_view source) {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    return absl::InvalidArgumentError(absl::StrCat("unknown key ", ToAbsl(key)));
  }
  if (absl::Status s = CheckType(it->second.key, value); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(ToAbsl(key), ": ", s.message()));
  }
  it->second.value = std::move(value);
  it->second.source = std::string(source);
  return absl::OkStatus();
}

const ServiceConfig::Entry& ServiceConfig::Find(std::string_view key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    // A getter for an undeclared key is a bug in the service, not a user error.
    std::fprintf(stderr, "internal error: config key '%.*s' was never declared\n",
                 static_cast<int>(key.size()), key.data());
    std::abort();
  }
  return it->second;
}

const std::string& ServiceConfig::GetString(std::string_view key) const { return Find(key).value; }

int64_t ServiceConfig::GetInt(std::string_view key) const {
  int64_t value = 0;
  (void)absl::SimpleAtoi(Find(key).value, &value);
  return value;
}

bool ServiceConfig::GetBool(std::string_view key) const {
  return ParseBool(Find(key).value).value_or(false);
}

double ServiceConfig::GetDouble(std::string_view key) const {
  double value = 0;
  (void)absl::SimpleAtod(Find(key).value, &value);
  return value;
}

const std::string& ServiceConfig::SourceOf(std::string_view key) const { return Find(key).source; }

std::vector<std::pair<std::string, std::string>> ServiceConfig::EffectiveValues() const {
  std::vector<std::pair<std::string, std::string>> values;
  for (const std::string& key : order_) {
    const Entry& entry = entries_.at(key);
    values.emplace_back(key, entry.value);
  }
  return values;
}

std::string ServiceConfig::HelpText() const {
  std::string text = absl::StrCat(
      "churn-", service_, ": configuration keys, read from the YAML file (--config), then the\n",
      "environment (", EnvPrefix(service_), "<KEY>), then flags (--key=value):\n\n");
  for (const std::string& key : order_) {
    const Entry& entry = entries_.at(key);
    absl::StrAppend(&text, "  --", key, "=<", TypeName(entry.key.type), ">  (default: \"",
                    entry.key.default_value, "\"; env ", EnvName(service_, key), ")\n      ",
                    entry.key.description, "\n");
  }
  absl::StrAppend(&text, "\n  --help\n      print this text and exit\n");
  return text;
}

}  // namespace churn::service
