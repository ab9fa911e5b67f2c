#pragma once
// The at-risk pages' JSON from the rows on (AppendAtRiskPageRowsJson: rows, totals, tokens,
// movements), remembered for the last pages asked: between two refreshes every user of the
// dashboard asks for the same first pages again and again, and writing a page's rows is most
// of what a request costs. Only the freshness, which follows the clock, is written each time.
//
// A remembered text is served only for the very page it was written from: the same ViewSet and
// risk movements objects (compared by identity, held weakly, so an old ViewSet is freed as
// usual), the same rows, total, offset and page tokens. New views or movements simply miss.
// Bounded by kEntries pages and kMaxBytes of text (least recently used go first). Thread-safe.
//
// A page is remembered from its second request on: the first misses are only noted (a hash of
// the page among the last kNotedMisses), so a page asked once, such as a random page deep in the
// list, costs no copy of its text and evicts no page asked often (perf at 1M customers: the copy
// into fresh heap pages and the eviction's free were a fifth of such a request's CPU).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "at_risk_listing.h"
#include "concurrency/mutex.h"

namespace churn::gateway {

class AtRiskPageCache {
 public:
  static constexpr size_t kEntries = 32;
  static constexpr size_t kMaxBytes = size_t{16} << 20;
  static constexpr size_t kNotedMisses = 256;

  // Appends the whole page's JSON (AppendAtRiskPageJson's bytes) to *out, the rows' part
  // remembered or written and remembered.
  void AppendPageJson(const AtRiskListing& listing, std::string* out) ABSL_LOCKS_EXCLUDED(mu_);

  int64_t hits() const ABSL_LOCKS_EXCLUDED(mu_);
  int64_t misses() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Entry {
    std::weak_ptr<const viewsets::ViewSet> views;
    std::weak_ptr<const riskhistory::RiskMovements> movements;
    std::vector<const reports::ScoredCustomer*> rows;
    size_t total_matched = 0;
    size_t offset = 0;
    std::string next_page_token;
    std::string previous_page_token;
    std::shared_ptr<const std::string> json;
    uint64_t last_used = 0;
  };
  static bool IsPageOf(const Entry& entry, const AtRiskListing& listing);
  // What identifies a page among the noted misses (a collision only remembers a page early).
  static uint64_t PageHash(const AtRiskListing& listing);
  // The remembered rows' text of the page, else null; `worth_remembering` tells on a miss
  // whether the page missed before, among the last kNotedMisses misses (this one is noted).
  std::shared_ptr<const std::string> Find(const AtRiskListing& listing, bool* worth_remembering)
      ABSL_LOCKS_EXCLUDED(mu_);
  void Remember(const AtRiskListing& listing, std::shared_ptr<const std::string> json)
      ABSL_LOCKS_EXCLUDED(mu_);

  mutable concurrency::Mutex mu_;
  std::vector<Entry> entries_ ABSL_GUARDED_BY(mu_);
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<uint64_t> noted_misses_ ABSL_GUARDED_BY(mu_);  // a ring of PageHash values
  size_t next_noted_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t clock_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t hits_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t misses_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace churn::gateway
