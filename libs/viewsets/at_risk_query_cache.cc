#include "viewsets/at_risk_query_cache.h"

#include <utility>

namespace churn::viewsets {

std::shared_ptr<const AtRiskQueryCache::Positions> AtRiskQueryCache::FindOrBuild(
    const std::string& key, const std::function<std::shared_ptr<const Positions>()>& build) {
  if (std::shared_ptr<const Positions> held = Find(key)) return held;
  concurrency::MutexLock building(build_mu_);
  if (std::shared_ptr<const Positions> held = Find(key)) return held;  // built while we waited
  std::shared_ptr<const Positions> built = build();
  Insert(key, built);
  return built;
}

std::shared_ptr<const MovementColumns> AtRiskQueryCache::MovementsOrBuild(
    int64_t generation, const std::function<std::shared_ptr<const MovementColumns>()>& build) {
  if (std::shared_ptr<const MovementColumns> held = Movements(generation)) return held;
  concurrency::MutexLock building(build_mu_);
  if (std::shared_ptr<const MovementColumns> held = Movements(generation)) return held;
  std::shared_ptr<const MovementColumns> built = build();
  OfferMovements(generation, built);
  return built;
}

std::shared_ptr<const AtRiskQueryCache::Positions> AtRiskQueryCache::Find(const std::string& key) {
  concurrency::MutexLock lock(mu_);
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].key != key) continue;
    std::shared_ptr<const Positions> found = entries_[i].positions;
    if (i + 1 != entries_.size()) {
      Entry hit = std::move(entries_[i]);
      entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(i));
      entries_.push_back(std::move(hit));
    }
    return found;
  }
  return nullptr;
}

void AtRiskQueryCache::Insert(const std::string& key, std::shared_ptr<const Positions> positions) {
  std::shared_ptr<const Positions> dropped;  // freed outside the lock
  concurrency::MutexLock lock(mu_);
  for (const Entry& entry : entries_) {
    if (entry.key == key) return;  // a concurrent query stored the same result first
  }
  if (entries_.size() >= kEntries) {
    dropped = std::move(entries_.front().positions);
    entries_.erase(entries_.begin());
  }
  entries_.push_back(Entry{key, std::move(positions)});
}

std::shared_ptr<const MovementColumns> AtRiskQueryCache::Movements(int64_t generation) {
  concurrency::MutexLock lock(mu_);
  return movements_generation_ == generation ? movements_ : nullptr;
}

void AtRiskQueryCache::OfferMovements(int64_t generation,
                                      std::shared_ptr<const MovementColumns> columns) {
  std::shared_ptr<const MovementColumns> dropped;
  concurrency::MutexLock lock(mu_);
  if (generation < movements_generation_) return;  // an older generation lost the race
  dropped = std::exchange(movements_, std::move(columns));
  movements_generation_ = generation;
}

std::string AtRiskQueryCache::ViewsFingerprint(const std::function<std::string()>& compute) {
  {
    concurrency::MutexLock lock(mu_);
    if (!views_fingerprint_.empty()) return views_fingerprint_;
  }
  std::string computed = compute();  // the same text whoever computes it first
  concurrency::MutexLock lock(mu_);
  if (views_fingerprint_.empty()) views_fingerprint_ = computed;
  return computed;
}

}  // namespace churn::viewsets
