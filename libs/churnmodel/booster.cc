#include "churnmodel/booster.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "status/status_macros.h"
#include "xgboost/c_api.h"

namespace churn::churnmodel {
namespace {

absl::Status Check(int code, std::string_view what) {
  if (code == 0) return absl::OkStatus();
  return absl::InternalError(absl::StrCat("xgboost ", std::string(what), ": ", XGBGetLastError()));
}

// A DMatrix freed on scope exit.
class Matrix {
 public:
  static absl::StatusOr<Matrix> Of(const FeatureMatrix& rows) {
    Matrix matrix;
    CHURN_RETURN_IF_ERROR(Check(
        XGDMatrixCreateFromMat(rows.values.data(), rows.rows(), rows.columns, NAN, &matrix.handle_),
        "DMatrix"));
    return matrix;
  }
  Matrix(Matrix&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  ~Matrix() {
    if (handle_ != nullptr) XGDMatrixFree(handle_);
  }
  DMatrixHandle handle() const { return handle_; }

 private:
  Matrix() = default;
  DMatrixHandle handle_ = nullptr;
};

// XGBoost logs to stderr by default; the callers report what matters.
void Quiet() {
  static const bool done = [] { return XGBSetGlobalConfig(R"({"verbosity": 0})") == 0; }();
  (void)done;
}

}  // namespace

Booster::Booster(Booster&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}

Booster& Booster::operator=(Booster&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) XGBoosterFree(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
  }
  return *this;
}

Booster::~Booster() {
  if (handle_ != nullptr) XGBoosterFree(handle_);
}

absl::StatusOr<Booster> Booster::Train(const FeatureMatrix& rows, const std::vector<float>& labels,
                                       const TrainingParams& params) {
  Quiet();
  if (rows.rows() == 0 || labels.size() != rows.rows()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "training needs one label per row: ", rows.rows(), " rows, ", labels.size(), " labels"));
  }
  CHURN_ASSIGN_OR_RETURN(Matrix matrix, Matrix::Of(rows));
  CHURN_RETURN_IF_ERROR(Check(
      XGDMatrixSetFloatInfo(matrix.handle(), "label", labels.data(), labels.size()), "labels"));
  Booster booster;
  const DMatrixHandle train[] = {matrix.handle()};
  CHURN_RETURN_IF_ERROR(Check(XGBoosterCreate(train, 1, &booster.handle_), "create"));
  const std::pair<std::string, std::string> settings[] = {
      {"objective", "binary:logistic"},
      {"tree_method", "hist"},
      {"max_depth", absl::StrCat(params.max_depth)},
      {"eta", absl::StrCat(params.learning_rate)},
      {"min_child_weight", absl::StrCat(params.min_child_weight)},
      {"subsample", "1"},
      {"nthread", absl::StrCat(params.threads)},
      {"seed", absl::StrCat(params.seed)},
      {"verbosity", "0"},
  };
  for (const auto& [name, value] : settings) {
    CHURN_RETURN_IF_ERROR(
        Check(XGBoosterSetParam(booster.handle_, name.c_str(), value.c_str()), name));
  }
  for (int round = 0; round < params.rounds; ++round) {
    CHURN_RETURN_IF_ERROR(
        Check(XGBoosterUpdateOneIter(booster.handle_, round, matrix.handle()), "training"));
  }
  return booster;
}

absl::StatusOr<Booster> Booster::Deserialize(const std::string& bytes, int threads) {
  Quiet();
  Booster booster;
  CHURN_RETURN_IF_ERROR(Check(XGBoosterCreate(nullptr, 0, &booster.handle_), "create"));
  CHURN_RETURN_IF_ERROR(
      Check(XGBoosterLoadModelFromBuffer(booster.handle_, bytes.data(), bytes.size()), "load"));
  CHURN_RETURN_IF_ERROR(Check(
      XGBoosterSetParam(booster.handle_, "nthread", absl::StrCat(threads).c_str()), "nthread"));
  return booster;
}

absl::StatusOr<std::vector<float>> Booster::PredictType(const FeatureMatrix& rows, int type,
                                                        size_t per_row) const {
  if (rows.rows() == 0) return std::vector<float>();
  CHURN_ASSIGN_OR_RETURN(Matrix matrix, Matrix::Of(rows));
  const std::string config =
      absl::StrCat(R"({"type": )", type, R"(, "training": false, "iteration_begin": 0, )",
                   R"("iteration_end": 0, "strict_shape": false})");
  const bst_ulong* shape = nullptr;
  bst_ulong dimensions = 0;
  const float* result = nullptr;
  CHURN_RETURN_IF_ERROR(Check(XGBoosterPredictFromDMatrix(handle_, matrix.handle(), config.c_str(),
                                                          &shape, &dimensions, &result),
                              "predict"));
  bst_ulong size = 1;
  for (bst_ulong d = 0; d < dimensions; ++d) size *= shape[d];
  if (size != rows.rows() * per_row) {
    return absl::InternalError(
        absl::StrCat("xgboost predict: ", size, " values for ", rows.rows(), " rows of ", per_row));
  }
  return std::vector<float>(result, result + size);
}

absl::StatusOr<std::vector<double>> Booster::Predict(const FeatureMatrix& rows) const {
  CHURN_ASSIGN_OR_RETURN(std::vector<float> values, PredictType(rows, 0, 1));
  return std::vector<double>(values.begin(), values.end());
}

absl::StatusOr<std::vector<float>> Booster::Contributions(const FeatureMatrix& rows) const {
  return PredictType(rows, 2, rows.columns + 1);
}

absl::StatusOr<std::string> Booster::Serialize() const {
  bst_ulong length = 0;
  const char* bytes = nullptr;
  CHURN_RETURN_IF_ERROR(
      Check(XGBoosterSaveModelToBuffer(handle_, R"({"format": "ubj"})", &length, &bytes), "save"));
  return std::string(bytes, length);
}

}  // namespace churn::churnmodel
