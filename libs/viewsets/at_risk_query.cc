#include "viewsets/at_risk_query.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace churn::viewsets {
namespace {

struct SortName {
  AtRiskSort sort;
  std::string_view name;
  bool naturally_descending;
};

constexpr SortName kSortNames[] = {
    {AtRiskSort::kRiskScore, "risk_score", true},
    {AtRiskSort::kArr, "arr", true},
    {AtRiskSort::kCustomerId, "customer_id", false},
    {AtRiskSort::kAccountName, "account_name", false},
    {AtRiskSort::kPlanTier, "plan_tier", false},
    {AtRiskSort::kUsageDropPct, "usage_drop_pct", true},
    {AtRiskSort::kTickets30d, "tickets_30d", true},
    {AtRiskSort::kScoreChange30d, "score_change_30d", true},
};

const SortName& Entry(AtRiskSort sort) {
  for (const SortName& entry : kSortNames) {
    if (entry.sort == sort) return entry;
  }
  return kSortNames[0];
}

std::optional<int> ScoreChangeOf(const reports::ScoredCustomer& customer,
                                 const riskhistory::RiskMovements* movements) {
  if (movements == nullptr) return std::nullopt;
  const riskhistory::RiskMovement* movement = movements->Find(customer.signals.customer_id);
  return movement ? movement->score_change_30d : std::nullopt;
}

bool Matches(const reports::ScoredCustomer& customer, const AtRiskQuery& query,
             const std::vector<std::string>& lower_tiers) {
  if (query.min_score_change_30d) {
    const std::optional<int> change = ScoreChangeOf(customer, query.movements);
    if (!change || *change < *query.min_score_change_30d) return false;
  }
  if (query.only_entered_high) {
    const riskhistory::RiskMovement* movement =
        query.movements ? query.movements->Find(customer.signals.customer_id) : nullptr;
    if (movement == nullptr || !movement->entered_high) return false;
  }
  if (customer.signals.arr < query.min_arr) return false;
  if (query.only_churned && !customer.signals.churned) return false;
  if (!query.risk_levels.empty() &&
      std::find(query.risk_levels.begin(), query.risk_levels.end(),
                customer.assessment.risk_level) == query.risk_levels.end()) {
    return false;
  }
  if (!lower_tiers.empty() &&
      std::find(lower_tiers.begin(), lower_tiers.end(),
                absl::AsciiStrToLower(customer.signals.plan_tier)) == lower_tiers.end()) {
    return false;
  }
  return true;
}

// The query's filters compiled against an AtRiskIndex: a few bytes tested per row.
struct CompiledFilter {
  bool active = false;  // false: every row matches
  bool matches_none = false;
  unsigned level_mask = 0b111;        // bit per scoring::RiskLevel
  std::vector<uint8_t> tier_allowed;  // by tier id; empty: every tier
  double min_arr = 0;
  bool only_churned = false;
  std::optional<int> min_score_change_30d;
  bool only_entered_high = false;
  const MovementColumns* movements = nullptr;  // set when a movement filter is on

