#pragma once
// Gradient-boosted trees through XGBoost's C API (Debian's libxgboost): training with fixed
// parameters (fixed seed and thread count, so the same rows give the same model), churn
// probabilities, per-feature contributions, and the model as bytes.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace churn::churnmodel {

// Rows of features, row-major; NaN is an unknown value.
struct FeatureMatrix {
  size_t columns = 0;
  std::vector<float> values;
  size_t rows() const { return columns == 0 ? 0 : values.size() / columns; }
};

struct TrainingParams {
  int rounds = 150;
  int max_depth = 4;
  double learning_rate = 0.1;
  double min_child_weight = 5;
  int threads = 2;
  int seed = 0;
};

class Booster {
 public:
  // Fits binary:logistic trees to `labels` (0 or 1, one per row).
  static absl::StatusOr<Booster> Train(const FeatureMatrix& rows, const std::vector<float>& labels,
                                       const TrainingParams& params);
  // From Serialize()'s bytes.
  static absl::StatusOr<Booster> Deserialize(const std::string& bytes, int threads = 2);

  Booster(Booster&&) noexcept;
  Booster& operator=(Booster&&) noexcept;
  ~Booster();

  // The churn probability of each row.
  absl::StatusOr<std::vector<double>> Predict(const FeatureMatrix& rows) const;
  // Per row, columns + 1 values in log-odds: one per feature, then the bias; they sum to the
  // row's log-odds (XGBoost's exact tree contributions, SHAP values).
  absl::StatusOr<std::vector<float>> Contributions(const FeatureMatrix& rows) const;
  // The model as Universal Binary JSON (XGBoost's own format).
  absl::StatusOr<std::string> Serialize() const;

 private:
  Booster() = default;
  absl::StatusOr<std::vector<float>> PredictType(const FeatureMatrix& rows, int type,
                                                 size_t per_row) const;

  void* handle_ = nullptr;  // BoosterHandle
};

}  // namespace churn::churnmodel
