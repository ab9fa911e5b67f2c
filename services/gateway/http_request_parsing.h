#pragma once
// The HTTP API's requests, from the raw query string and body to the gateway.proto request
// messages, or INVALID_ARGUMENT saying which parameter or field is wrong. No server inside: the
// routes in http_api.cc call these, and tests and fuzzers call them with plain text.

#include <map>
#include <string>

#include <google/protobuf/message.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "churn/v1/gateway.pb.h"

namespace churn::gateway {

// A request's query parameters, as httplib keeps them (httplib::Params): a key may repeat.
using QueryParams = std::multimap<std::string, std::string>;

// The query part of a URL (after '?') split and percent-decoded as httplib's server does it.
QueryParams ParseQueryString(const std::string& query);

// The first value of `key`, surrounding blanks removed ("" when absent).
std::string QueryParam(const QueryParams& params, const char* key);

// An empty body is the default message; unknown fields are mistakes worth reporting.
absl::Status ParseJsonBody(const std::string& body, google::protobuf::Message* message);

// GET /api/v1/at-risk and the CSV exports: plan_tier=a,b&risk_level=high,medium&min_arr=
// &churned=&min_score_change_30d=&entered_high=&sort=[-]field&order=asc|desc&limit=&offset=
// &page_token=. `sort=-arr` sorts
// descending, `sort=arr` ascending (order overrides); no sort is the at-risk order.
absl::StatusOr<v1::ListAtRiskRequest> AtRiskRequestFromQuery(const QueryParams& params);

// GET /api/v1/outcomes?customer_id=&page_size=&page_token=
absl::StatusOr<v1::ListOutcomesRequest> OutcomesRequestFromQuery(const QueryParams& params);

// POST /api/v1/customers/{id}/outcomes: the body may name the kind as the log stores it
// ("meeting_scheduled") or as the enum ("OUTCOME_KIND_MEETING_SCHEDULED"), and may repeat the
// path's customer id but not name another.
absl::StatusOr<v1::RecordOutcomeRequest> RecordOutcomeRequestFromBody(
    const std::string& body, const std::string& path_customer_id);

// POST /api/v1/tickets/analyze
absl::StatusOr<v1::AnalyzeTicketTextRequest> AnalyzeTicketTextRequestFromBody(
    const std::string& body);

// POST /api/v1/tickets/sets/{name}/analyze: {"limit", "timeout_ms"}, both >= 0.
absl::StatusOr<v1::AnalyzeTicketSetRequest> TicketSetRequestFromBody(const std::string& body,
                                                                     const std::string& set_name);

// POST /api/v1/tickets/upload/analyze?file_name=&limit=&timeout_ms= with the CSV as the body.
absl::StatusOr<v1::AnalyzeTicketSetRequest> UploadRequestFromQuery(const QueryParams& params,
                                                                   const std::string& body);

// POST /api/v1/refresh
absl::StatusOr<v1::RefreshRequest> RefreshRequestFromBody(const std::string& body);

// ?from=YYYY-MM-DD&to=&step_days=&horizon_days= (each optional; the dates are checked by ingest).
absl::StatusOr<v1::GetModelQualityRequest> ModelQualityRequestFromQuery(const QueryParams& params);
// POST /api/v1/data-sets/upload: with `zip`, the body is one zip (?name=&file_name=, the file
// name defaulting to "upload.zip"); otherwise JSON {"name", "files": [{"file_name", "content"}]}
// with each file's content in base64. A name and at least one non-empty file are required.
absl::StatusOr<v1::UploadDataSetFilesRequest> DataSetUploadFromRequest(const QueryParams& params,
                                                                       bool zip,
                                                                       const std::string& body);

// POST /api/v1/data-sets/select: {"name"}; an empty name selects the configured data folder.
absl::StatusOr<v1::SelectDataSetRequest> SelectDataSetRequestFromBody(const std::string& body);

}  // namespace churn::gateway