  bool Matches(const AtRiskIndex& index, uint32_t position) const {
    if (((level_mask >> static_cast<unsigned>(index.level(position))) & 1u) == 0) return false;
    if (!tier_allowed.empty() && !tier_allowed[index.tier(position)]) return false;
    if (index.arr(position) < min_arr) return false;
    if (only_churned && !index.churned(position)) return false;
    if (min_score_change_30d) {
      const int32_t change = movements->score_change_30d[position];
      if (change == MovementColumns::kNoChange || change < *min_score_change_30d) return false;
    }
    if (only_entered_high && !movements->entered_high[position]) return false;
    return true;
  }
};

CompiledFilter Compile(const AtRiskIndex& index, const AtRiskQuery& query,
                       const MovementColumns* movements) {
  CompiledFilter filter;
  if (!query.risk_levels.empty()) {
    filter.level_mask = 0;
    for (scoring::RiskLevel level : query.risk_levels) {
      filter.level_mask |= 1u << static_cast<unsigned>(level);
    }
    filter.active = true;
  }
  if (!query.plan_tiers.empty()) {
    filter.tier_allowed.assign(std::max<size_t>(index.tier_count(), 1), 0);
    bool any = false;
    for (const std::string& tier : query.plan_tiers) {
      if (std::optional<uint32_t> id = index.TierId(tier)) {
        filter.tier_allowed[*id] = 1;
        any = true;
      }
    }
    filter.matches_none |= !any;
    filter.active = true;
  }
  filter.min_arr = query.min_arr;
  filter.active |= query.min_arr > index.min_arr();
  filter.only_churned = query.only_churned;
  filter.active |= query.only_churned;
  if (query.min_score_change_30d || query.only_entered_high) {
    filter.active = true;
    filter.min_score_change_30d = query.min_score_change_30d;
    filter.only_entered_high = query.only_entered_high;
    filter.movements = movements;
    // Without movements no row has a change or entered High.
    filter.matches_none |= movements == nullptr;
  }
  return filter;
}

// The movements by row of `views`, remembered per generation (0: built for this query only).
std::shared_ptr<const MovementColumns> MovementColumnsFor(
    const ViewSet& views, const riskhistory::RiskMovements& movements) {
  auto build = [&] { return std::make_shared<const MovementColumns>(views.at_risk(), &movements); };
  if (movements.generation == 0) return build();
  return views.at_risk_query_cache().MovementsOrBuild(movements.generation, build);
}

// Identifies a query's matched rows within one ViewSet: the filters as compiled, the sort, and
// the movements generation when they are read.
std::string CacheKey(const CompiledFilter& filter, AtRiskSort sort, bool descending,
                     int64_t movements_generation) {
  std::string tiers;
  for (uint8_t allowed : filter.tier_allowed) tiers.push_back(allowed ? '1' : '0');
  return absl::StrFormat(
      "%d|%d|%d|%s|%.17g|%d|%s|%d|%d", static_cast<int>(sort), descending ? 1 : 0,
      filter.level_mask, tiers, filter.min_arr, filter.only_churned ? 1 : 0,
      filter.min_score_change_30d ? absl::StrCat(*filter.min_score_change_30d) : std::string("-"),
      filter.only_entered_high ? 1 : 0, movements_generation);
}

}  // namespace

absl::StatusOr<AtRiskSort> ParseAtRiskSort(std::string_view name) {
  if (name.empty()) return AtRiskSort::kRiskScore;
  for (const SortName& entry : kSortNames) {
    if (entry.name == name) return entry.sort;
  }
  std::string accepted;
  for (const SortName& entry : kSortNames) {
    absl::StrAppend(&accepted, accepted.empty() ? "" : ", ", std::string(entry.name));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("sort: must be one of ", accepted, ", got '", std::string(name), "'"));
}

std::string_view AtRiskSortName(AtRiskSort sort) { return Entry(sort).name; }

bool NaturallyDescending(AtRiskSort sort) { return Entry(sort).naturally_descending; }

absl::StatusOr<scoring::RiskLevel> ParseRiskLevelName(std::string_view name) {
  const std::string lower = absl::AsciiStrToLower(std::string(name));
  if (lower == "high") return scoring::RiskLevel::kHigh;
  if (lower == "medium") return scoring::RiskLevel::kMedium;
  if (lower == "low") return scoring::RiskLevel::kLow;
  return absl::InvalidArgumentError(
      absl::StrCat("risk_level: must be High, Medium or Low, got '", std::string(name), "'"));
}

void PrepareMovementColumns(const ViewSet& views, const riskhistory::RiskMovements& movements) {
  AtRiskQueryCache& cache = views.at_risk_query_cache();
  if (movements.generation == 0 || cache.Movements(movements.generation) != nullptr) return;
  // Without the cache's build lock: a query meanwhile builds its own columns rather than wait
  // for this thread, which may run at a low priority.
  cache.OfferMovements(movements.generation,
                       std::make_shared<const MovementColumns>(views.at_risk(), &movements));
}

std::shared_ptr<const MovementColumns> HeldMovementColumns(
    const ViewSet& views, const riskhistory::RiskMovements& movements) {
  if (movements.generation == 0) return nullptr;
  return views.at_risk_query_cache().Movements(movements.generation);
}

