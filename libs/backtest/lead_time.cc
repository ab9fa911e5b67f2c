#include "backtest/lead_time.h"

#include <utility>

#include "absl/container/flat_hash_map.h"
#include "backtest/ranking_metrics.h"

namespace churn::backtest {

LeadTime ComputeLeadTime(const std::vector<LeadTimeObservation>& observations) {
  // (customer, churn date) -> earliest as-of date on which it was High while
  // labelled churned.
  absl::flat_hash_map<std::pair<int32_t, dataset::Day>, std::optional<dataset::Day>> first_high;
  for (const LeadTimeObservation& o : observations) {
    if (!o.churned_in_horizon) continue;
    std::optional<dataset::Day>& first = first_high[{o.customer, o.churn_day}];
    if (o.high && (!first || o.as_of < *first)) first = o.as_of;
  }
  LeadTime lead;
  std::vector<double> days;
  int64_t caught_30d = 0;
  for (const auto& [key, first] : first_high) {
    ++lead.churned_customers;
    if (!first) continue;
    const double ahead = key.second - *first;
    days.push_back(ahead);
    caught_30d += ahead >= 30 ? 1 : 0;
  }
  lead.caught_high = static_cast<int64_t>(days.size());
  if (!days.empty()) {
    const Quartiles quartiles = QuartilesOf(days);
    lead.q1 = quartiles.q1;
    lead.median = quartiles.median;
    lead.q3 = quartiles.q3;
  }
  if (lead.churned_customers > 0) {
    lead.share_caught_30d =
        static_cast<double>(caught_30d) / static_cast<double>(lead.churned_customers);
  }
  return lead;
}

}  // namespace churn::backtest
