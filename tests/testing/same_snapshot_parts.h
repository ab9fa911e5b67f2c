#pragma once
// What two signal snapshots hold besides their customer rows (the windows, the churn reasons,
// the retained usage and the load report), compared field by field, for the tests that check
// an incremental load against a fresh full one. Each test compares the rows its own way.

#include "dataset/dataset.h"
#include "dataset/table_schema.h"
#include "gtest/gtest.h"
#include "signals/signal_builder.h"

namespace churn::testing {

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
