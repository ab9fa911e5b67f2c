#pragma once
// One configuration per service, from three layers, later ones winning:
//   1. the YAML file config/<service>-service.yaml (flat `key: value` map; --config=PATH picks
//      another file; a missing default file just means "defaults"),
//   2. environment variables CHURN_<SERVICE>_<KEY> (e.g. CHURN_SCORING_MAX_BATCH=500),
//   3. flags --key=value (or --key value; a bare --key sets a bool to true; '-' and '_' are
//      interchangeable in flag names).
// Every key is declared with a type, a default and a description; unknown keys and values of the
// wrong type are errors, so a typo never silently falls back to a default. --help lists them.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace churn::service {

enum class ConfigType { kString, kInt, kBool, kDouble };

struct ConfigKey {
  std::string name;  // snake_case
  ConfigType type = ConfigType::kString;
  std::string default_value;
  std::string description;
};

// The keys every service understands (read by ServiceProcess); `service` only shapes the defaults.
std::vector<ConfigKey> CommonServiceKeys(std::string_view default_grpc_address,
                                         std::string_view default_metrics_address);

class ServiceConfig {
 public:
  using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

  // `service` is the short name: "scoring" -> config/scoring-service.yaml, CHURN_SCORING_*.
  // `env` defaults to the process environment.
  static absl::StatusOr<ServiceConfig> Load(std::string_view service, std::vector<ConfigKey> keys,
                                            int argc, const char* const* argv,
                                            EnvLookup env = nullptr);

  // --help / -h was given: print HelpText() and exit 0; the other getters hold defaults.
  bool help_requested() const { return help_requested_; }
  std::string HelpText() const;

  // Getters for declared keys; the values were type-checked by Load. Asking for an undeclared
  // key is a programming error (aborts).
  const std::string& GetString(std::string_view key) const;
  int64_t GetInt(std::string_view key) const;
  bool GetBool(std::string_view key) const;
  double GetDouble(std::string_view key) const;

  // Where a key's value came from: "default", "file", "env" or "flag".
  const std::string& SourceOf(std::string_view key) const;
  // The file that was read; empty when none.
  const std::string& config_file() const { return config_file_; }
  const std::string& service() const { return service_; }
  // Every key with its effective value and source, for the startup log.
  std::vector<std::pair<std::string, std::string>> EffectiveValues() const;

 private:
  struct Entry {
    ConfigKey key;
    std::string value;
    std::string source = "default";
  };
  const Entry& Find(std::string_view key) const;
  absl::Status Set(std::string_view key, std::string value, std::string_view source);

  std::string service_;
  std::string config_file_;
  bool help_requested_ = false;
  std::map<std::string, Entry, std::less<>> entries_;
  std::vector<std::string> order_;  // declaration order, for --help
};

}  // namespace churn::service
