#include "http_request_parsing.h"

#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include <google/protobuf/util/json_util.h>
#include <httplib.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "viewsets/at_risk_query.h"
#include "nlohmann/json.hpp"
#include "outcomes/outcome_kind.h"
#include "settings/bool_words.h"
#include "tickets/ticket_text.h"
#include "status/status_macros.h"

namespace churn::gateway {
namespace {

// Request messages hold text as protobuf strings, which must be UTF-8, and errors quote
// values into JSON, which must be too. Checked once, before any value is read or quoted.
absl::Status CheckUtf8(const QueryParams& params) {
  for (const auto& [key, value] : params) {
    if (!tickets::IsValidUtf8(key) || !tickets::IsValidUtf8(value)) {
      return absl::InvalidArgumentError("query: parameters must be UTF-8 text");
    }
  }
  return absl::OkStatus();
}

// Every value of a query parameter, comma-separated lists split, blanks dropped.
std::vector<std::string> ListParam(const QueryParams& params, const char* key) {
  std::vector<std::string> values;
  auto [begin, end] = params.equal_range(key);
  for (auto it = begin; it != end; ++it) {
    for (absl::string_view part : absl::StrSplit(it->second, ',')) {
      part = absl::StripAsciiWhitespace(part);
      if (!part.empty()) values.emplace_back(part);
    }
  }
  return values;
}

absl::StatusOr<bool> BoolParam(const QueryParams& params, const char* key, bool default_value) {
  const std::string value = QueryParam(params, key);
  if (value.empty()) return default_value;
  if (std::optional<bool> parsed = settings::ParseBoolWord(value)) return *parsed;
  return absl::InvalidArgumentError(
      absl::StrCat(key, ": must be true or false, got '", value, "'"));
}

absl::StatusOr<int32_t> IntParam(const QueryParams& params, const char* key) {
  const std::string value = QueryParam(params, key);
  int32_t parsed = 0;
  if (value.empty()) return 0;
  if (!absl::SimpleAtoi(value, &parsed) || parsed < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(key, ": must be a whole number >= 0, got '", value, "'"));
  }
  return parsed;
}

absl::StatusOr<v1::RiskLevel> RiskLevelParam(const std::string& text) {
  std::string name = absl::AsciiStrToLower(text);
  if (absl::StartsWith(name, "risk_level_")) name = name.substr(11);
  CHURN_ASSIGN_OR_RETURN(scoring::RiskLevel level, viewsets::ParseRiskLevelName(name));
  switch (level) {
    case scoring::RiskLevel::kLow: return v1::RISK_LEVEL_LOW;
    case scoring::RiskLevel::kMedium: return v1::RISK_LEVEL_MEDIUM;
    case scoring::RiskLevel::kHigh: return v1::RISK_LEVEL_HIGH;
  }
  return v1::RISK_LEVEL_UNSPECIFIED;
}

v1::AtRiskSortField SortFieldToProto(viewsets::AtRiskSort sort) {
  switch (sort) {
    case viewsets::AtRiskSort::kRiskScore: return v1::AT_RISK_SORT_FIELD_RISK_SCORE;
    case viewsets::AtRiskSort::kArr: return v1::AT_RISK_SORT_FIELD_ARR;
    case viewsets::AtRiskSort::kCustomerId: return v1::AT_RISK_SORT_FIELD_CUSTOMER_ID;
    case viewsets::AtRiskSort::kAccountName: return v1::AT_RISK_SORT_FIELD_ACCOUNT_NAME;
    case viewsets::AtRiskSort::kPlanTier: return v1::AT_RISK_SORT_FIELD_PLAN_TIER;
    case viewsets::AtRiskSort::kUsageDropPct: return v1::AT_RISK_SORT_FIELD_USAGE_DROP_PCT;
    case viewsets::AtRiskSort::kTickets30d: return v1::AT_RISK_SORT_FIELD_TICKETS_30D;
    case viewsets::AtRiskSort::kScoreChange30d: return v1::AT_RISK_SORT_FIELD_SCORE_CHANGE_30D;
  }
  return v1::AT_RISK_SORT_FIELD_UNSPECIFIED;
}

// Scripts may name an outcome as the log stores it ("meeting_scheduled"); the API's JSON
// mapping wants the enum name ("OUTCOME_KIND_MEETING_SCHEDULED"). A body nested deeper than an
// outcome ever is goes to the protobuf parser untouched: printing it again would recurse as
// deep as it nests, and keeping it would cost memory for every level.
std::string WithOutcomeEnumName(const std::string& body) {
  constexpr int kMaxDepth = 16;
  bool too_deep = false;
  nlohmann::json json = nlohmann::json::parse(
      body,
      [&too_deep](int depth, nlohmann::json::parse_event_t, const nlohmann::json&) {
        if (depth > kMaxDepth) too_deep = true;
        return depth <= kMaxDepth;
      },
      /*allow_exceptions=*/false);
  if (too_deep || !json.is_object() || !json.contains("kind") || !json["kind"].is_string()) {
    return body;
  }
  absl::StatusOr<outcomes::OutcomeKind> kind =
      outcomes::ParseOutcomeKind(json["kind"].get<std::string>());
  if (!kind.ok()) return body;
  json["kind"] = absl::StrCat("OUTCOME_KIND_",
                              absl::AsciiStrToUpper(std::string(outcomes::OutcomeKindName(*kind))));
  return json.dump();
}

}  // namespace

