#include "viewsets/risk_tallies.h"

#include <algorithm>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "concurrency/parallel_ranges.h"
#include "scoring/rule_set.h"

namespace churn::viewsets {
namespace {

// Applies `adjust` (which says whether the entry is now empty) to the entry of `key`, dropping an
// entry that falls to zero (a value no row has any more is not listed, as a fresh count would not
// list it).
template <typename Map, typename Change>
void Adjust(Map& map, const std::string& key, int sign, Change adjust) {
  auto it = map.find(key);
  if (it == map.end()) it = map.try_emplace(key).first;
  if (adjust(it->second, sign)) map.erase(it);
}

// Below this many rows a second thread costs more than it saves.
constexpr size_t kParallelRows = 1 << 15;

}  // namespace

RiskTallies RiskTallies::Of(const AtRiskRows& rows) {
  // Each half of the rows counted on its own thread for many rows, then added up (integers:
  // the same sums in any order).
  struct Partial {
    absl::flat_hash_map<std::string_view, Tally> segments[3];
    // Keyed by the text's string: the rows' rule ids are interned (one string per rule for the
    // rows a refresh scored), so this hashes an address rather than the text. Texts equal but
    // not shared are added up by text below.
    absl::flat_hash_map<const std::string*, int64_t> drivers;
  };
  auto count = [&rows](size_t begin, size_t end, Partial& partial) {
    for (size_t i = begin; i < end; ++i) {
      const reports::ScoredCustomer& row = rows[i];
      for (SegmentKind kind : kAllSegmentKinds) {
        Tally& tally = partial.segments[static_cast<int>(kind)][SegmentOf(row.signals, kind)];
        ++tally.customers;
        tally.score_sum += row.assessment.risk_score;
        switch (row.assessment.risk_level) {
          case scoring::RiskLevel::kHigh: ++tally.high; break;
          case scoring::RiskLevel::kMedium: ++tally.medium; break;
          case scoring::RiskLevel::kLow: ++tally.low; break;
        }
      }
      const auto& fired = row.assessment.fired_rules;
      const size_t shown = std::min(fired.size(), row.assessment.reasons.size());
      for (size_t k = 0; k < shown; ++k) ++partial.drivers[&fired[k].rule.str()];
    }
  };
  Partial halves[2];
  concurrency::ForEachRange(
      rows.size(), kParallelRows / 2, 2,
      [&](size_t part, size_t begin, size_t end) { count(begin, end, halves[part]); });
  RiskTallies tallies;
  for (const Partial& partial : halves) {
    for (int kind = 0; kind < 3; ++kind) {
      for (const auto& [name, tally] : partial.segments[kind]) {
        auto [it, inserted] = tallies.segments_[kind].try_emplace(std::string(name), tally);
        if (!inserted) {
          it->second.customers += tally.customers;
          it->second.high += tally.high;
          it->second.medium += tally.medium;
          it->second.low += tally.low;
          it->second.score_sum += tally.score_sum;
        }
      }
    }
    for (const auto& [rule, customers] : partial.drivers) tallies.drivers_[*rule] += customers;
  }
  return tallies;
}

void RiskTallies::Count(const reports::ScoredCustomer& row, int sign) {
  for (SegmentKind kind : kAllSegmentKinds) {
    Adjust(segments_[static_cast<int>(kind)], SegmentOf(row.signals, kind), sign,
           [&](Tally& tally, int s) {
             tally.customers += s;
             tally.score_sum += s * row.assessment.risk_score;
             switch (row.assessment.risk_level) {
               case scoring::RiskLevel::kHigh: tally.high += s; break;
               case scoring::RiskLevel::kMedium: tally.medium += s; break;
               case scoring::RiskLevel::kLow: tally.low += s; break;
             }
             return tally.customers == 0;
           });
  }
  // Each fired rule contributes one reason, in order, so the top reasons are the first
  // reasons.size() fired rules.
  const auto& fired = row.assessment.fired_rules;
  const size_t shown = std::min(fired.size(), row.assessment.reasons.size());
  for (size_t i = 0; i < shown; ++i) {
    Adjust(drivers_, fired[i].rule, sign, [](int64_t& count, int s) {
      count += s;
      return count == 0;
    });
  }
}

std::vector<reports::SegmentRisk> RiskTallies::Segments(SegmentKind kind) const {
  std::vector<reports::SegmentRisk> rows;
  rows.reserve(segments_[static_cast<int>(kind)].size());
  for (const auto& [name, tally] : segments_[static_cast<int>(kind)]) {
    reports::SegmentRisk& segment = rows.emplace_back();
    segment.segment = name;
    segment.customers = tally.customers;
    segment.high = tally.high;
    segment.medium = tally.medium;
    segment.low = tally.low;
    // The sum of integer scores is exact in a double, as the summaries' running sum is.
    segment.mean_risk_score =
        static_cast<double>(tally.score_sum) / static_cast<double>(tally.customers);
  }
  return rows;
}

reports::DriversSummary RiskTallies::Drivers(
    const std::map<std::string, int64_t>& churn_reason_counts,
    const std::map<std::string, std::string>& rule_labels) const {
  reports::DriversSummary summary;
  summary.by_plan_tier = Segments(SegmentKind::kPlanTier);
  for (const auto& [rule, count] : drivers_) {
    auto label = rule_labels.find(rule);
    summary.drivers.push_back(
        {rule, label != rule_labels.end() ? label->second : scoring::LabelFromRuleId(rule), count});
  }
  std::stable_sort(summary.drivers.begin(), summary.drivers.end(),
                   [](const reports::DriverCount& a, const reports::DriverCount& b) {
                     return a.customers > b.customers;
                   });
  summary.churn_reasons.assign(churn_reason_counts.begin(), churn_reason_counts.end());
  std::stable_sort(summary.churn_reasons.begin(), summary.churn_reasons.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return summary;
}

}  // namespace churn::viewsets
