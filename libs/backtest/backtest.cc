#include "backtest/backtest.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "backtest/ranking_metrics.h"
#include "scoring/engine.h"
#include "status/status_macros.h"

namespace churn::backtest {

using dataset::Day;

absl::StatusOr<std::vector<Day>> AsOfDates(const BacktestOptions& options) {
  if (options.step_days < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("step must be at least 1 day, got ", options.step_days));
  }
  if (options.horizon_days < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("horizon must be at least 1 day, got ", options.horizon_days));
  }
  if (options.to < options.from) {
    return absl::InvalidArgumentError(
        absl::StrCat("the last as-of date ", dataset::FormatDate(options.to),
                     " is before the first ", dataset::FormatDate(options.from)));
  }
  std::vector<Day> dates;
  for (Day day = options.from; day <= options.to; day += options.step_days) dates.push_back(day);
  return dates;
}

namespace {

// Every customer scored on every as-of date, with its label; one entry per
// (customer, date).
struct ScoredRows {
  std::vector<int32_t> subscription;
  std::vector<Day> as_of;
  std::vector<double> score;
  std::vector<scoring::RiskLevel> level;
  std::vector<uint8_t> label;
  std::vector<Day> churn_day;     // the labelled churn date (label 1 only)
  std::vector<size_t> date_ends;  // rows of date d: [date_ends[d-1], date_ends[d])
};

struct RuleTierIndex {
  std::vector<std::string> names;  // rule ids first, then "rule/tier"
  absl::flat_hash_map<std::string, size_t> rule, tier;
  explicit RuleTierIndex(const scoring::RuleSet& rules) {
    for (const scoring::Rule& r : rules.rules) {
      rule.emplace(r.id, names.size());
      names.push_back(r.id);
      for (const scoring::Tier& t : r.tiers) {
        const std::string name = absl::StrCat(r.id, "/", t.id);
        tier.emplace(name, names.size());
        names.push_back(name);
      }
    }
  }
};

std::optional<double> Rate(int64_t part, int64_t whole) {
  if (whole <= 0) return std::nullopt;
  return static_cast<double>(part) / static_cast<double>(whole);
}

LeadTime LeadTimeOf(const ScoredRows& rows) {
  std::vector<LeadTimeObservation> observations(rows.label.size());
  for (size_t i = 0; i < rows.label.size(); ++i) {
    observations[i] = {rows.subscription[i], rows.as_of[i],
                       rows.level[i] == scoring::RiskLevel::kHigh, rows.label[i] != 0,
                       rows.churn_day[i]};
  }
  return ComputeLeadTime(observations);
}

// Precision@K per as-of date (the list a team would see that morning), averaged
// over dates.
std::vector<AtK> PrecisionAtK(const ScoredRows& rows, double base_rate) {
  struct Cut {
    std::string name;
    int64_t fixed;
    double share;
  };
  const std::vector<Cut> cuts = {
      {"10", 10, 0}, {"50", 50, 0}, {"100", 100, 0}, {"1%", 0, 0.01}, {"5%", 0, 0.05}};
  std::vector<double> sums(cuts.size(), 0);
  std::vector<int64_t> dates_counted(cuts.size(), 0), row_sums(cuts.size(), 0);
  size_t begin = 0;
  for (const size_t end : rows.date_ends) {
    const std::vector<double> scores(rows.score.begin() + begin, rows.score.begin() + end);
    const std::vector<uint8_t> labels(rows.label.begin() + begin, rows.label.begin() + end);
    const RankedScores ranked(scores, labels);
    const auto n = static_cast<int64_t>(end - begin);
    for (size_t c = 0; c < cuts.size(); ++c) {
      const int64_t k =
          cuts[c].fixed > 0
              ? std::min(cuts[c].fixed, n)
              : static_cast<int64_t>(std::ceil(cuts[c].share * static_cast<double>(n)));
      if (std::optional<double> precision = ranked.PrecisionAtK(k)) {
        sums[c] += *precision;
        ++dates_counted[c];
        row_sums[c] += k;
      }
    }
    begin = end;
  }
  std::vector<AtK> result;
  for (size_t c = 0; c < cuts.size(); ++c) {
    AtK at;
    at.k = cuts[c].name;
    if (dates_counted[c] > 0) {
      at.rows = row_sums[c] / dates_counted[c];
      at.precision = sums[c] / static_cast<double>(dates_counted[c]);
      at.lift = Lift(at.precision, base_rate);
    }
    result.push_back(at);
  }
  return result;
}

ScoreEvaluation Evaluate(const ScoredRows& rows, double base_rate,
                         const BootstrapOptions& bootstrap) {
  ScoreEvaluation evaluation;
  const RankedScores ranked(rows.score, rows.label);
  evaluation.roc_auc = ranked.RocAuc();
  evaluation.pr_auc = ranked.PrAuc();

  // Clusters: one per customer, numbered densely.
  absl::flat_hash_map<int32_t, int32_t> cluster_ids;
  std::vector<int32_t> cluster_of_row(rows.subscription.size());
  for (size_t i = 0; i < rows.subscription.size(); ++i) {
    cluster_of_row[i] =
        cluster_ids.try_emplace(rows.subscription[i], static_cast<int32_t>(cluster_ids.size()))
            .first->second;
  }
  const auto clusters = static_cast<int32_t>(cluster_ids.size());
  evaluation.roc_auc_ci95 = BootstrapInterval(
      cluster_of_row, clusters, [&](const std::vector<double>& w) { return ranked.RocAuc(&w); },
      bootstrap);
  evaluation.pr_auc_ci95 = BootstrapInterval(
      cluster_of_row, clusters, [&](const std::vector<double>& w) { return ranked.PrAuc(&w); },
      bootstrap);

  std::vector<uint8_t> high(rows.level.size()), high_medium(rows.level.size());
  for (size_t i = 0; i < rows.level.size(); ++i) {
    high[i] = rows.level[i] == scoring::RiskLevel::kHigh;
    high_medium[i] = rows.level[i] != scoring::RiskLevel::kLow;
  }
  const Classification h = Classify(high, rows.label);
  const Classification hm = Classify(high_medium, rows.label);
  evaluation.precision_high = h.precision;
  evaluation.recall_high = h.recall;
  evaluation.f1_high = h.f1;
  evaluation.precision_high_medium = hm.precision;
  evaluation.recall_high_medium = hm.recall;
  evaluation.f1_high_medium = hm.f1;
  evaluation.at_k = PrecisionAtK(rows, base_rate);
  evaluation.lead_time = LeadTimeOf(rows);
  return evaluation;
}

// Rows ranked by score (highest first) in ten bins of equal rank width. A tie
// group is never split (its rows would otherwise land in bins by listing
// order): it goes whole to the bin of its middle rank, so with many tied scores
// some bins are larger and some are left out.
std::vector<CalibrationBin> DecileCalibration(const ScoredRows& rows) {
  std::vector<size_t> order(rows.score.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return rows.score[a] > rows.score[b]; });
  std::vector<CalibrationBin> bins(10);
  for (size_t begin = 0; begin < order.size();) {
    size_t end = begin + 1;
    while (end < order.size() && rows.score[order[end]] == rows.score[order[begin]]) ++end;
    CalibrationBin& bin = bins[(begin + end - 1) / 2 * 10 / order.size()];
    if (bin.rows == 0) bin.max_score = rows.score[order[begin]];
    bin.min_score = rows.score[order[begin]];
    for (size_t rank = begin; rank < end; ++rank) {
      ++bin.rows;
      bin.churned += rows.label[order[rank]];
    }
    begin = end;
  }
  std::vector<CalibrationBin> result;
  for (size_t d = 0; d < bins.size(); ++d) {
    if (bins[d].rows == 0) continue;
    bins[d].label = absl::StrCat("decile ", d + 1);
    bins[d].churn_rate = Rate(bins[d].churned, bins[d].rows);
    result.push_back(bins[d]);
  }
  return result;
}

