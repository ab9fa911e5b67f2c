#include "backtest/report_comparison.h"

#include <functional>
#include <map>

#include "absl/strings/str_cat.h"

namespace churn::backtest {
namespace {

using Json = nlohmann::ordered_json;

std::optional<double> Difference(const std::optional<double>& a, const std::optional<double>& b) {
  if (!a || !b) return std::nullopt;
  return *b - *a;
}

Json Optional(const std::optional<double>& value) { return value ? Json(*value) : Json(nullptr); }

std::optional<double> AtKValue(const ScoreEvaluation& e, const std::string& k, bool lift) {
  for (const AtK& at : e.at_k) {
    if (at.k == k) return lift ? at.lift : at.precision;
  }
  return std::nullopt;
}

}  // namespace

ReportComparison CompareReports(const BacktestReport& current, const BacktestReport& candidate) {
  ReportComparison comparison;
  comparison.same_rows = current.as_of_dates == candidate.as_of_dates &&
                         current.rows == candidate.rows && current.positives == candidate.positives;
  using Getter = std::function<std::optional<double>(const BacktestReport&)>;
  const std::vector<std::pair<std::string, Getter>> metrics = {
      {"roc_auc", [](const BacktestReport& r) { return r.rules.roc_auc; }},
      {"pr_auc", [](const BacktestReport& r) { return r.rules.pr_auc; }},
      {"precision_high", [](const BacktestReport& r) { return r.rules.precision_high; }},
      {"recall_high", [](const BacktestReport& r) { return r.rules.recall_high; }},
      {"precision_high_medium",
       [](const BacktestReport& r) { return r.rules.precision_high_medium; }},
      {"recall_high_medium", [](const BacktestReport& r) { return r.rules.recall_high_medium; }},
      {"lead_time_median_days", [](const BacktestReport& r) { return r.rules.lead_time.median; }},
      {"share_caught_30d",
       [](const BacktestReport& r) { return r.rules.lead_time.share_caught_30d; }},
  };
  for (const auto& [name, get] : metrics) {
    MetricChange change{name, get(current), get(candidate), std::nullopt};
    change.change = Difference(change.current, change.candidate);
    comparison.metrics.push_back(change);
  }
  for (const bool lift : {false, true}) {
    for (const AtK& at : current.rules.at_k) {
      MetricChange change{absl::StrCat(lift ? "lift_at_k/" : "precision_at_k/", at.k),
                          AtKValue(current.rules, at.k, lift),
                          AtKValue(candidate.rules, at.k, lift), std::nullopt};
      change.change = Difference(change.current, change.candidate);
      comparison.metrics.push_back(change);
    }
  }

  // Rules in the current set's order, then those only the candidate has.
  std::map<std::string, const RuleFiring*> candidate_rules;
  for (const RuleFiring& rule : candidate.rule_firing) candidate_rules.emplace(rule.rule, &rule);
  auto add = [&](const RuleFiring* a, const RuleFiring* b) {
    RuleFiringChange change;
    change.rule = a ? a->rule : b->rule;
    if (a) {
      change.fired_current = a->fired;
      change.lift_current = a->lift;
      change.churn_rate_current = a->churn_rate;
    }
    if (b) {
      change.fired_candidate = b->fired;
      change.lift_candidate = b->lift;
      change.churn_rate_candidate = b->churn_rate;
    }
    change.lift_change = Difference(change.lift_current, change.lift_candidate);
    comparison.rules.push_back(change);
  };
  for (const RuleFiring& rule : current.rule_firing) {
    auto it = candidate_rules.find(rule.rule);
    add(&rule, it == candidate_rules.end() ? nullptr : it->second);
    if (it != candidate_rules.end()) candidate_rules.erase(it);
  }
  for (const RuleFiring& rule : candidate.rule_firing) {
    if (candidate_rules.contains(rule.rule)) add(nullptr, &rule);
  }
  return comparison;
}

Json ToJson(const ReportComparison& comparison) {
  Json metrics = Json::array(), rules = Json::array();
  for (const MetricChange& m : comparison.metrics) {
    metrics.push_back({{"metric", m.metric},
                       {"current", Optional(m.current)},
                       {"candidate", Optional(m.candidate)},
                       {"change", Optional(m.change)}});
  }
  for (const RuleFiringChange& r : comparison.rules) {
    rules.push_back({{"rule", r.rule},
                     {"fired_current", r.fired_current},
                     {"fired_candidate", r.fired_candidate},
                     {"churn_rate_current", Optional(r.churn_rate_current)},
                     {"churn_rate_candidate", Optional(r.churn_rate_candidate)},
                     {"lift_current", Optional(r.lift_current)},
                     {"lift_candidate", Optional(r.lift_candidate)},
                     {"lift_change", Optional(r.lift_change)}});
  }
  return Json{{"same_rows", comparison.same_rows}, {"metrics", metrics}, {"rules", rules}};
}

}  // namespace churn::backtest