absl::StatusOr<AtRiskPage> QueryAtRisk(const ViewSet& views, const AtRiskQuery& query) {
  if (!std::isfinite(query.min_arr)) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_arr: must be a finite number, got ", query.min_arr));
  }
  const AtRiskIndex& index = views.at_risk_index();
  const bool descending = query.descending.value_or(NaturallyDescending(query.sort));
  const bool filters_movements = query.min_score_change_30d.has_value() || query.only_entered_high;
  const bool uses_movements = filters_movements || query.sort == AtRiskSort::kScoreChange30d;

  std::shared_ptr<const MovementColumns> movements;
  if (uses_movements && query.movements != nullptr) {
    movements = MovementColumnsFor(views, *query.movements);
  }
  const CompiledFilter filter = Compile(index, query, movements.get());
  // Without movements the score_change_30d sort leaves every row last: the at-risk order.
  const std::vector<uint32_t>& order = query.sort != AtRiskSort::kScoreChange30d
                                           ? index.Order(query.sort, descending)
                                       : movements ? movements->by_change[descending ? 1 : 0]
                                                   : index.Order(AtRiskSort::kRiskScore, true);

  std::shared_ptr<const AtRiskQueryCache::Positions> held;
  const std::vector<uint32_t>* matched = &order;
  if (filter.matches_none) {
    held = std::make_shared<const AtRiskQueryCache::Positions>();
    matched = held.get();
  } else if (filter.active) {
    const bool rememberable =
        !uses_movements || query.movements == nullptr || query.movements->generation != 0;
    const std::string key =
        rememberable ? CacheKey(filter, query.sort, descending,
                                uses_movements && query.movements ? query.movements->generation : 0)
                     : std::string();
    auto build = [&] {
      auto positions = std::make_shared<AtRiskQueryCache::Positions>();
      for (uint32_t position : order) {
        if (filter.Matches(index, position)) positions->push_back(position);
      }
      positions->shrink_to_fit();
      return std::shared_ptr<const AtRiskQueryCache::Positions>(std::move(positions));
    };
    held = rememberable ? views.at_risk_query_cache().FindOrBuild(key, build) : build();
    matched = held.get();
  }

  AtRiskPage page;
  page.total_matched = matched->size();
  page.offset = std::min(query.offset, matched->size());
  const size_t remaining = matched->size() - page.offset;
  const size_t count = query.limit == 0 ? remaining : std::min(query.limit, remaining);
  page.customers.reserve(count);
  const AtRiskRows& rows = views.at_risk();
  const auto first = matched->begin() + static_cast<std::ptrdiff_t>(page.offset);
  page.positions.assign(first, first + static_cast<std::ptrdiff_t>(count));
  for (uint32_t position : page.positions) page.customers.push_back(&rows[position]);
  page.has_more = page.offset + count < matched->size();
  return page;
}

absl::StatusOr<AtRiskPage> QueryAtRiskByScan(const ViewSet& views, const AtRiskQuery& query) {
  if (!std::isfinite(query.min_arr)) {
    return absl::InvalidArgumentError(
        absl::StrCat("min_arr: must be a finite number, got ", query.min_arr));
  }
  std::vector<std::string> lower_tiers;
  for (const std::string& tier : query.plan_tiers)
    lower_tiers.push_back(absl::AsciiStrToLower(tier));

  const AtRiskRows& rows = views.at_risk();
  std::vector<uint32_t> matched;  // positions in `rows`
  for (size_t i = 0; i < rows.size(); ++i) {
    if (Matches(rows[i], query, lower_tiers)) matched.push_back(static_cast<uint32_t>(i));
  }

  const bool descending = query.descending.value_or(NaturallyDescending(query.sort));
  const bool at_risk_order = query.sort == AtRiskSort::kRiskScore && descending;
  if (query.sort == AtRiskSort::kScoreChange30d) {
    // Rows without a change (new customers, no history) last in either direction.
    std::stable_sort(matched.begin(), matched.end(), [&](uint32_t a, uint32_t b) {
      const std::optional<int> x = ScoreChangeOf(rows[a], query.movements);
      const std::optional<int> y = ScoreChangeOf(rows[b], query.movements);
      if (!x || !y) return x.has_value() && !y.has_value();
      return descending ? *x > *y : *x < *y;
    });
  } else if (!at_risk_order) {
    // The rows are already in at-risk order, so a stable sort keeps it for ties.
    std::stable_sort(matched.begin(), matched.end(), [&](uint32_t a, uint32_t b) {
      const int order = CompareAtRiskField(query.sort, rows[a], rows[b]);
      return descending ? order > 0 : order < 0;
    });
  }

  AtRiskPage page;
  page.total_matched = matched.size();
  page.offset = std::min(query.offset, matched.size());
  const size_t remaining = matched.size() - page.offset;
  const size_t count = query.limit == 0 ? remaining : std::min(query.limit, remaining);
  page.positions.assign(matched.begin() + static_cast<std::ptrdiff_t>(page.offset),
                        matched.begin() + static_cast<std::ptrdiff_t>(page.offset + count));
  for (uint32_t position : page.positions) page.customers.push_back(&rows[position]);
  page.has_more = page.offset + count < matched.size();
  return page;
}

}  // namespace churn::viewsets
