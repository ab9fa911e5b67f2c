// Fuzzes the gateway's HTTP query parameters: the input is a raw query string (what follows
// '?'), split and decoded by httplib as its server does, then read by every query-driven route
// (at-risk list and exports, outcomes, ticket upload). Properties: no crash, exception or
// sanitizer report; errors are INVALID_ARGUMENT with UTF-8 text (they are sent as JSON); an
// accepted request holds valid values only (trimmed, non-empty list items, known levels and
// sort fields, finite min_arr, counts >= 0, UTF-8 strings that survive protobuf's own parse)
// and reads back the same from a query string written from it.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <google/protobuf/util/message_differencer.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "http_request_parsing.h"
#include "nlohmann/json.hpp"
#include "fuzz_check.h"

namespace {

namespace gateway = churn::gateway;
namespace v1 = churn::v1;

using churn::fuzz::Check;

void CheckError(const absl::Status& status) {
  Check(status.code() == absl::StatusCode::kInvalidArgument, "INVALID_ARGUMENT");
  Check(!status.message().empty(), "errors explain themselves");
  (void)nlohmann::json(std::string(status.message())).dump();  // throws unless UTF-8
}

bool Trimmed(absl::string_view text) { return absl::StripAsciiWhitespace(text) == text; }

// Protobuf's binary parse rejects strings that are not UTF-8.
void CheckReparses(const google::protobuf::Message& message) {
  std::unique_ptr<google::protobuf::Message> copy(message.New());
  Check(copy->ParseFromString(message.SerializeAsString()), "protobuf parses it back");
  Check(google::protobuf::util::MessageDifferencer::Equals(message, *copy), "binary round trip");
}

// Every byte percent-encoded: decoding gives it back whatever it is.
std::string Encoded(std::string_view text) {
  std::string encoded;
  for (char c : text) absl::StrAppend(&encoded, absl::StrFormat("%%%02X", static_cast<uint8_t>(c)));
  return encoded;
}

std::string SortName(v1::AtRiskSortField field) {
  switch (field) {
    case v1::AT_RISK_SORT_FIELD_RISK_SCORE: return "risk_score";
    case v1::AT_RISK_SORT_FIELD_ARR: return "arr";
    case v1::AT_RISK_SORT_FIELD_CUSTOMER_ID: return "customer_id";
    case v1::AT_RISK_SORT_FIELD_ACCOUNT_NAME: return "account_name";
    case v1::AT_RISK_SORT_FIELD_PLAN_TIER: return "plan_tier";
    case v1::AT_RISK_SORT_FIELD_USAGE_DROP_PCT: return "usage_drop_pct";
    case v1::AT_RISK_SORT_FIELD_TICKETS_30D: return "tickets_30d";
    case v1::AT_RISK_SORT_FIELD_SCORE_CHANGE_30D: return "score_change_30d";
    default: Check(false, "a known sort field"); return "";
  }
}

std::string AtRiskQueryFor(const v1::ListAtRiskRequest& request) {
  std::string tiers;
  for (const std::string& tier : request.plan_tiers()) {
    absl::StrAppend(&tiers, tiers.empty() ? "" : ",", Encoded(tier));
  }
  std::string query = absl::StrCat("plan_tier=", tiers, "&risk_level=");
  // One list: httplib drops a repeated identical "key=value", a list keeps repeated levels.
  for (int i = 0; i < request.risk_levels_size(); ++i) {
    const int level = request.risk_levels(i);
    absl::StrAppend(&query, i == 0 ? "" : ",",
                    level == v1::RISK_LEVEL_LOW      ? "low"
                    : level == v1::RISK_LEVEL_MEDIUM ? "Medium"
                                                     : "RISK_LEVEL_HIGH");
  }
  if (request.min_arr() != 0 || std::signbit(request.min_arr())) {  // -0 is a value too
    absl::StrAppend(&query, "&min_arr=", Encoded(absl::StrFormat("%.17g", request.min_arr())));
  }
  if (request.only_churned()) absl::StrAppend(&query, "&churned=yes");
  if (request.sort_by() != v1::AT_RISK_SORT_FIELD_UNSPECIFIED) {
    absl::StrAppend(&query, "&sort=", request.descending() ? "-" : "", SortName(request.sort_by()));
  }
  absl::StrAppend(&query, "&limit=", request.page_size(), "&offset=", request.offset(),
                  "&page_token=", Encoded(request.page_token()));
  return query;
}

void CheckAtRisk(const std::string& query) {
  const gateway::QueryParams params = gateway::ParseQueryString(query);
  const absl::StatusOr<v1::ListAtRiskRequest> request = gateway::AtRiskRequestFromQuery(params);
  if (!request.ok()) return CheckError(request.status());
  for (const std::string& tier : request->plan_tiers()) {
    Check(!tier.empty() && Trimmed(tier), "plan tiers are trimmed and not empty");
    Check(tier.find(',') == std::string::npos, "plan tier lists are split");
  }
  for (int level : request->risk_levels()) {
    Check(level == v1::RISK_LEVEL_LOW || level == v1::RISK_LEVEL_MEDIUM ||
              level == v1::RISK_LEVEL_HIGH,
          "known risk levels");
  }
  Check(std::isfinite(request->min_arr()), "min_arr is finite");
  Check(request->page_size() >= 0 && request->offset() >= 0, "limit and offset >= 0");
  Check(request->sort_by() != v1::AT_RISK_SORT_FIELD_UNSPECIFIED || !request->descending(),
        "no direction without a sort");
  Check(Trimmed(request->page_token()), "page token trimmed");
  CheckReparses(*request);

  const absl::StatusOr<v1::ListAtRiskRequest> again =
      gateway::AtRiskRequestFromQuery(gateway::ParseQueryString(AtRiskQueryFor(*request)));
  Check(again.ok(), "its own query is accepted");
  Check(google::protobuf::util::MessageDifferencer::Equals(*request, *again), "query round trip");
}

void CheckOutcomes(const std::string& query) {
  const absl::StatusOr<v1::ListOutcomesRequest> request =
      gateway::OutcomesRequestFromQuery(gateway::ParseQueryString(query));
  if (!request.ok()) return CheckError(request.status());
  Check(request->page_size() >= 0, "page_size >= 0");
  Check(Trimmed(request->customer_id()) && Trimmed(request->page_token()), "trimmed");
  CheckReparses(*request);
  const absl::StatusOr<v1::ListOutcomesRequest> again =
      gateway::OutcomesRequestFromQuery(gateway::ParseQueryString(absl::StrCat(
          "page_token=", Encoded(request->page_token()), "&page_size=", request->page_size(),
          "&customer_id=", Encoded(request->customer_id()))));
  Check(again.ok(), "its own query is accepted");
  Check(google::protobuf::util::MessageDifferencer::Equals(*request, *again), "query round trip");
}

void CheckUpload(const std::string& query) {
  const gateway::QueryParams params = gateway::ParseQueryString(query);
  const absl::StatusOr<v1::AnalyzeTicketSetRequest> empty =
      gateway::UploadRequestFromQuery(params, "");
  Check(!empty.ok(), "an upload needs a body");
  CheckError(empty.status());

  const std::string csv = "subject,body\nRenewal,Too expensive\n";
  const absl::StatusOr<v1::AnalyzeTicketSetRequest> request =
      gateway::UploadRequestFromQuery(params, csv);
  if (!request.ok()) return CheckError(request.status());
  Check(request->source_case() == v1::AnalyzeTicketSetRequest::kCsvUpload, "an upload");
  Check(request->csv_upload() == csv, "the body is the CSV");
  Check(request->limit() >= 0 && request->timeout_ms() >= 0, "limit and timeout >= 0");
  Check(Trimmed(request->file_name()), "file name trimmed");
  CheckReparses(*request);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string query(reinterpret_cast<const char*>(data), size);
  CheckAtRisk(query);
  CheckOutcomes(query);
  CheckUpload(query);
  return 0;
}
