#include "playbook/checklist.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace churn::playbook {
namespace {

using scoring::RiskLevel;

// The rule ids of config/scoring.yaml that the catalogue reacts to.
constexpr std::string_view kUsageDrop = "usage_drop";
constexpr std::string_view kSupportLoad = "support_load";
constexpr std::string_view kErrorVolume = "error_volume";
constexpr std::string_view kChurnIntent = "churn_intent";
constexpr std::string_view kSatisfaction = "satisfaction";
constexpr std::string_view kEscalation = "escalation";
constexpr std::string_view kDowngrade = "downgrade";
constexpr std::string_view kTrial = "trial";

struct StepTemplate {
  std::string_view id;
  std::string_view title;
  // Due in days for High, Medium and Low risk: urgent customers are contacted sooner.
  std::array<int, 3> due_by_level;
  // Rules any of which asks for the step.
  std::vector<std::string_view> triggers;
};

// Catalogue order breaks ties between steps due the same day.
const std::vector<StepTemplate>& Catalogue() {
  static const std::vector<StepTemplate> catalogue = {
      {"schedule_check_in", "Schedule a check-in to reset goals", {1, 2, 5},
       {kUsageDrop, kChurnIntent}},
      {"confirm_resolution_plan", "Confirm the resolution plan for open tickets", {1, 2, 3},
       {kSupportLoad, kEscalation}},
      {"review_errors", "Review the recent product errors with support", {1, 2, 3},
       {kErrorVolume}},
      {"recovery_plan", "Follow up on dissatisfaction with a recovery plan", {1, 2, 3},
       {kSatisfaction}},
      {"value_review", "Offer a value review (ROI + quick wins)", {2, 3, 5}, {kChurnIntent}},
      {"value_gap_call", "Run a value-gap call to understand missing needs", {2, 3, 5},
       {kDowngrade}},
      {"guided_onboarding", "Offer a guided onboarding session", {2, 3, 5}, {kTrial}},
      {"confirm_success_criteria", "Confirm success criteria", {3, 5, 7},
       {kUsageDrop, kChurnIntent, kDowngrade, kTrial}},
      {"escalate_repeat_issues", "Escalate repeat issues with a clear timeline", {3, 5, 7},
       {kSupportLoad, kEscalation, kErrorVolume}},
      {"activate_key_features", "Activate 1-2 key features this week", {5, 7, 7},
       {kUsageDrop, kTrial, kDowngrade}},
      {"follow_up", "Follow up in 7 days", {7, 7, 7}, {}},
  };
  return catalogue;
}

int LevelIndex(RiskLevel level) {
  switch (level) {
    case RiskLevel::kHigh: return 0;
    case RiskLevel::kMedium: return 1;
    case RiskLevel::kLow: return 2;
  }
  return 2;
}

// "1 ticket", "6 tickets".
std::string Count(int64_t n, std::string_view noun) {
  return absl::StrCat(n, " ", std::string(noun), n == 1 ? "" : "s");
}

std::string Percent(double fraction) {
  return absl::StrCat(static_cast<int64_t>(std::floor(fraction * 100 + 0.5)));
}

std::string Detail(std::string_view id, const reports::ScoredCustomer& customer) {
  const CustomerSignals& s = customer.signals;
  if (id == "schedule_check_in") {
    if (s.usage_prev30d > 0 && s.usage_drop_pct > 0) {
      return absl::StrCat("Usage fell ", Percent(s.usage_drop_pct), "% (", s.usage_prev30d,
                          " -> ", s.usage_30d,
                          " events, 30d vs prior). Book 30 minutes with the account owner.");
    }
    return absl::StrCat("Book 30 minutes with the account owner about: ",
                        customer.assessment.top_reasons.str(), ".");
  }
  if (id == "confirm_resolution_plan") {
    return absl::StrCat(Count(s.tickets_30d, "ticket"), " in the last 30 days",
                        s.escalation_flag ? ", at least one escalated" : "",
                        ". Agree an owner and a date for every open issue.");
  }
  if (id == "review_errors") {
    return absl::StrCat(Count(s.errors_30d, "product error"),
                        " in the last 30 days. Get the top causes from support before the call.");
  }
  if (id == "recovery_plan") {
    std::string score = s.satisfaction_score ? absl::StrFormat("%.1f/5", *s.satisfaction_score)
                                             : std::string("low");
    return absl::StrCat("Recent ticket satisfaction is ", score,
                        ". Acknowledge it and offer proactive support for the next 7 days.");
  }
  if (id == "value_review") {
    return absl::StrCat("Ticket language suggests cancellation risk (",
                        Count(s.churn_intent_30d, "ticket"), " in 30d). Prepare ROI figures and "
                        "quick wins.");
  }
  if (id == "value_gap_call") {
    return "The subscription was downgraded recently. Ask what is missing before the next "
           "renewal.";
  }
  if (id == "guided_onboarding") {
    return "Trial account: walk the team through setup and their first milestones.";
  }
  if (id == "confirm_success_criteria") {
    return absl::StrCat("Agree 2-3 measurable outcomes the team expects from the ", s.plan_tier,
                        " plan, with dates.");
  }
  if (id == "escalate_repeat_issues") {
    return "If issues repeat, escalate to the product team with a clear timeline and tell the "
           "customer.";
  }
  if (id == "activate_key_features") {
    return "Recommend 1-2 features that match the success criteria and help the team turn "
           "them on.";
  }
  if (id == "follow_up") {
    return "Check usage, tickets and satisfaction again, then log the outcome.";
  }
  return "";
}

}  // namespace

std::vector<ChecklistStep> BuildChecklist(const reports::ScoredCustomer& customer) {
  const std::vector<scoring::FiredRule>& fired = customer.assessment.fired_rules;
  if (fired.empty()) {
    return {ChecklistStep{1, "maintain_touchpoints",
                          "Maintain regular touchpoints and monitor health signals",
                          "No risk rule fired. Keep the regular cadence and watch the signals.",
                          30}};
  }
  std::set<std::string_view> fired_ids;
  for (const scoring::FiredRule& rule : fired) fired_ids.insert(rule.rule);

  struct Chosen {
    size_t catalogue_index;
    int due;
  };
  std::vector<Chosen> chosen;
  const std::vector<StepTemplate>& catalogue = Catalogue();
  const int level = LevelIndex(customer.assessment.risk_level);
  bool any_known = false;
  for (size_t i = 0; i < catalogue.size(); ++i) {
    const StepTemplate& step = catalogue[i];
    const bool wanted = std::any_of(step.triggers.begin(), step.triggers.end(),
                                    [&](std::string_view id) { return fired_ids.count(id) > 0; });
    if (wanted) {
      any_known = true;
      chosen.push_back({i, step.due_by_level[level]});
    }
  }
  if (!any_known) chosen.push_back({0, catalogue[0].due_by_level[level]});  // check-in
  chosen.push_back({catalogue.size() - 1, catalogue.back().due_by_level[level]});  // follow-up

  std::stable_sort(chosen.begin(), chosen.end(), [](const Chosen& a, const Chosen& b) {
    return a.due != b.due ? a.due < b.due : a.catalogue_index < b.catalogue_index;
  });
  std::vector<ChecklistStep> steps;
  for (const Chosen& c : chosen) {
    const StepTemplate& step = catalogue[c.catalogue_index];
    steps.push_back(ChecklistStep{static_cast<int>(steps.size()) + 1, std::string(step.id),
                                  std::string(step.title), Detail(step.id, customer), c.due});
  }
  return steps;
}

}  // namespace churn::playbook