QueryParams ParseQueryString(const std::string& query) {
  QueryParams params;
  httplib::detail::parse_query_text(query, params);
  return params;
}

std::string QueryParam(const QueryParams& params, const char* key) {
  auto it = params.lower_bound(key);  // the first value, as httplib's get_param_value
  if (it == params.end() || it->first != key) return "";
  return std::string(absl::StripAsciiWhitespace(it->second));
}

absl::Status ParseJsonBody(const std::string& body, google::protobuf::Message* message) {
  if (absl::StripAsciiWhitespace(body).empty()) return absl::OkStatus();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  google::protobuf::util::Status status =
      google::protobuf::util::JsonStringToMessage(body, message, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("body: ", std::string(status.message())));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::ListAtRiskRequest> AtRiskRequestFromQuery(const QueryParams& params) {
  CHURN_RETURN_IF_ERROR(CheckUtf8(params));
  v1::ListAtRiskRequest request;
  for (std::string& tier : ListParam(params, "plan_tier")) request.add_plan_tiers(std::move(tier));
  for (const std::string& name : ListParam(params, "risk_level")) {
    CHURN_ASSIGN_OR_RETURN(v1::RiskLevel level, RiskLevelParam(name));
    request.add_risk_levels(level);
  }
  if (const std::string min_arr = QueryParam(params, "min_arr"); !min_arr.empty()) {
    double value = 0;
    if (!absl::SimpleAtod(min_arr, &value) || !std::isfinite(value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("min_arr: must be a number, got '", min_arr, "'"));
    }
    request.set_min_arr(value);
  }
  CHURN_ASSIGN_OR_RETURN(bool churned, BoolParam(params, "churned", false));
  request.set_only_churned(churned);
  if (const std::string change = QueryParam(params, "min_score_change_30d"); !change.empty()) {
    int32_t value = 0;
    if (!absl::SimpleAtoi(change, &value) || value < -1000 || value > 1000) {
      return absl::InvalidArgumentError(absl::StrCat(
          "min_score_change_30d: must be a whole number of points, got '", change, "'"));
    }
    request.set_min_score_change_30d(value);
  }
  CHURN_ASSIGN_OR_RETURN(bool entered_high, BoolParam(params, "entered_high", false));
  request.set_only_entered_high(entered_high);

  std::string sort = QueryParam(params, "sort");
  if (!sort.empty()) {
    bool descending = false;
    if (sort[0] == '-' || sort[0] == '+') {
      descending = sort[0] == '-';
      sort.erase(0, 1);
    }
    CHURN_ASSIGN_OR_RETURN(viewsets::AtRiskSort field, viewsets::ParseAtRiskSort(sort));
    const std::string order = absl::AsciiStrToLower(QueryParam(params, "order"));
    if (order == "desc") {
      descending = true;
    } else if (order == "asc") {
      descending = false;
    } else if (!order.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("order: must be asc or desc, got '", QueryParam(params, "order"), "'"));
    }
    request.set_sort_by(SortFieldToProto(field));
    request.set_descending(descending);
  }
  CHURN_ASSIGN_OR_RETURN(int32_t limit, IntParam(params, "limit"));
  request.set_page_size(limit);
  CHURN_ASSIGN_OR_RETURN(int32_t offset, IntParam(params, "offset"));
  request.set_offset(offset);
  request.set_page_token(QueryParam(params, "page_token"));
  return request;
}

absl::StatusOr<v1::ListOutcomesRequest> OutcomesRequestFromQuery(const QueryParams& params) {
  CHURN_RETURN_IF_ERROR(CheckUtf8(params));
  v1::ListOutcomesRequest request;
  request.set_customer_id(QueryParam(params, "customer_id"));
  CHURN_ASSIGN_OR_RETURN(int32_t page_size, IntParam(params, "page_size"));
  request.set_page_size(page_size);
  request.set_page_token(QueryParam(params, "page_token"));
  return request;
}

