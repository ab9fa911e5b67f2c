#pragma once
// A trained churn model as the product uses it: the booster with what it was trained on (its
// feature list, horizon, training dates and the date its labels end), its walk-forward training
// report, and its opinion of a customer: a churn probability with the features that moved it
// most, in plain language. A second opinion beside the rule score, never a replacement for it.
//
// The model file is one JSON document: the metadata, the report and the booster as base64 of
// XGBoost's Universal Binary JSON, so saving a loaded model writes the same bytes.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "churnmodel/booster.h"
#include "concurrency/mutex.h"
#include "dataset/dataset.h"
#include "dataset/value_parsers.h"
#include "nlohmann/json.hpp"
#include "signals/customer_signals.h"

namespace churn::churnmodel {

// How the model's opinion is labelled wherever it is shown.
inline constexpr char kSecondOpinionLabel[] = "second opinion (trained model)";

struct ModelMetadata {
  std::vector<std::string> features;  // column order
  int horizon_days = 0;
  int step_days = 0;
  std::vector<dataset::Day> training_dates;  // the as-of dates of its training rows
  // The last training date + horizon: the labels it learned from end here, so a backtest of it
  // is out of sample only on as-of dates from this day on.
  dataset::Day trained_through = 0;
  std::optional<dataset::Day> data_end;
  int64_t training_rows = 0;
  int64_t training_positives = 0;
  TrainingParams params;
  nlohmann::ordered_json training_report;  // walk-forward evaluation (churnmodel/walk_forward.h)
};

struct FeatureContribution {
  std::string feature;
  std::optional<double> value;  // absent: unknown
  double contribution = 0;      // log-odds; > 0 raises the churn probability
  std::string sentence;  // e.g. "Usage in the last 30 days is 62% below the prior 30: raises the
                         // churn estimate"
};

struct ModelOpinion {
  double probability = 0;
  std::vector<FeatureContribution> top;  // largest |contribution| first
};

class ChurnModel {
 public:
  ChurnModel(ModelMetadata metadata, Booster booster);

  static absl::StatusOr<ChurnModel> FromJson(const std::string& text);
  static absl::StatusOr<ChurnModel> Load(const std::string& path);
  absl::StatusOr<std::string> ToJson() const;
  absl::Status Save(const std::string& path) const;

  // One probability per customer; FailedPrecondition when one lacks long views.
  absl::StatusOr<std::vector<double>> Probabilities(
      const std::vector<CustomerSignals>& customers) const;
  // Probability and the `top` features with the largest contributions, per customer.
  absl::StatusOr<std::vector<ModelOpinion>> Opinions(const std::vector<CustomerSignals>& customers,
                                                     size_t top = 3) const;

  const ModelMetadata& metadata() const { return metadata_; }

 private:
  // XGBoost's prediction on one booster from several threads at once is not documented as safe.
  struct GuardedBooster {
    explicit GuardedBooster(Booster b) : booster(std::move(b)) {}
    concurrency::Mutex mu;
    Booster booster ABSL_GUARDED_BY(mu);
  };

  ModelMetadata metadata_;
  std::unique_ptr<GuardedBooster> guarded_;  // a pointer: the model stays movable
};

// The sentence of one contribution: the value in words and which way it moves the estimate.
std::string ContributionSentence(size_t feature, std::optional<double> value, double contribution);

}  // namespace churn::churnmodel