// The model's flags on one date's rows [begin, end): its top `high` rows by
// probability are High, the next up to `high_medium` Medium (ties broken by row
// order, which is the population's).
void AssignBudgetLevels(ScoredRows& rows, size_t begin, size_t end, int64_t high,
                        int64_t high_medium) {
  std::vector<size_t> order(end - begin);
  std::iota(order.begin(), order.end(), begin);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return rows.score[a] > rows.score[b]; });
  for (size_t rank = 0; rank < order.size(); ++rank) {
    const auto r = static_cast<int64_t>(rank);
    rows.level[order[rank]] = r < high          ? scoring::RiskLevel::kHigh
                              : r < high_medium ? scoring::RiskLevel::kMedium
                                                : scoring::RiskLevel::kLow;
  }
}

std::string InformativeText(bool informative, const ScoreEvaluation& rules) {
  if (!rules.roc_auc || !rules.roc_auc_ci95) {
    return "The backtest has no churned or no retained customers in its "
           "horizon, so it cannot "
           "say whether the signals predict churn.";
  }
  if (!informative) {
    return "The signals do not predict churn on this data better than chance: "
           "the 95% interval "
           "of the ROC AUC contains 0.5.";
  }
  if (*rules.roc_auc > 0.5) {
    return "The signals predict churn on this data better than chance: the 95% "
           "interval of the "
           "ROC AUC lies above 0.5.";
  }
  return "The signals rank churn worse than chance on this data: the 95% "
         "interval of the ROC "
         "AUC lies below 0.5 (the rules point the wrong way here).";
}

}  // namespace

