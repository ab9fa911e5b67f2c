#include "backtest_runner.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "churnmodel/out_of_sample.h"
#include "churnmodel/walk_forward.h"
#include "common/logging.h"
#include "digest/sha256.h"
#include "scoring/rule_set.h"
#include "status/status_macros.h"

namespace churn::ingest_service {

BacktestRunner::BacktestRunner(BacktestRunnerOptions options) : options_(std::move(options)) {}

absl::StatusOr<backtest::BacktestWindow> BacktestRunner::WindowFor(
    const snapshots::Snapshot& snapshot, std::optional<dataset::Day> from,
    std::optional<dataset::Day> to, int step_days, int horizon_days) {
  // The window ends (latest usage and ticket days, or the configured as-of): the data's end.
  std::optional<dataset::Day> data_end = snapshot.signals.usage_window_end;
  if (const auto& support = snapshot.signals.support_window_end) {
    data_end = std::max(data_end.value_or(*support), *support);
  }
  return backtest::ResolveBacktestWindow(from, to, step_days, horizon_days, data_end);
}

std::shared_ptr<const backtest::BacktestReport> BacktestRunner::Cached(const std::string& key) {
  concurrency::MutexLock lock(mu_);
  for (const auto& [cached_key, report] : cache_) {
    if (cached_key == key) return report;
  }
  return nullptr;
}

void BacktestRunner::Remember(const std::string& key,
                              std::shared_ptr<const backtest::BacktestReport> report) {
  concurrency::MutexLock lock(mu_);
  cache_.emplace_front(key, std::move(report));
  while (cache_.size() > options_.cache_entries) cache_.pop_back();
}

absl::StatusOr<std::vector<BacktestRun>> BacktestRunner::Run(
    const snapshots::Snapshot& snapshot,
    const std::vector<std::pair<std::string, std::string>>& fields_and_rules,
    const backtest::BacktestWindow& window) {
  std::vector<BacktestRun> runs(fields_and_rules.size());
  std::vector<std::string> keys(fields_and_rules.size());
  std::vector<size_t> missing;
  for (size_t i = 0; i < fields_and_rules.size(); ++i) {
    const auto& [field, yaml] = fields_and_rules[i];
    if (yaml.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
    if (static_cast<int64_t>(yaml.size()) > options_.max_rules_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": at most ", options_.max_rules_bytes, " bytes, got ", yaml.size()));
    }
    runs[i].rules_sha256 = digest::Sha256Hex(yaml);
    keys[i] =
        absl::StrCat(snapshot.store_instance, "/", snapshot.version, "/", runs[i].rules_sha256, "/",
                     window.from, "/", window.to, "/", window.step_days, "/", window.horizon_days);
    runs[i].report = Cached(keys[i]);
    runs[i].cached = runs[i].report != nullptr;
    if (!runs[i].cached) missing.push_back(i);
  }
  if (missing.empty()) return runs;

  // Parse before taking the slot: a typo is answered even while another backtest runs.
  std::vector<scoring::RuleSet> rules;
  for (const size_t i : missing) {
    CHURN_ASSIGN_OR_RETURN(
        scoring::RuleSet parsed,
        scoring::ParseRuleSet(fields_and_rules[i].second, fields_and_rules[i].first));
    rules.push_back(std::move(parsed));
  }
  {
    concurrency::MutexLock lock(mu_);
    if (computing_) {
      return absl::ResourceExhaustedError(
          "another backtest is running; retry in a few seconds (finished backtests are cached)");
    }
    computing_ = true;
  }
  absl::Status computed = Compute(snapshot, window, missing, rules, keys, &runs);
  {
    concurrency::MutexLock lock(mu_);
    computing_ = false;
  }
  CHURN_RETURN_IF_ERROR(computed);
  return runs;
}

absl::Status BacktestRunner::Compute(const snapshots::Snapshot& snapshot,
                                     const backtest::BacktestWindow& window,
                                     const std::vector<size_t>& missing,
                                     const std::vector<scoring::RuleSet>& rules,
                                     const std::vector<std::string>& keys,
                                     std::vector<BacktestRun>* runs) {
  backtest::BacktestOptions options;
  options.from = window.from;
  options.to = window.to;
  options.step_days = window.step_days;
  options.horizon_days = window.horizon_days;
  options.load = options_.load;
  CHURN_ASSIGN_OR_RETURN(std::vector<dataset::Day> dates, backtest::AsOfDates(options));
  std::optional<churnmodel::OutOfSampleWindow> model_window;
  if (options_.model) {
    absl::StatusOr<churnmodel::OutOfSampleWindow> out_of_sample =
        churnmodel::OutOfSample(options_.model->metadata(), options);
    if (out_of_sample.ok()) {
      model_window = *std::move(out_of_sample);
      options = model_window->options;
      dates = model_window->dates;
    } else {
      // The window lies within the model's training labels: the rules alone, as without a model.
      service::LogInfo("backtest_without_model", {{"reason", out_of_sample.status()}});
    }
  }
  CHURN_ASSIGN_OR_RETURN(SignalHistory history,
                         SignalHistory::Load(snapshot.files, std::move(dates), options.load,
                                             {.long_views = model_window.has_value()}));
  const backtest::PopulationScorer model_scorer =
      model_window ? churnmodel::ModelScorer(*options_.model) : nullptr;
  for (size_t m = 0; m < missing.size(); ++m) {
    const size_t i = missing[m];
    CHURN_ASSIGN_OR_RETURN(backtest::BacktestReport report,
                           backtest::RunBacktest(history, rules[m], options, model_scorer));
    if (model_window) report.model_note = model_window->note;
    (*runs)[i].report = std::make_shared<const backtest::BacktestReport>(std::move(report));
    Remember(keys[i], (*runs)[i].report);
  }
  return absl::OkStatus();
}

}  // namespace churn::ingest_service
