#include "signals/usage_windows.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <utility>

namespace churn {

using dataset::Day;

UsageWindows::UsageWindows(std::optional<Day> fixed_end) : fixed_end_(fixed_end) {}

UsageWindows::Ring& UsageWindows::RingOf(int32_t subscription, Day first_day) {
  const auto index = static_cast<size_t>(subscription);
  if (index >= ring_of_.size()) ring_of_.resize(std::max(index + 1, ring_of_.size() * 2), -1);
  int32_t& ring = ring_of_[index];
  if (ring < 0) {
    if (used_in_last_block_ == kRingsPerBlock) {
      blocks_.push_back(std::make_unique<RingBlock>());
      used_in_last_block_ = 0;
    }
    ring = static_cast<int32_t>(blocks_.size() - 1) * kRingsPerBlock + used_in_last_block_++;
    ++ring_count_;
    RingAt(ring).latest = first_day;
  }
  return RingAt(ring);
}

void UsageWindows::Advance(Ring& ring, Day day) {
  if (day - ring.latest >= kUsageDays) {
    ring.usage.fill(0);
    ring.errors.fill(0);
  } else {
    for (Day d = ring.latest + 1; d <= day; ++d) {
      ring.usage[static_cast<uint32_t>(d) % kUsageDays] = 0;
      ring.errors[static_cast<uint32_t>(d) % kErrorDays] = 0;
    }
  }
  ring.latest = day;
}

void UsageWindows::AddToCell(uint32_t& cell, int64_t amount, int64_t DailyUsage::*field,
                             int32_t subscription, Day day) {
  if (amount >= 0 && amount <= static_cast<int64_t>(std::numeric_limits<uint32_t>::max() - cell)) {
    cell += static_cast<uint32_t>(amount);
  } else {
    overflow_[Key(subscription, day)].*field += amount;
  }
}

void UsageWindows::AddDay(int32_t subscription, Ring& ring, Day day, int64_t usage,
                          int64_t errors) {
  if (day > ring.latest) Advance(ring, day);
  // Older than the ring: before this subscription's latest day - 63, so before E - 60.
  if (day <= ring.latest - kUsageDays) return;
  AddToCell(ring.usage[static_cast<uint32_t>(day) % kUsageDays], usage, &DailyUsage::usage,
            subscription, day);
  if (day > ring.latest - kErrorDays) {
    AddToCell(ring.errors[static_cast<uint32_t>(day) % kErrorDays], errors, &DailyUsage::errors,
              subscription, day);
  }
}

void UsageWindows::Add(const dataset::UsageRecord& record) {
  const Day day = record.day;
  if (fixed_end_ && (day > *fixed_end_ || day < *fixed_end_ - 2 * kWindowDays)) return;
  if (record.subscription_index < 0) return;
  AddDay(record.subscription_index, RingOf(record.subscription_index, day), day, record.usage_count,
         record.error_count);
}

std::unique_ptr<dataset::UsageSink> UsageWindows::NewPart() const {
  return std::make_unique<UsageWindows>(fixed_end_);
}

void UsageWindows::MergePart(dataset::UsageSink& sink) {
  auto* part = dynamic_cast<UsageWindows*>(&sink);
  if (part == nullptr) std::abort();  // a part comes from NewPart of the same kind
  // A subscription only the part has takes the part's ring as it is (its block is taken over
  // below); one both have gets the part's days added to its ring.
  const int32_t offset = static_cast<int32_t>(blocks_.size()) * kRingsPerBlock;
  if (ring_of_.size() < part->ring_of_.size()) ring_of_.resize(part->ring_of_.size(), -1);
  for (size_t subscription = 0; subscription < part->ring_of_.size(); ++subscription) {
    if (part->ring_of_[subscription] < 0) continue;
    if (ring_of_[subscription] < 0) {
      ring_of_[subscription] = part->ring_of_[subscription] + offset;
      ++ring_count_;
      continue;
    }
    const Ring& from = part->RingAt(part->ring_of_[subscription]);
    const auto index = static_cast<int32_t>(subscription);
    Ring& into = RingAt(ring_of_[subscription]);
    if (from.latest > into.latest) Advance(into, from.latest);
    for (Day day = from.latest - kUsageDays + 1; day <= from.latest; ++day) {
      if (day <= into.latest - kUsageDays) continue;
      const uint32_t usage = from.usage[static_cast<uint32_t>(day) % kUsageDays];
      if (usage != 0) {
        AddToCell(into.usage[static_cast<uint32_t>(day) % kUsageDays], usage, &DailyUsage::usage,
                  index, day);
      }
      if (day > from.latest - kErrorDays && day > into.latest - kErrorDays) {
        const uint32_t errors = from.errors[static_cast<uint32_t>(day) % kErrorDays];
        if (errors != 0) {
          AddToCell(into.errors[static_cast<uint32_t>(day) % kErrorDays], errors,
                    &DailyUsage::errors, index, day);
        }
      }
    }
  }
  for (std::unique_ptr<RingBlock>& block : part->blocks_) blocks_.push_back(std::move(block));
  used_in_last_block_ = part->used_in_last_block_;
  part->blocks_.clear();
  part->ring_of_.clear();
  part->ring_count_ = 0;
  part->used_in_last_block_ = kRingsPerBlock;
  if (overflow_.empty()) {
    overflow_ = std::move(part->overflow_);
  } else {
    for (const auto& [key, daily] : part->overflow_) {
      DailyUsage& total = overflow_[key];
      total.usage += daily.usage;
      total.errors += daily.errors;
    }
  }
  part->overflow_.clear();
}

std::vector<UsageTotals> UsageWindows::Totals(Day end, size_t subscription_count) const {
  std::vector<UsageTotals> totals(subscription_count);
  const Day last_start = end - kWindowDays;       // [E-30d, E]
  const Day prior_start = end - 2 * kWindowDays;  // [E-60d, E-30d)
  const size_t held = std::min(subscription_count, ring_of_.size());
  for (size_t subscription = 0; subscription < held; ++subscription) {
    if (ring_of_[subscription] < 0) continue;
    const Ring& ring = RingAt(ring_of_[subscription]);
    UsageTotals& total = totals[subscription];
    const Day first = std::max(prior_start, ring.latest - kUsageDays + 1);
    for (Day day = first; day <= std::min(end, ring.latest); ++day) {
      const uint32_t usage = ring.usage[static_cast<uint32_t>(day) % kUsageDays];
      if (day >= last_start) {
        total.usage_30d += usage;
        if (day > ring.latest - kErrorDays) {
          total.errors_30d += ring.errors[static_cast<uint32_t>(day) % kErrorDays];
        }
      } else {
        total.usage_prev30d += usage;
      }
    }
  }
  for (const auto& [key, daily] : overflow_) {
    const auto subscription = static_cast<int32_t>(key >> 32);
    const auto day = static_cast<Day>(static_cast<uint32_t>(key));
    if (subscription < 0 || static_cast<size_t>(subscription) >= subscription_count) continue;
    UsageTotals& total = totals[static_cast<size_t>(subscription)];
    if (day >= last_start && day <= end) {
      total.usage_30d += daily.usage;
      total.errors_30d += daily.errors;
    } else if (day >= prior_start && day < last_start) {
      total.usage_prev30d += daily.usage;
    }
  }
  return totals;
}

}  // namespace churn
