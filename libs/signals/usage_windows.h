#pragma once
// Streaming aggregation of usage into the two 30-day windows.
//
// The window end E (the latest usage date) is only known after the last row, so usage is summed
// per (subscription, day) in a dense array per subscription: a ring of the 64 days up to the
// latest day that subscription has seen (errors: 32 days). A day that falls out of its ring is
// older than that subscription's latest day - 63, hence older than E - 60, and can never count.
// Memory is one ring per subscription with usage, however many rows stream through.
//
// Several threads may load one usage file (dataset/loader.h): each fills a part (NewPart), and
// the parts are merged back in file order (MergePart); the totals do not depend on the order.

#include <array>
#include <cstdint>
#include <memory>
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
  static constexpr int kUsageDays = 64;  // >= 2 * kWindowDays + 1 days of usage
  static constexpr int kErrorDays = 32;  // >= kWindowDays + 1 days of errors
  static constexpr size_t kCellsPerSubscription = kUsageDays + kErrorDays;

  // With `fixed_end` (an as-of date) rows outside [end-60d, end] are dropped on arrival.
  explicit UsageWindows(std::optional<dataset::Day> fixed_end = std::nullopt);

  void Add(const dataset::UsageRecord& record) override;
  std::unique_ptr<dataset::UsageSink> NewPart() const override;
  void MergePart(dataset::UsageSink& part) override;

  // Totals per subscription index for windows ending at `end` (E, or the fixed end).
  std::vector<UsageTotals> Totals(dataset::Day end, size_t subscription_count) const;

  // Day cells currently held: kCellsPerSubscription per subscription with usage.
  size_t retained_entries() const { return ring_count_ * kCellsPerSubscription; }

 private:
  // Cells are 32-bit (half the memory of 64-bit ones); an amount that does not fit goes to
  // overflow_, keyed by (subscription, day), which Totals adds back.
  struct Ring {
    dataset::Day latest = 0;
    std::array<uint32_t, kUsageDays> usage{};
    std::array<uint32_t, kErrorDays> errors{};
  };
  struct DailyUsage {
    int64_t usage = 0;
    int64_t errors = 0;
  };
  static uint64_t Key(int32_t subscription, dataset::Day day) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(subscription)) << 32) |
           static_cast<uint32_t>(day);
  }
  // Rings live in fixed blocks, so they never move: adding rings copies no array (which would
  // briefly hold it twice), and a part's blocks are taken over whole when it is merged. A ring's
  // index is its block * kRingsPerBlock + its place in the block (a block may end unused).
  static constexpr int32_t kRingsPerBlock = 1024;
  using RingBlock = std::array<Ring, kRingsPerBlock>;
  Ring& RingAt(int32_t ring) const {
    return (*blocks_[static_cast<size_t>(ring / kRingsPerBlock)])[ring % kRingsPerBlock];
  }
  Ring& RingOf(int32_t subscription, dataset::Day first_day);
  // Moves the ring's latest day to `day`, clearing the cells of the days it passes.
  static void Advance(Ring& ring, dataset::Day day);
  void AddToCell(uint32_t& cell, int64_t amount, int64_t DailyUsage::*field, int32_t subscription,
                 dataset::Day day);
  void AddDay(int32_t subscription, Ring& ring, dataset::Day day, int64_t usage, int64_t errors);

  std::optional<dataset::Day> fixed_end_;
  std::vector<int32_t> ring_of_;  // subscription index -> ring index, -1 without usage
  std::vector<std::unique_ptr<RingBlock>> blocks_;
  int32_t used_in_last_block_ = kRingsPerBlock;
  size_t ring_count_ = 0;  // rings some subscription refers to
  absl::flat_hash_map<uint64_t, DailyUsage> overflow_;
};

}  // namespace churn