absl::StatusOr<BacktestReport> RunBacktest(const SignalHistory& history,
                                           const scoring::RuleSet& rules,
                                           const BacktestOptions& options,
                                           const PopulationScorer& model) {
  CHURN_ASSIGN_OR_RETURN(std::vector<Day> dates, AsOfDates(options));
  const dataset::Dataset& data = history.data();
  const auto& churn_dates = history.churn_dates();
  const RuleTierIndex index(rules);
  std::vector<int64_t> fired(index.names.size(), 0), fired_churned(index.names.size(), 0);
  int64_t level_rows[3] = {0, 0, 0}, level_churned[3] = {0, 0, 0};
  double level_min[3] = {0, 0, 0}, level_max[3] = {0, 0, 0};

  BacktestReport report;
  report.as_of_dates = dates;
  report.horizon_days = options.horizon_days;
  report.step_days = options.step_days;
  ScoredRows rows;
  ScoredRows model_rows;
  for (const Day as_of : dates) {
    CHURN_ASSIGN_OR_RETURN(PopulationSignals population, history.SignalsAsOf(as_of));
    const size_t date_begin = rows.score.size();
    int64_t high = 0, high_medium = 0;
    for (size_t i = 0; i < population.customers.size(); ++i) {
      const int32_t subscription = population.subscription_index[i];
      const scoring::Assessment assessment = scoring::ScoreCustomer(rules, population.customers[i]);
      // The population has no churn on or before the date: the first churn date
      // is after it.
      const int32_t account = data.subscriptions[subscription].account_index;
      std::optional<Day> next_churn;
      if (account != dataset::kNoIndex && !churn_dates[account].empty()) {
        next_churn = churn_dates[account].front();
      }
      const bool label = next_churn && *next_churn <= as_of + options.horizon_days;
      rows.subscription.push_back(subscription);
      rows.as_of.push_back(as_of);
      rows.score.push_back(assessment.risk_score);
      rows.level.push_back(assessment.risk_level);
      rows.label.push_back(label ? 1 : 0);
      rows.churn_day.push_back(label ? *next_churn : 0);
      for (const scoring::FiredRule& rule : assessment.fired_rules) {
        for (const auto* map : {&index.rule, &index.tier}) {
          const std::string key = map == &index.rule
                                      ? rule.rule.str()
                                      : absl::StrCat(rule.rule.str(), "/", rule.tier.str());
          if (auto it = map->find(key); it != map->end()) {
            ++fired[it->second];
            fired_churned[it->second] += label ? 1 : 0;
          }
        }
      }
      const int level = static_cast<int>(assessment.risk_level);
      const double score = assessment.risk_score;
      if (level_rows[level] == 0 || score < level_min[level]) level_min[level] = score;
      if (level_rows[level] == 0 || score > level_max[level]) level_max[level] = score;
      ++level_rows[level];
      level_churned[level] += label ? 1 : 0;
      high += assessment.risk_level == scoring::RiskLevel::kHigh ? 1 : 0;
      high_medium += assessment.risk_level != scoring::RiskLevel::kLow ? 1 : 0;
    }
    rows.date_ends.push_back(rows.score.size());
    if (model) {
      CHURN_ASSIGN_OR_RETURN(std::vector<double> probabilities, model(population));
      if (probabilities.size() != population.customers.size()) {
        return absl::InternalError(absl::StrCat("the model scored ", probabilities.size(), " of ",
                                                population.customers.size(), " customers on ",
                                                dataset::FormatDate(as_of)));
      }
      for (size_t i = date_begin; i < rows.score.size(); ++i) {
        model_rows.subscription.push_back(rows.subscription[i]);
        model_rows.as_of.push_back(rows.as_of[i]);
        model_rows.score.push_back(probabilities[i - date_begin]);
        model_rows.level.push_back(scoring::RiskLevel::kLow);
        model_rows.label.push_back(rows.label[i]);
        model_rows.churn_day.push_back(rows.churn_day[i]);
      }
      model_rows.date_ends.push_back(model_rows.score.size());
      AssignBudgetLevels(model_rows, date_begin, model_rows.score.size(), high, high_medium);
    }
    report.rows_per_date.push_back(static_cast<int64_t>(population.customers.size()));
  }

  report.rows = static_cast<int64_t>(rows.score.size());
  report.positives = std::accumulate(rows.label.begin(), rows.label.end(), int64_t{0});
  report.base_rate = report.rows > 0
                         ? static_cast<double>(report.positives) / static_cast<double>(report.rows)
                         : 0;
  std::vector<int32_t> distinct = rows.subscription;
  std::sort(distinct.begin(), distinct.end());
  report.customers = std::unique(distinct.begin(), distinct.end()) - distinct.begin();

  report.data_end = history.data_end();

  report.rules = Evaluate(rows, report.base_rate, options.bootstrap);
  if (model) report.model = Evaluate(model_rows, report.base_rate, options.bootstrap);
  for (size_t i = 0; i < index.names.size(); ++i) {
    RuleFiring firing;
    firing.rule = index.names[i];
    firing.fired = fired[i];
    firing.churned = fired_churned[i];
    firing.churn_rate = Rate(fired_churned[i], fired[i]);
    firing.lift = Lift(firing.churn_rate, report.base_rate);
    report.rule_firing.push_back(firing);
  }
  for (int level = 0; level < 3; ++level) {
    CalibrationBin bin;
    bin.label = std::string(scoring::RiskLevelName(static_cast<scoring::RiskLevel>(level)));
    bin.rows = level_rows[level];
    bin.churned = level_churned[level];
    bin.churn_rate = Rate(bin.churned, bin.rows);
    bin.min_score = level_min[level];
    bin.max_score = level_max[level];
    report.level_calibration.push_back(bin);
  }
  report.decile_calibration = DecileCalibration(rows);
  const std::optional<ConfidenceInterval>& ci = report.rules.roc_auc_ci95;
  report.informative = ci.has_value() && (ci->low > 0.5 || ci->high < 0.5);
  report.informative_text = InformativeText(report.informative, report.rules);
  report.load = data.report;
  return report;
}

absl::StatusOr<BacktestReport> RunBacktest(const dataset::DataFiles& files,
                                           const scoring::RuleSet& rules,
                                           const BacktestOptions& options) {
  CHURN_ASSIGN_OR_RETURN(std::vector<Day> dates, AsOfDates(options));
  CHURN_ASSIGN_OR_RETURN(SignalHistory history, SignalHistory::Load(files, dates, options.load));
  return RunBacktest(history, rules, options);
}

}  // namespace churn::backtest
