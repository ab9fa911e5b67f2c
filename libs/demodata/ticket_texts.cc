#include "demodata/ticket_texts.h"

#include <array>
#include <string_view>

namespace churn::demodata {
namespace {

struct Template {
  std::string_view subject;
  std::string_view body;
};

constexpr std::array<Template, 8> kCalm = {{
    {"How do I export reports?", "Hi team, how do I export the weekly report to CSV? Thanks."},
    {"Feature request: Slack alerts", "Would be great if you could add Slack notifications for alerts."},
    {"Invoice copy", "Could you send a copy of last month's invoice for our accounting team?"},
    {"Adding users", "We hired two people, how do we add seats to our plan?"},
    {"SSO setup", "We would like to set up SSO for our workspace. Is there a guide?"},
    {"Thanks for the webinar", "Thanks for the training session last week, it was very helpful."},
    {"API rate limits", "What are the API rate limits on our plan? We are planning an integration."},
    {"Password reset", "One of our users cannot reset their password, the email never arrives."},
}};

constexpr std::array<Template, 7> kTroubled = {{
    {"Dashboard keeps crashing", "The dashboard crashes every time we open the analytics tab. This is the third time this week."},
    {"Sync failing again", "The nightly sync failed again and our data is out of date. We are frustrated."},
    {"Very slow performance", "Pages take forever to load since the last update, timeouts on large projects."},
    {"Errors on export", "Exports fail with an error. Still not fixed after our last ticket."},
    {"No response to our ticket", "We have been waiting four days for an answer. This is unacceptable."},
    {"Integration broken", "The Salesforce integration stopped working after your release."},
    {"Billing mistake", "We were charged twice on the last invoice, please refund the duplicate."},
}};

constexpr std::array<Template, 6> kLeaving = {{
    {"Renewal quote", "Our renewal quote is beyond our budget. We may downgrade or cancel if we cannot find a better price."},
    {"Considering alternatives", "Given the ongoing issues we are evaluating alternatives and will likely switch to a competitor."},
    {"Cancellation request", "Please tell us how to cancel our subscription at the end of the term."},
    {"Not renewing", "Unless the reporting problems are fixed this month we will not renew."},
    {"Closing our account", "We have decided to close our account. Please advise on exporting our data."},
    {"Too expensive", "The price increase is too expensive for a team our size. We plan to stop using the product."},
}};

template <size_t N>
TicketText Pick(Rng& rng, const std::array<Template, N>& templates) {
  const Template& chosen = templates[rng.UniformInt(0, static_cast<int64_t>(N) - 1)];
  return {std::string(chosen.subject), std::string(chosen.body)};
}

}  // namespace

TicketText MakeTicketText(Rng& rng, bool troubled, bool leaving) {
  if (troubled && leaving && rng.Chance(0.35)) return Pick(rng, kLeaving);
  if (troubled) return Pick(rng, kTroubled);
  return Pick(rng, kCalm);
}

}  // namespace churn::demodata
