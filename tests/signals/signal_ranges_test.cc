// The one range check of signals (libs/signals/signal_ranges.h) and the merge of churn intent.
#include "signals/signal_ranges.h"

#include <limits>

#include "gtest/gtest.h"
#include "signals/churn_intent_merge.h"

namespace churn::signals {
namespace {

CustomerSignals Valid() {
  CustomerSignals signals;
  signals.customer_id = "S-1";
  signals.arr = 1200;
  signals.usage_drop_pct = 0.5;
  signals.satisfaction_score = 3;
  return signals;
}

TEST(SignalRanges, ValidSignalsPass) {
  EXPECT_TRUE(CheckSignalRanges(Valid(), "signals").ok());
  CustomerSignals edges = Valid();
  edges.usage_drop_pct = 1;
  edges.satisfaction_score = 1;
  EXPECT_TRUE(CheckSignalRanges(edges, "").ok());
}

TEST(SignalRanges, TheFirstBadFieldIsNamedWithItsPath) {
  CustomerSignals signals = Valid();
  signals.usage_30d = -5;
  signals.errors_30d = -1;
  absl::Status status = CheckSignalRanges(signals, "customers[3]");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "customers[3].usage_30d: must be >= 0, got -5");

  signals = Valid();
  signals.satisfaction_score = 9;
  EXPECT_EQ(CheckSignalRanges(signals, "signals").message(),
            "signals.satisfaction_score: must be within [1, 5], got 9");
  signals = Valid();
  signals.arr = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(CheckSignalRanges(signals, "").message(), "arr: must be a finite number, got nan");
  signals = Valid();
  signals.customer_id = "  ";
  EXPECT_EQ(CheckSignalRanges(signals, "").message(), "customer_id: must not be empty");
}

TEST(SignalRanges, TheLoaderAndTheRpcsShareTheSatisfactionScale) {
  EXPECT_TRUE(kSatisfactionScoreRange.Contains(1));
  EXPECT_TRUE(kSatisfactionScoreRange.Contains(5));
  EXPECT_FALSE(kSatisfactionScoreRange.Contains(0.99));
  EXPECT_FALSE(kSatisfactionScoreRange.Contains(5.01));
}

TEST(MergeChurnIntent, RaisesOnlyTheCustomersWithMoreFlaggedTickets) {
  std::vector<CustomerSignals> customers(3);
  customers[0].customer_id = "S-1";
  customers[1].customer_id = "S-2";
  customers[1].churn_intent_30d = 5;
  customers[2].customer_id = "S-3";
  MergeChurnIntent({{"S-1", 2}, {"S-2", 1}, {"S-9", 4}}, customers);
  EXPECT_EQ(customers[0].churn_intent_30d, 2);
  EXPECT_EQ(customers[1].churn_intent_30d, 5) << "a higher count is kept";
  EXPECT_EQ(customers[2].churn_intent_30d, 0);
}

}  // namespace
}  // namespace churn::signals
