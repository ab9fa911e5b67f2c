#include "at_risk_page_cache.h"

#include <algorithm>
#include <utility>

#include "absl/hash/hash.h"
#include "at_risk_page_json.h"

namespace churn::gateway {
namespace {

// The same object (its control block), whether or not it still lives: a live shared_ptr and a
// weak_ptr share an owner only when they refer to the very same object.
template <typename T>
bool SameOwner(const std::weak_ptr<const T>& held, const std::shared_ptr<const T>& current) {
  return !held.owner_before(current) && !current.owner_before(held);
}

}  // namespace

bool AtRiskPageCache::IsPageOf(const Entry& entry, const AtRiskListing& listing) {
  const viewsets::AtRiskPage& page = listing.page;
  return entry.offset == page.offset && entry.total_matched == page.total_matched &&
         entry.rows == page.customers && SameOwner(entry.views, listing.views) &&
         SameOwner(entry.movements, listing.movements) &&
         entry.next_page_token == listing.next_page_token &&
         entry.previous_page_token == listing.previous_page_token;
}

uint64_t AtRiskPageCache::PageHash(const AtRiskListing& listing) {
  const viewsets::AtRiskPage& page = listing.page;
  return absl::HashOf(listing.views.get(), listing.movements.get(), page.offset, page.total_matched,
                      page.customers, listing.next_page_token, listing.previous_page_token);
}

void AtRiskPageCache::AppendPageJson(const AtRiskListing& listing, std::string* out) {
  bool worth_remembering = false;
  std::shared_ptr<const std::string> rows = Find(listing, &worth_remembering);
  if (rows != nullptr) {
    // The head first, then room for the rows: the JSON writer fills the room it works in, so
    // reserving the rows' room before it would cost clearing that much.
    AppendAtRiskPageHeadJson(listing, out);
    out->reserve(out->size() + rows->size() + 2);
    out->push_back(',');
    out->append(*rows);
    out->push_back('}');
    return;
  }
  // Written straight into *out, and remembered as one copy of exactly its size (not written
  // apart, then shrunk and appended: two more copies of the page on every miss).
  AppendAtRiskPageHeadJson(listing, out);
  out->push_back(',');
  const size_t rows_begin = out->size();
  AppendAtRiskPageRowsJson(listing, out);
  // A huge page is not worth the room.
  if (worth_remembering && out->size() - rows_begin <= kMaxBytes / 4) {
    Remember(listing, std::make_shared<const std::string>(out->data() + rows_begin,
                                                          out->size() - rows_begin));
  }
  out->push_back('}');
}

std::shared_ptr<const std::string> AtRiskPageCache::Find(const AtRiskListing& listing,
                                                         bool* worth_remembering) {
  const uint64_t hash = PageHash(listing);
  concurrency::MutexLock lock(mu_);
  for (Entry& entry : entries_) {
    if (!IsPageOf(entry, listing)) continue;
    entry.last_used = ++clock_;
    ++hits_;
    return entry.json;
  }
  ++misses_;
  *worth_remembering =
      std::find(noted_misses_.begin(), noted_misses_.end(), hash) != noted_misses_.end();
  if (noted_misses_.size() < kNotedMisses) {
    noted_misses_.push_back(hash);
  } else {
    noted_misses_[next_noted_] = hash;
    next_noted_ = (next_noted_ + 1) % kNotedMisses;
  }
  return nullptr;
}

void AtRiskPageCache::Remember(const AtRiskListing& listing,
                               std::shared_ptr<const std::string> json) {
  if (json->size() > kMaxBytes / 4) return;  // a huge page is not worth the room
  std::vector<Entry> dropped;                // freed outside the lock
  concurrency::MutexLock lock(mu_);
  for (const Entry& entry : entries_) {
    if (IsPageOf(entry, listing)) return;  // a concurrent request remembered it first
  }
  // Pages of views or movements gone will not be asked again.
  auto gone = [](const Entry& entry) { return entry.views.expired() || entry.movements.expired(); };
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (gone(*it)) {
      bytes_ -= it->json->size();
      dropped.push_back(std::move(*it));
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  while (!entries_.empty() && (entries_.size() >= kEntries || bytes_ + json->size() > kMaxBytes)) {
    auto oldest =
        std::min_element(entries_.begin(), entries_.end(),
                         [](const Entry& a, const Entry& b) { return a.last_used < b.last_used; });
    bytes_ -= oldest->json->size();
    dropped.push_back(std::move(*oldest));
    entries_.erase(oldest);
  }
  const viewsets::AtRiskPage& page = listing.page;
  bytes_ += json->size();
  entries_.push_back(Entry{listing.views, listing.movements, page.customers, page.total_matched,
                           page.offset, listing.next_page_token, listing.previous_page_token,
                           std::move(json), ++clock_});
}

int64_t AtRiskPageCache::hits() const {
  concurrency::MutexLock lock(mu_);
  return hits_;
}

int64_t AtRiskPageCache::misses() const {
  concurrency::MutexLock lock(mu_);
  return misses_;
}

}  // namespace churn::gateway
