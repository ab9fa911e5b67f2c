#include "backtest/backtest_report.h"

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace churn::backtest {
namespace {

using Json = nlohmann::ordered_json;

Json Optional(const std::optional<double>& value) { return value ? Json(*value) : Json(nullptr); }

Json Interval(const std::optional<ConfidenceInterval>& ci) {
  return ci ? Json::array({ci->low, ci->high}) : Json(nullptr);
}

Json ToJson(const ScoreEvaluation& e) {
  Json at_k = Json::object(), lift_at_k = Json::object();
  for (const AtK& at : e.at_k) {
    at_k[at.k] = Optional(at.precision);
    lift_at_k[at.k] = Optional(at.lift);
  }
  const LeadTime& lead = e.lead_time;
  return Json{{"roc_auc", Optional(e.roc_auc)},
              {"roc_auc_ci95", Interval(e.roc_auc_ci95)},
              {"pr_auc", Optional(e.pr_auc)},
              {"pr_auc_ci95", Interval(e.pr_auc_ci95)},
              {"precision_high", Optional(e.precision_high)},
              {"recall_high", Optional(e.recall_high)},
              {"f1_high", Optional(e.f1_high)},
              {"precision_high_medium", Optional(e.precision_high_medium)},
              {"recall_high_medium", Optional(e.recall_high_medium)},
              {"f1_high_medium", Optional(e.f1_high_medium)},
              {"precision_at_k", at_k},
              {"lift_at_k", lift_at_k},
              {"lead_time_days",
               {{"churned_customers", lead.churned_customers},
                {"caught_high", lead.caught_high},
                {"median", Optional(lead.median)},
                {"q1", Optional(lead.q1)},
                {"q3", Optional(lead.q3)},
                {"share_caught_30d", Optional(lead.share_caught_30d)}}}};
}

Json ToJson(const CalibrationBin& bin) {
  return Json{{"bin", bin.label},           {"rows", bin.rows},
              {"churned", bin.churned},     {"churn_rate", Optional(bin.churn_rate)},
              {"min_score", bin.min_score}, {"max_score", bin.max_score}};
}

std::string Number(const std::optional<double>& value, int decimals = 3) {
  return value ? absl::StrFormat("%.*f", decimals, *value) : std::string("-");
}

std::string Percent(const std::optional<double>& value) {
  return value ? absl::StrFormat("%.1f%%", 100 * *value) : std::string("-");
}

std::string IntervalText(const std::optional<ConfidenceInterval>& ci) {
  return ci ? absl::StrFormat("[%.3f, %.3f]", ci->low, ci->high) : std::string("-");
}

void WriteEvaluation(const std::string& title, const ScoreEvaluation& e, std::ostream& out) {
  out << title << "\n";
  out << absl::StrFormat("  ROC AUC            %s  95%% CI %s\n", Number(e.roc_auc),
                         IntervalText(e.roc_auc_ci95));
  out << absl::StrFormat("  PR AUC             %s  95%% CI %s\n", Number(e.pr_auc),
                         IntervalText(e.pr_auc_ci95));
  out << absl::StrFormat("  High               precision %s  recall %s  F1 %s\n",
                         Number(e.precision_high), Number(e.recall_high), Number(e.f1_high));
  out << absl::StrFormat("  High+Medium        precision %s  recall %s  F1 %s\n",
                         Number(e.precision_high_medium), Number(e.recall_high_medium),
                         Number(e.f1_high_medium));
  out << "  K (per date)       precision  lift\n";
  for (const AtK& at : e.at_k) {
    out << absl::StrFormat("  %-6s (%6d rows) %-9s  %s\n", at.k, at.rows, Number(at.precision),
                           Number(at.lift, 2));
  }
  const LeadTime& lead = e.lead_time;
  out << absl::StrFormat(
      "  Lead time          %d churned, %d High before "
      "churn; median %s days (q1 %s, q3 %s); "
      "caught >= 30 days ahead: %s\n\n",
      lead.churned_customers, lead.caught_high, Number(lead.median, 0), Number(lead.q1, 0),
      Number(lead.q3, 0), Percent(lead.share_caught_30d));
}

}  // namespace

Json ToJson(const BacktestReport& report) {
  Json dates = Json::array();
  for (size_t i = 0; i < report.as_of_dates.size(); ++i) {
    dates.push_back({{"as_of", dataset::FormatDate(report.as_of_dates[i])},
                     {"customers", report.rows_per_date[i]}});
  }
  Json firing = Json::array();
  for (const RuleFiring& rule : report.rule_firing) {
    firing.push_back({{"rule", rule.rule},
                      {"fired", rule.fired},
                      {"churned", rule.churned},
                      {"churn_rate", Optional(rule.churn_rate)},
                      {"lift", Optional(rule.lift)}});
  }
  Json levels = Json::array(), deciles = Json::array();
  for (const CalibrationBin& bin : report.level_calibration) levels.push_back(ToJson(bin));
  for (const CalibrationBin& bin : report.decile_calibration) deciles.push_back(ToJson(bin));
  return Json{
      {"base_rate", report.base_rate},
      {"informative", report.informative},
      {"informative_text", report.informative_text},
      {"horizon_days", report.horizon_days},
      {"step_days", report.step_days},
      {"as_of_dates", dates},
      {"data_end", report.data_end ? Json(dataset::FormatDate(*report.data_end)) : Json(nullptr)},
      {"rows", report.rows},
      {"customers", report.customers},
      {"churned_in_horizon", report.positives},
      {"rules", ToJson(report.rules)},
      // A trained model's evaluation on the same rows, with the same keys as
      // "rules"; null without a model.
      {"model", report.model ? ToJson(*report.model) : Json(nullptr)},
      {"model_note", report.model ? Json(report.model_note) : Json(nullptr)},
      {"rule_firing", firing},
      {"calibration", {{"levels", levels}, {"score_deciles", deciles}}},
  };
}

void WriteTable(const BacktestReport& report, std::ostream& out) {
  out << absl::StrFormat(
      "Backtest: %d as-of dates (%s .. %s, every %d days), horizon %d days\n",
      report.as_of_dates.size(),
      report.as_of_dates.empty() ? "-" : dataset::FormatDate(report.as_of_dates.front()),
      report.as_of_dates.empty() ? "-" : dataset::FormatDate(report.as_of_dates.back()),
      report.step_days, report.horizon_days);
  out << absl::StrFormat("Rows (customer x date): %d   customers: %d   churned in horizon: %d\n",
                         report.rows, report.customers, report.positives);
  out << absl::StrFormat("Base rate: %s\n", Percent(report.base_rate));
  out << absl::StrFormat("Informative: %s. %s\n\n", report.informative ? "yes" : "no",
                         report.informative_text);

  WriteEvaluation("Rules", report.rules, out);
  if (report.model) {
    WriteEvaluation(
        "Model (second opinion; its High / High+Medium: its top customers per date, as many as "
        "the rules flag)",
        *report.model, out);
    if (!report.model_note.empty()) out << "  " << report.model_note << "\n\n";
  }

  out << absl::StrFormat("%-28s %9s %9s %10s %6s\n", "Rule / tier", "fired", "churned",
                         "churn rate", "lift");
  for (const RuleFiring& rule : report.rule_firing) {
    out << absl::StrFormat("%-28s %9d %9d %10s %6s\n", rule.rule, rule.fired, rule.churned,
                           Percent(rule.churn_rate), Number(rule.lift, 2));
  }
  out << absl::StrFormat("\n%-12s %9s %9s %10s %11s\n", "Calibration", "rows", "churned",
                         "churn rate", "scores");
  for (const auto* bins : {&report.level_calibration, &report.decile_calibration}) {
    for (const CalibrationBin& bin : *bins) {
      out << absl::StrFormat("%-12s %9d %9d %10s %5.0f-%-5.0f\n", bin.label, bin.rows, bin.churned,
                             Percent(bin.churn_rate), bin.min_score, bin.max_score);
    }
  }
}

}  // namespace churn::backtest
