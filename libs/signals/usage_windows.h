#pragma once
// Streaming aggregation of usage into the two 30-day windows.
//
// The window end E (the latest usage date) is only known after the last row, so rows are
// summed per (subscription, day). Any day older than (latest seen - 60) can never fall in a
// window, so those entries are pruned as the latest date advances: memory stays bounded by
// subscriptions x 61 days, however many usage rows stream through.

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "dataset/dataset.h"

namespace churn {

// Window lengths of docs/PRODUCT.md "Signals": last 30 days [E-30d, E], prior 30 days
// [E-60d, E-30d).
inline constexpr int kWindowDays = 30;

struct UsageTotals {
  int64_t usage_30d = 0;
  int64_t usage_prev30d = 0;
  int64_t errors_30d = 0;
};

class UsageWindows : public dataset::UsageSink {
 public:
  // With `fixed_end` (an as-of date) rows outside [end-60d, end] are dropped on arrival.
  explicit UsageWindows(std::optional<dataset::Day> fixed_end = std::nullopt);

  void Add(const dataset::UsageRecord& record) override;

  // Totals per subscription index for windows ending at `end`.
  std::vector<UsageTotals> Totals(dataset::Day end, size_t subscription_count) const;

  // (subscription, day) entries currently held; bounded as described above.
  size_t retained_entries() const { return daily_.size(); }

 private:
  struct DailyUsage {
    int64_t usage = 0;
    int64_t errors = 0;
  };
  static uint64_t Key(int32_t subscription, dataset::Day day) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(subscription)) << 32) |
           static_cast<uint32_t>(day);
  }
  void PruneBefore(dataset::Day first_kept_day);

  std::optional<dataset::Day> fixed_end_;
  std::optional<dataset::Day> latest_day_;
  dataset::Day pruned_before_ = INT32_MIN;
  size_t size_after_last_prune_ = 0;
  absl::flat_hash_map<uint64_t, DailyUsage> daily_;
};

}  // namespace churn
