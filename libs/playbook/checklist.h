#pragma once
// The next-best-action checklist: a step-by-step plan for a CSM built from the rules that fired
// for a customer (schedule a check-in, confirm success criteria, activate key features, follow
// up in 7 days, ...). Each step comes from a fixed catalogue, so two rules asking for the same
// step produce it once, and the same customer always gets the same plan.

#include <string>
#include <vector>

#include "reports/scored_customer.h"

namespace churn::playbook {

struct ChecklistStep {
  int step = 0;         // 1-based position
  std::string id;       // catalogue id, e.g. "schedule_check_in"
  std::string title;
  std::string detail;   // why, with the customer's own numbers
  int due_in_days = 0;  // from today; sooner for higher risk
};

// Ordered by due day, then catalogue order; deduplicated by id. Fired rules the catalogue does
// not know (custom rule ids) still get a check-in about the reasons and the 7-day follow-up.
// A customer with no fired rule gets the single "maintain touchpoints" step.
std::vector<ChecklistStep> BuildChecklist(const reports::ScoredCustomer& customer);

}  // namespace churn::playbook
