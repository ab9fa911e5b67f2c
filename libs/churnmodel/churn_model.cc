#include "churnmodel/churn_model.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "churnmodel/features.h"
#include "status/status_macros.h"

namespace churn::churnmodel {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kFormat[] = "churn-model/1";

absl::StatusOr<FeatureMatrix> Matrix(const std::vector<CustomerSignals>& customers) {
  FeatureMatrix matrix;
  matrix.columns = Features().size();
  matrix.values.reserve(customers.size() * matrix.columns);
  for (const CustomerSignals& customer : customers) {
    CHURN_ASSIGN_OR_RETURN(std::vector<float> row, FeatureRow(customer));
    matrix.values.insert(matrix.values.end(), row.begin(), row.end());
  }
  return matrix;
}

Json DatesJson(const std::vector<dataset::Day>& days) {
  Json dates = Json::array();
  for (const dataset::Day day : days) dates.push_back(dataset::FormatDate(day));
  return dates;
}

absl::StatusOr<dataset::Day> DateOf(const Json& value, std::string_view key) {
  std::optional<dataset::Day> day;
  if (value.is_string()) day = dataset::ParseDate(value.get<std::string>());
  if (!day)
    return absl::InvalidArgumentError(
        absl::StrCat("model file: ", std::string(key), ": not a date"));
  return *day;
}

}  // namespace

std::string ContributionSentence(size_t feature, std::optional<double> value, double contribution) {
  const Feature& f = Features()[feature];
  std::string words = value ? f.describe(*value) : absl::StrCat(std::string(f.name), " unknown");
  if (!words.empty()) words[0] = absl::ascii_toupper(static_cast<unsigned char>(words[0]));
  return absl::StrCat(
      words, contribution >= 0 ? ": raises the churn estimate" : ": lowers the churn estimate");
}

ChurnModel::ChurnModel(ModelMetadata metadata, Booster booster)
    : metadata_(std::move(metadata)),
      guarded_(std::make_unique<GuardedBooster>(std::move(booster))) {}

absl::StatusOr<std::vector<double>> ChurnModel::Probabilities(
    const std::vector<CustomerSignals>& customers) const {
  CHURN_ASSIGN_OR_RETURN(FeatureMatrix matrix, Matrix(customers));
  concurrency::MutexLock lock(guarded_->mu);
  return guarded_->booster.Predict(matrix);
}

absl::StatusOr<std::vector<ModelOpinion>> ChurnModel::Opinions(
    const std::vector<CustomerSignals>& customers, size_t top) const {
  CHURN_ASSIGN_OR_RETURN(FeatureMatrix matrix, Matrix(customers));
  std::vector<double> probabilities;
  std::vector<float> contributions;
  {
    concurrency::MutexLock lock(guarded_->mu);
    CHURN_ASSIGN_OR_RETURN(probabilities, guarded_->booster.Predict(matrix));
    CHURN_ASSIGN_OR_RETURN(contributions, guarded_->booster.Contributions(matrix));
  }
  const size_t columns = matrix.columns;
  std::vector<ModelOpinion> opinions(customers.size());
  for (size_t row = 0; row < customers.size(); ++row) {
    ModelOpinion& opinion = opinions[row];
    opinion.probability = probabilities[row];
    const float* values = &contributions[row * (columns + 1)];  // the last one is the bias
    std::vector<size_t> order(columns);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return std::fabs(values[a]) > std::fabs(values[b]);
    });
    for (size_t k = 0; k < std::min(top, columns); ++k) {
      const size_t feature = order[k];
      if (values[feature] == 0) break;  // a feature the trees never used for this customer
      FeatureContribution contribution;
      contribution.feature = std::string(Features()[feature].name);
      const float raw = matrix.values[row * columns + feature];
      if (!std::isnan(raw)) contribution.value = raw;
      contribution.contribution = values[feature];
      contribution.sentence =
          ContributionSentence(feature, contribution.value, contribution.contribution);
      opinion.top.push_back(std::move(contribution));
    }
  }
  return opinions;
}

