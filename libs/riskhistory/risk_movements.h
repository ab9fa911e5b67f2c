#pragma once
// How customers' risk moved, computed from the risk history (history_store.h): per customer the
// score change over the last 30 days and whether it entered High since the previous snapshot,
// and how many customers moved up or down a level between the two latest snapshots. Plain data,
// read by the at-risk query and the Executive view.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dataset/value_parsers.h"
#include "riskhistory/customer_id_map.h"

namespace churn::riskhistory {

// The days back from the latest snapshot that "score change over 30 days" looks.
inline constexpr int kScoreChangeDays = 30;

struct RiskMovement {
  // Latest score minus the score at the baseline snapshot (the oldest within the last 30 days,
  // the latest excluded); absent when the customer has no row there.
  std::optional<int> score_change_30d;
  // High at the latest snapshot and not High at the previous one (or not yet a customer then).
  bool entered_high = false;
};

struct RiskMovements {
  std::optional<dataset::Day> latest;        // newest snapshot date in the history
  std::optional<dataset::Day> previous;      // the one before it
  std::optional<dataset::Day> baseline_30d;  // oldest in [latest - 30d, latest)
  // Customers of the latest snapshot (packed: a million of them are held at once).
  CustomerIdMap<RiskMovement> by_customer;
  // Customers in both the previous and the latest snapshot whose level rose / fell.
  int64_t moved_up = 0;
  int64_t moved_down = 0;
  // Set by whoever publishes them, different each time: page tokens over the movement filters
  // are bound to it, so they never land on rows of other movements.
  int64_t generation = 0;

  // Null for a customer not in the latest snapshot.
  const RiskMovement* Find(std::string_view customer_id) const {
    return by_customer.Find(customer_id);
  }
};

}  // namespace churn::riskhistory
