#pragma once
// Outreach drafts for a customer at risk: an email to the customer and a short Slack message for
// the internal channel. Built from templates, the plan tier, ARR, the fired rules and the
// recommended actions: no language model, the same customer always gets the same text.
// The email speaks to the customer (it never mentions scores or "cancellation risk"); the
// Slack message speaks to colleagues and carries the score, reasons and next action.

#include <string>

#include "reports/scored_customer.h"

namespace churn::playbook {

struct OutreachOptions {
  // From this ARR on, the email offers a senior sponsor and Slack tags the account strategic.
  double strategic_arr = 25000;
  std::string sender_placeholder = "[Your name]";
};

struct OutreachDraft {
  std::string email_subject;
  std::string email_body;
  std::string slack_message;
};

OutreachDraft BuildOutreach(const reports::ScoredCustomer& customer,
                            const OutreachOptions& options = {});

// "$12,000": whole dollars with thousands separators (half a dollar rounds up).
std::string FormatArr(double arr);

}  // namespace churn::playbook