absl::StatusOr<std::string> ChurnModel::ToJson() const {
  std::string booster_bytes;
  {
    concurrency::MutexLock lock(guarded_->mu);
    CHURN_ASSIGN_OR_RETURN(booster_bytes, guarded_->booster.Serialize());
  }
  const ModelMetadata& m = metadata_;
  const Json json{
      {"format", kFormat},
      {"label", kSecondOpinionLabel},
      {"features", m.features},
      {"horizon_days", m.horizon_days},
      {"step_days", m.step_days},
      {"training_dates", DatesJson(m.training_dates)},
      {"trained_through", dataset::FormatDate(m.trained_through)},
      {"data_end", m.data_end ? Json(dataset::FormatDate(*m.data_end)) : Json(nullptr)},
      {"training_rows", m.training_rows},
      {"training_positives", m.training_positives},
      {"params",
       {{"rounds", m.params.rounds},
        {"max_depth", m.params.max_depth},
        {"learning_rate", m.params.learning_rate},
        {"min_child_weight", m.params.min_child_weight},
        {"threads", m.params.threads},
        {"seed", m.params.seed}}},
      {"training_report", m.training_report},
      {"booster_ubj_base64", absl::Base64Escape(booster_bytes)},
  };
  return json.dump(2) + "\n";
}

absl::StatusOr<ChurnModel> ChurnModel::FromJson(const std::string& text) {
  const Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    return absl::InvalidArgumentError("model file: not a JSON object");
  }
  if (json.value("format", "") != kFormat) {
    return absl::InvalidArgumentError(
        absl::StrCat("model file: format is not ", kFormat, " (written by another version?)"));
  }
  ModelMetadata m;
  try {
    m.features = json.at("features").get<std::vector<std::string>>();
    m.horizon_days = json.at("horizon_days").get<int>();
    m.step_days = json.at("step_days").get<int>();
    for (const Json& date : json.at("training_dates")) {
      CHURN_ASSIGN_OR_RETURN(dataset::Day day, DateOf(date, "training_dates"));
      m.training_dates.push_back(day);
    }
    CHURN_ASSIGN_OR_RETURN(m.trained_through,
                           DateOf(json.at("trained_through"), "trained_through"));
    if (!json.at("data_end").is_null()) {
      CHURN_ASSIGN_OR_RETURN(m.data_end, DateOf(json.at("data_end"), "data_end"));
    }
    m.training_rows = json.at("training_rows").get<int64_t>();
    m.training_positives = json.at("training_positives").get<int64_t>();
    const Json& params = json.at("params");
    m.params.rounds = params.at("rounds").get<int>();
    m.params.max_depth = params.at("max_depth").get<int>();
    m.params.learning_rate = params.at("learning_rate").get<double>();
    m.params.min_child_weight = params.at("min_child_weight").get<double>();
    m.params.threads = params.at("threads").get<int>();
    m.params.seed = params.at("seed").get<int>();
    m.training_report = json.at("training_report");
  } catch (const Json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("model file: ", e.what()));
  }
  if (m.features != FeatureNames()) {
    return absl::InvalidArgumentError(
        "model file: its features differ from this build's (trained by another version; train "
        "it again)");
  }
  std::string booster_bytes;
  if (!absl::Base64Unescape(json.value("booster_ubj_base64", ""), &booster_bytes) ||
      booster_bytes.empty()) {
    return absl::InvalidArgumentError("model file: booster_ubj_base64 is missing or not base64");
  }
  CHURN_ASSIGN_OR_RETURN(Booster booster, Booster::Deserialize(booster_bytes, m.params.threads));
  return ChurnModel(std::move(m), std::move(booster));
}

absl::StatusOr<ChurnModel> ChurnModel::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read model file ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<ChurnModel> model = FromJson(text.str());
  if (!model.ok()) {
    return absl::Status(model.status().code(), absl::StrCat(path, ": ", model.status().message()));
  }
  return model;
}

absl::Status ChurnModel::Save(const std::string& path) const {
  CHURN_ASSIGN_OR_RETURN(std::string text, ToJson());
  // Written beside the target and renamed, so a reader never sees half a file.
  const std::string temporary = absl::StrCat(path, ".tmp");
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return absl::InternalError(absl::StrCat("cannot write ", temporary));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot rename ", temporary, " to ", path));
  }
  return absl::OkStatus();
}

}  // namespace churn::churnmodel
