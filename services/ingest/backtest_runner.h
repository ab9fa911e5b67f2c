#pragma once
// Runs libs/backtest for ingest's Backtest RPC on a snapshot's tables. Answers are cached per
// (snapshot, rules text, window), so the dashboard's repeated views and the baseline of every
// what-if cost nothing after the first; at most one backtest computes at a time, and a request
// that would need a second one is refused at once (RESOURCE_EXHAUSTED) rather than holding an
// executor thread while it waits: loads and the other RPCs keep their threads.

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "backtest/backtest.h"
#include "backtest/backtest_window.h"
#include "churnmodel/churn_model.h"
#include "concurrency/mutex.h"
#include "scoring/rule_set.h"
#include "snapshots/snapshot.h"

namespace churn::ingest_service {

struct BacktestRunnerOptions {
  size_t cache_entries = 16;
  int64_t max_rules_bytes = int64_t{1} << 20;
  dataset::LoadOptions load;
  // A trained model evaluated beside the rules (BacktestReport::model) as `churnctl backtest
  // --model` does: only on the as-of dates its training labels did not reach, rules included.
  // Null: the rules alone.
  std::shared_ptr<const churnmodel::ChurnModel> model;
};

// One backtested rule set.
struct BacktestRun {
  std::shared_ptr<const backtest::BacktestReport> report;
  std::string rules_sha256;
  bool cached = false;
};

class BacktestRunner {
 public:
  explicit BacktestRunner(BacktestRunnerOptions options = {});

  // The window with its defaults filled in from the snapshot's last data day.
  static absl::StatusOr<backtest::BacktestWindow> WindowFor(const snapshots::Snapshot& snapshot,
                                                            std::optional<dataset::Day> from,
                                                            std::optional<dataset::Day> to,
                                                            int step_days, int horizon_days);

  // Backtests each rule text (`fields[i]` names it in errors, e.g. "rules_yaml") on the
  // snapshot's tables over `window`; the tables are read once for all that are not cached.
  absl::StatusOr<std::vector<BacktestRun>> Run(
      const snapshots::Snapshot& snapshot,
      const std::vector<std::pair<std::string, std::string>>& fields_and_rules,
      const backtest::BacktestWindow& window);

 private:
  // The missing runs (indexes into *runs), with their parsed rules and cache keys.
  absl::Status Compute(const snapshots::Snapshot& snapshot, const backtest::BacktestWindow& window,
                       const std::vector<size_t>& missing,
                       const std::vector<scoring::RuleSet>& rules,
                       const std::vector<std::string>& keys, std::vector<BacktestRun>* runs);
  std::shared_ptr<const backtest::BacktestReport> Cached(const std::string& key);
  void Remember(const std::string& key, std::shared_ptr<const backtest::BacktestReport> report);

  const BacktestRunnerOptions options_;
  concurrency::Mutex mu_;
  std::deque<std::pair<std::string, std::shared_ptr<const backtest::BacktestReport>>> cache_
      ABSL_GUARDED_BY(mu_);  // newest first
  bool computing_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace churn::ingest_service
