#pragma once
// The scoring rules in force, swapped atomically: a reload builds a complete new set aside and
// publishes it with one pointer swap, so every request scores against one consistent set and a
// bad file never replaces good rules. Plain C++, no gRPC.

#include <atomic>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "scoring/rule_set.h"

namespace churn::scoring_service {

struct LoadedRules {
  scoring::RuleSet rules;
  std::string yaml;    // the text the rules were parsed from
  std::string sha256;  // of `yaml`, lowercase hex
  std::string source;  // file path, "request" or "built-in"
  absl::Time loaded_at;
};

// Parses and validates `yaml`; errors are INVALID_ARGUMENT naming the key and line.
absl::StatusOr<std::shared_ptr<const LoadedRules>> ParseRules(std::string yaml, std::string source);
// Reads `path` (empty: the built-in defaults) and parses it.
absl::StatusOr<std::shared_ptr<const LoadedRules>> LoadRulesFile(const std::string& path);

class RulesStore {
 public:
  // Null until the first successful load.
  std::shared_ptr<const LoadedRules> Current() const { return current_.load(); }
  // Publishes `rules`; returns the set it replaced (null on the first load).
  std::shared_ptr<const LoadedRules> Publish(std::shared_ptr<const LoadedRules> rules) {
    return current_.exchange(std::move(rules));
  }

 private:
  std::atomic<std::shared_ptr<const LoadedRules>> current_;
};

}  // namespace churn::scoring_service
