#pragma once
// The trained model's inputs: one table of features, each with its name (kept in the model
// file) and how to say its value in plain language. The rule signals come first, then the longer
// views the rules lack (signals/long_views.h).

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "signals/customer_signals.h"

namespace churn::churnmodel {

struct Feature {
  std::string_view name;
  // The value of one customer; nullopt when unknown (the trees send it their learned way).
  std::optional<double> (*value)(const CustomerSignals& signals);
  // The value in words, e.g. "usage in the last 30 days is 62% below the prior 30".
  std::string (*describe)(double value);
};

// Every feature, in the model's column order.
std::span<const Feature> Features();
std::vector<std::string> FeatureNames();

// One row of Features(), NaN for unknown values; FailedPrecondition when the signals carry no
// long views (the model needs them).
absl::StatusOr<std::vector<float>> FeatureRow(const CustomerSignals& signals);

}  // namespace churn::churnmodel
