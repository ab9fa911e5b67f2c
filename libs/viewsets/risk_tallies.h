#pragma once
// The counts behind the per-segment risk tables and the Drivers view: per segment value (plan
// tier, industry, country) the customers by risk level and their summed scores, and per rule the
// customers for whom it is among the top reasons. Integers only, so removing a changed customer's
// row and adding its new one gives exactly the tallies of counting every row again.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "reports/scored_customer.h"
#include "reports/summary.h"
#include "viewsets/at_risk_rows.h"
#include "viewsets/segments.h"

namespace churn::viewsets {

class RiskTallies {
 public:
  // Every row counted in: hashed while counting, sorted once (Count on each row would search
  // the sorted maps a million times).
  static RiskTallies Of(const AtRiskRows& rows);
  // `sign`: +1 counts the row in, -1 takes it out again.
  void Count(const reports::ScoredCustomer& row, int sign);

  // As SummarizeSegments over the rows counted.
  std::vector<reports::SegmentRisk> Segments(SegmentKind kind) const;
  // As reports::SummarizeDrivers over the rows counted.
  reports::DriversSummary Drivers(const std::map<std::string, int64_t>& churn_reason_counts,
                                  const std::map<std::string, std::string>& rule_labels) const;

 private:
  struct Tally {
    int64_t customers = 0, high = 0, medium = 0, low = 0;
    int64_t score_sum = 0;
  };
  std::map<std::string, Tally, std::less<>> segments_[3];  // indexed by SegmentKind
  std::map<std::string, int64_t, std::less<>> drivers_;    // rule id -> customers
};

}  // namespace churn::viewsets
