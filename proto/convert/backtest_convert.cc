#include "convert/backtest_convert.h"

#include <google/protobuf/util/json_util.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "backtest/backtest_report.h"

namespace churn::convert {
namespace {

// Through JSON text: the Struct then holds exactly what ToJson defines (nulls included).
absl::Status FromJson(const nlohmann::ordered_json& json, google::protobuf::Struct* proto) {
  const std::string text = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const auto status = google::protobuf::util::JsonStringToMessage(text, proto);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("backtest report as a Struct: ", std::string(status.message())));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ToProto(const backtest::BacktestReport& report, google::protobuf::Struct* proto) {
  return FromJson(backtest::ToJson(report), proto);
}

absl::Status ToProto(const backtest::ReportComparison& comparison,
                     google::protobuf::Struct* proto) {
  return FromJson(backtest::ToJson(comparison), proto);
}

}  // namespace churn::convert
