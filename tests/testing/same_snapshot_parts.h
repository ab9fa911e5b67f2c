#pragma once
// What two signal snapshots hold, compared field by field, for the tests that check an
// incremental load against a fresh full one: a customer's signals, and the parts besides the
// customer rows (the windows, the churn reasons, the retained usage and the load report).

#include "dataset/dataset.h"
#include "dataset/table_schema.h"
#include "gtest/gtest.h"
#include "signals/signal_builder.h"

namespace churn::testing {

// Field by field, so a failure names the field, then whole (the long views too).
inline void ExpectSameCustomerSignals(const CustomerSignals& a, const CustomerSignals& b) {
  SCOPED_TRACE(b.customer_id);
  EXPECT_EQ(a.customer_id, b.customer_id);
  EXPECT_EQ(a.account_id, b.account_id);
  EXPECT_EQ(a.account_name, b.account_name);
  EXPECT_EQ(a.industry, b.industry);
  EXPECT_EQ(a.country, b.country);
  EXPECT_EQ(a.plan_tier, b.plan_tier);
  EXPECT_EQ(a.arr, b.arr);
  EXPECT_EQ(a.churned, b.churned);
  EXPECT_EQ(a.usage_30d, b.usage_30d);
  EXPECT_EQ(a.usage_prev30d, b.usage_prev30d);
  EXPECT_EQ(a.usage_drop_pct, b.usage_drop_pct);
  EXPECT_EQ(a.errors_30d, b.errors_30d);
  EXPECT_EQ(a.tickets_30d, b.tickets_30d);
  EXPECT_EQ(a.satisfaction_score, b.satisfaction_score);
  EXPECT_EQ(a.escalation_flag, b.escalation_flag);
  EXPECT_EQ(a.avg_first_response_min, b.avg_first_response_min);
  EXPECT_EQ(a.avg_resolution_hours, b.avg_resolution_hours);
  EXPECT_EQ(a.churn_intent_30d, b.churn_intent_30d);
  EXPECT_EQ(a.downgrade_flag, b.downgrade_flag);
  EXPECT_EQ(a.is_trial, b.is_trial);
  EXPECT_EQ(a.long_views.has_value(), b.long_views.has_value());
  EXPECT_TRUE(a == b) << "the long views differ";
}

inline void ExpectSameSnapshotParts(const SignalSnapshot& incremental, const SignalSnapshot& full) {
  EXPECT_EQ(incremental.usage_window_end, full.usage_window_end);
  EXPECT_EQ(incremental.support_window_end, full.support_window_end);
  EXPECT_EQ(incremental.churn_reason_counts, full.churn_reason_counts);
  EXPECT_EQ(incremental.usage_entries_retained, full.usage_entries_retained);
  for (dataset::Table table : dataset::kAllTables) {
    const dataset::TableStats& a = incremental.report.of(table);
    const dataset::TableStats& b = full.report.of(table);
    SCOPED_TRACE(b.file);
    EXPECT_EQ(a.table, b.table);
    EXPECT_EQ(a.file, b.file);
    EXPECT_EQ(a.rows, b.rows);
    EXPECT_EQ(a.rejected, b.rejected);
    EXPECT_EQ(a.bytes, b.bytes);
    EXPECT_EQ(a.parts, b.parts);
    EXPECT_EQ(a.warnings, b.warnings);
  }
}

}  // namespace churn::testing
