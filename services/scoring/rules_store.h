#pragma once
// The scoring rules in force, swapped as one pointer: a reload builds a complete new set aside and
// publishes it with one pointer swap under a short lock, so every request scores against one
// consistent set and a bad file never replaces good rules. Plain C++, no gRPC.

#include <memory>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "concurrency/mutex.h"
#include "scoring/compact_assessment.h"
#include "scoring/rule_set.h"

namespace churn::scoring_service {

struct LoadedRules {
  scoring::RuleSet rules;
  scoring::RulesTexts texts;  // what ScoreBatch's compact form refers to by index
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
  std::shared_ptr<const LoadedRules> Current() const {
    concurrency::MutexLock lock(mu_);
    return current_;
  }
  // Publishes `rules`; returns the set it replaced (null on the first load).
  std::shared_ptr<const LoadedRules> Publish(std::shared_ptr<const LoadedRules> rules) {
    concurrency::MutexLock lock(mu_);
    return std::exchange(current_, std::move(rules));
  }

 private:
  // A mutex, not std::atomic<std::shared_ptr>: GCC 12's load() releases its internal lock with a
  // relaxed store, so a reader's copy races with the next Publish (ThreadSanitizer reports it).
  mutable concurrency::Mutex mu_;
  std::shared_ptr<const LoadedRules> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace churn::scoring_service
