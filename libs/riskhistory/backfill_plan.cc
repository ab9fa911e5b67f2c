#include "riskhistory/backfill_plan.h"

#include <algorithm>

namespace churn::riskhistory {

std::vector<dataset::Day> BackfillDates(dataset::Day latest, int span_days,
                                        const std::vector<dataset::Day>& stored, int step_days) {
  std::vector<dataset::Day> dates;
  if (step_days <= 0) return dates;
  for (int back = step_days; back <= span_days; back += step_days) {
    const dataset::Day day = latest - back;
    if (std::find(stored.begin(), stored.end(), day) == stored.end()) dates.push_back(day);
  }
  return dates;
}

}  // namespace churn::riskhistory