absl::StatusOr<v1::RecordOutcomeRequest> RecordOutcomeRequestFromBody(
    const std::string& body, const std::string& path_customer_id) {
  v1::RecordOutcomeRequest request;
  CHURN_RETURN_IF_ERROR(ParseJsonBody(WithOutcomeEnumName(body), &request));
  if (!request.customer_id().empty() && request.customer_id() != path_customer_id) {
    return absl::InvalidArgumentError("customer_id: the body names another customer than the path");
  }
  request.set_customer_id(path_customer_id);
  return request;
}

absl::StatusOr<v1::AnalyzeTicketTextRequest> AnalyzeTicketTextRequestFromBody(
    const std::string& body) {
  v1::AnalyzeTicketTextRequest request;
  CHURN_RETURN_IF_ERROR(ParseJsonBody(body, &request));
  return request;
}

absl::StatusOr<v1::AnalyzeTicketSetRequest> TicketSetRequestFromBody(const std::string& body,
                                                                     const std::string& set_name) {
  v1::AnalyzeTicketSetRequest request;
  CHURN_RETURN_IF_ERROR(ParseJsonBody(body, &request));
  request.set_set_name(set_name);
  if (request.limit() < 0 || request.timeout_ms() < 0) {
    return absl::InvalidArgumentError("limit and timeout_ms: must be >= 0");
  }
  return request;
}

absl::StatusOr<v1::AnalyzeTicketSetRequest> UploadRequestFromQuery(const QueryParams& params,
                                                                   const std::string& body) {
  CHURN_RETURN_IF_ERROR(CheckUtf8(params));
  v1::AnalyzeTicketSetRequest request;
  request.set_file_name(QueryParam(params, "file_name"));
  CHURN_ASSIGN_OR_RETURN(int32_t limit, IntParam(params, "limit"));
  CHURN_ASSIGN_OR_RETURN(int32_t timeout, IntParam(params, "timeout_ms"));
  request.set_limit(limit);
  request.set_timeout_ms(timeout);
  if (body.empty()) return absl::InvalidArgumentError("body: a CSV file is required");
  request.set_csv_upload(body);
  return request;
}

absl::StatusOr<v1::RefreshRequest> RefreshRequestFromBody(const std::string& body) {
  v1::RefreshRequest request;
  CHURN_RETURN_IF_ERROR(ParseJsonBody(body, &request));
  return request;
}

absl::StatusOr<v1::GetModelQualityRequest> ModelQualityRequestFromQuery(const QueryParams& params) {
  CHURN_RETURN_IF_ERROR(CheckUtf8(params));
  v1::GetModelQualityRequest request;
  v1::BacktestWindow* window = request.mutable_window();
  window->set_from(QueryParam(params, "from"));
  window->set_to(QueryParam(params, "to"));
  CHURN_ASSIGN_OR_RETURN(int32_t step_days, IntParam(params, "step_days"));
  CHURN_ASSIGN_OR_RETURN(int32_t horizon_days, IntParam(params, "horizon_days"));
  window->set_step_days(step_days);
  window->set_horizon_days(horizon_days);
  return request;
}

absl::StatusOr<v1::UploadDataSetFilesRequest> DataSetUploadFromRequest(const QueryParams& params,
                                                                       bool zip,
                                                                       const std::string& body) {
  CHURN_RETURN_IF_ERROR(CheckUtf8(params));
  v1::UploadDataSetFilesRequest request;
  if (zip) {
    request.set_name(QueryParam(params, "name"));
    v1::DataSetFile* file = request.add_files();
    const std::string file_name = QueryParam(params, "file_name");
    file->set_file_name(file_name.empty() ? "upload.zip" : file_name);
    file->set_content(body);
  } else {
    CHURN_RETURN_IF_ERROR(ParseJsonBody(body, &request));
  }
  if (request.name().empty()) return absl::InvalidArgumentError("name: required");
  if (request.files().empty()) {
    return absl::InvalidArgumentError("files: send the five tables, or one zip of them");
  }
  for (const v1::DataSetFile& file : request.files()) {
    if (file.file_name().empty()) return absl::InvalidArgumentError("files.file_name: required");
    if (file.content().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("files: '", file.file_name(), "' is empty"));
    }
  }
  return request;
}

absl::StatusOr<v1::SelectDataSetRequest> SelectDataSetRequestFromBody(const std::string& body) {
  v1::SelectDataSetRequest request;
  CHURN_RETURN_IF_ERROR(ParseJsonBody(body, &request));
  return request;
}

}  // namespace churn::gateway
