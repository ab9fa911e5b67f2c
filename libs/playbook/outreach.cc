#include "playbook/outreach.h"

#include <cmath>
#include <set>
#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace churn::playbook {
namespace {

// What the customer reads for a rule, and what the email proposes; in the email's order
// (the most actionable theme first). Rule ids are those of config/scoring.yaml.
struct Theme {
  const char* rule;
  const char* subject;      // after "<account>: "
  const char* observation;  // one customer-facing sentence
  const char* proposal;     // one bullet
};

const std::vector<Theme>& Themes() {
  static const std::vector<Theme> themes = {
      {"churn_intent", "a quick value review for your team",
       "We would like to walk through the value your team gets today and where we can do "
       "better.",
       "A value review: the results so far, quick wins, and a 2-week success plan"},
      {"usage_drop", "let's make sure the product is working for your team",
       "We noticed your team's activity dropped over the last month, and we want to help you "
       "get full value again.",
       "A short check-in to reset goals and pick 1-2 features to activate this week"},
      {"support_load", "a plan to resolve your open issues",
       "You have opened several support tickets recently, and we want to make sure each one is "
       "fully resolved.",
       "A clear resolution plan for every open ticket, with owners and dates"},
      {"escalation", "closing the loop on your escalated ticket",
       "One of your recent tickets needed an escalation, and we want to close the loop with you "
       "personally.",
       "A review of the escalated issue and what we are changing so it does not repeat"},
      {"error_volume", "the errors your team ran into",
       "Your team ran into more product errors than usual lately; we are reviewing them with "
       "our engineers.",
       "A walkthrough of the errors we found and the fixes or workarounds"},
      {"satisfaction", "following up on your recent support experience",
       "Your recent feedback tells us we have not met your expectations, and we want to fix "
       "that.",
       "Proactive support from our team for the next 7 days"},
      {"downgrade", "making sure your plan fits your needs",
       "We saw that your plan changed recently and would like to understand what would make it "
       "a better fit.",
       "A short call about what is missing, and training for your key workflows"},
      {"trial", "getting the most out of your trial",
       "You are on a trial, and we would like to help you reach your goals before it ends.",
       "A guided onboarding session and a checklist of milestones"},
  };
  return themes;
}

std::string AccountLabel(const CustomerSignals& s) {
  return s.account_name.empty() ? s.customer_id : s.account_name;
}

std::string PlanLabel(const CustomerSignals& s) {
  return s.plan_tier.empty() ? std::string("your") : absl::StrCat("your ", s.plan_tier);
}

}  // namespace

std::string FormatArr(double arr) {
  if (!std::isfinite(arr)) arr = 0;
  const bool negative = arr < 0;
  const auto whole = static_cast<int64_t>(std::floor(std::fabs(arr) + 0.5));
  std::string digits = absl::StrCat(whole);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped.push_back(',');
    grouped.push_back(digits[i]);
  }
  return absl::StrCat(negative ? "-$" : "$", grouped);
}

OutreachDraft BuildOutreach(const reports::ScoredCustomer& customer,
                            const OutreachOptions& options) {
  const CustomerSignals& s = customer.signals;
  const scoring::Assessment& a = customer.assessment;
  const std::string account = AccountLabel(s);
  const bool strategic = s.arr >= options.strategic_arr;

  std::set<std::string_view> fired;
  for (const scoring::FiredRule& rule : a.fired_rules) fired.insert(rule.rule);
  std::vector<const Theme*> themes;
  for (const Theme& theme : Themes()) {
    if (fired.count(theme.rule) > 0) themes.push_back(&theme);
  }

  OutreachDraft draft;
  draft.email_subject =
      themes.empty() ? absl::StrCat(account, ": checking in on ", PlanLabel(s), " plan")
                     : absl::StrCat(account, ": ", themes.front()->subject);

  std::string body = absl::StrCat("Hi ", account, " team,\n\n",
                                  "I am reaching out as your Customer Success contact for ",
                                  PlanLabel(s), " subscription.");
  if (themes.empty()) {
    absl::StrAppend(&body, " I would like to hear how things are going and whether there is "
                           "anything we can help with.\n");
  } else {
    // Two observations are enough for an email; the checklist has the rest.
    for (size_t i = 0; i < themes.size() && i < 2; ++i) {
      absl::StrAppend(&body, " ", themes[i]->observation);
    }
    absl::StrAppend(&body, "\n\nHere is what I suggest:\n");
    for (size_t i = 0; i < themes.size() && i < 3; ++i) {
      absl::StrAppend(&body, "- ", themes[i]->proposal, "\n");
    }
  }
  if (strategic) {
    absl::StrAppend(&body, "\nGiven the size of your team's investment, I will also bring in a "
                           "senior member of our team.\n");
  }
  const bool urgent = a.risk_level == scoring::RiskLevel::kHigh;
  absl::StrAppend(&body, "\nWould you have 30 minutes ",
                  urgent ? "in the next two days" : "this week",
                  "? Reply with a time that suits you and I will send an invite.\n\n",
                  "Best regards,\n", options.sender_placeholder, "\n");
  draft.email_body = std::move(body);

  std::string slack = absl::StrCat("[", std::string(scoring::RiskLevelName(a.risk_level)), " risk ",
                                   a.risk_score, "/100] ", account, " (", s.customer_id, ", ",
                                   s.plan_tier.empty() ? "no plan" : s.plan_tier, ", ARR ",
                                   FormatArr(s.arr), strategic ? ", strategic" : "", ")");
  if (!a.reasons.empty()) absl::StrAppend(&slack, ": ", JoinTexts(a.reasons, "; "), ".");
  if (!a.actions.empty()) absl::StrAppend(&slack, " Next: ", a.actions.front().str(), ".");
  if (s.churned) absl::StrAppend(&slack, " (Account has a churn event.)");
  draft.slack_message = std::move(slack);
  return draft;
}

}  // namespace churn::playbook
