#pragma once
// A closed range of valid values, and the scales the source tables must use. The loader checks a
// row against them (naming file, line and column); libs/signals checks signals with the same
// type, so a scale is declared once, at the lowest layer that reads it.

namespace churn::dataset {

struct ValueRange {
  double min;
  double max;
  constexpr bool Contains(double value) const { return value >= min && value <= max; }
};

// The ticket satisfaction scale the rules read; anything else is a broken source, not a score.
inline constexpr ValueRange kSatisfactionScoreRange{1, 5};

}  // namespace churn::dataset
