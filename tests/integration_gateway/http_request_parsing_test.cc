// The HTTP API's query strings and JSON bodies -> request messages, without a server: what the
// routes accept, what they refuse, and inputs that once broke them.
#include "http_request_parsing.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace churn::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(HttpRequestParsing, AtRiskQueryWithListsSortAndPaging) {
  absl::StatusOr<v1::ListAtRiskRequest> request = AtRiskRequestFromQuery(ParseQueryString(
      "plan_tier=enterprise,%20growth%20,,&plan_tier=starter&risk_level=High,RISK_LEVEL_LOW"
      "&min_arr=25000&churned=yes&sort=-arr&limit=50&offset=10&page_token=abc%3D"));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_THAT(request->plan_tiers(), ElementsAre("enterprise", "growth", "starter"));
  EXPECT_THAT(request->risk_levels(), ElementsAre(v1::RISK_LEVEL_HIGH, v1::RISK_LEVEL_LOW));
  EXPECT_EQ(request->min_arr(), 25000);
  EXPECT_TRUE(request->only_churned());
  EXPECT_EQ(request->sort_by(), v1::AT_RISK_SORT_FIELD_ARR);
  EXPECT_TRUE(request->descending());
  EXPECT_EQ(request->page_size(), 50);
  EXPECT_EQ(request->offset(), 10);
  EXPECT_EQ(request->page_token(), "abc=");
}

TEST(HttpRequestParsing, AtRiskQueryWithRiskHistoryFiltersAndSort) {
  absl::StatusOr<v1::ListAtRiskRequest> request = AtRiskRequestFromQuery(
      ParseQueryString("min_score_change_30d=-5&entered_high=true&sort=-score_change_30d"));
  ASSERT_TRUE(request.ok()) << request.status();
  ASSERT_TRUE(request->has_min_score_change_30d());
  EXPECT_EQ(request->min_score_change_30d(), -5);
  EXPECT_TRUE(request->only_entered_high());
  EXPECT_EQ(request->sort_by(), v1::AT_RISK_SORT_FIELD_SCORE_CHANGE_30D);
  EXPECT_TRUE(request->descending());
  // Absent is "no filter", not a change of at least 0.
  request = AtRiskRequestFromQuery(ParseQueryString("min_score_change_30d="));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_FALSE(request->has_min_score_change_30d());
  EXPECT_FALSE(request->only_entered_high());
}

TEST(HttpRequestParsing, AtRiskQueryErrorsNameTheParameter) {
  for (const char* query :
       {"min_arr=1e309", "min_arr=abc", "churned=maybe", "sort=price", "sort=arr&order=sideways",
        "limit=-1", "offset=2147483648", "risk_level=severe", "min_score_change_30d=1.5",
        "min_score_change_30d=5000", "entered_high=perhaps"}) {
    absl::StatusOr<v1::ListAtRiskRequest> request = AtRiskRequestFromQuery(ParseQueryString(query));
    EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument) << query;
  }
  EXPECT_THAT(AtRiskRequestFromQuery(ParseQueryString("limit=x")).status().message(),
              HasSubstr("limit: must be a whole number >= 0, got 'x'"));
}

// Request strings are protobuf strings and errors are JSON: both need UTF-8, so a query that
// decodes to anything else is refused before a value is used or quoted.
TEST(HttpRequestParsing, QueriesThatAreNotUtf8AreRefused) {
  for (const char* query : {"customer_id=%FF", "page_token=%E0%80%80", "min_arr=%C3", "%FF=1"}) {
    EXPECT_THAT(OutcomesRequestFromQuery(ParseQueryString(query)).status().message(),
                HasSubstr("UTF-8"))
        << query;
    EXPECT_THAT(AtRiskRequestFromQuery(ParseQueryString(query)).status().message(),
                HasSubstr("UTF-8"))
        << query;
    EXPECT_THAT(UploadRequestFromQuery(ParseQueryString(query), "text\nx\n").status().message(),
                HasSubstr("UTF-8"))
        << query;
  }
  absl::StatusOr<v1::ListOutcomesRequest> accented =
      OutcomesRequestFromQuery(ParseQueryString("customer_id=caf%C3%A9&page_size=5"));
  ASSERT_TRUE(accented.ok()) << accented.status();
  EXPECT_EQ(accented->customer_id(), "caf\xC3\xA9");
  EXPECT_EQ(accented->page_size(), 5);
}

TEST(HttpRequestParsing, UploadNeedsABodyAndValidCounts) {
  const QueryParams params = ParseQueryString("file_name=%20export.csv%20&limit=3&timeout_ms=900");
  EXPECT_THAT(UploadRequestFromQuery(params, "").status().message(),
              HasSubstr("a CSV file is required"));
  absl::StatusOr<v1::AnalyzeTicketSetRequest> request = UploadRequestFromQuery(params, "text\nx\n");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->file_name(), "export.csv");
  EXPECT_EQ(request->csv_upload(), "text\nx\n");
  EXPECT_EQ(request->limit(), 3);
  EXPECT_EQ(request->timeout_ms(), 900);
  EXPECT_FALSE(UploadRequestFromQuery(ParseQueryString("timeout_ms=-5"), "text\nx\n").ok());
}

TEST(HttpRequestParsing, OutcomeBodyTakesTheLogsKindNamesAndThePathsCustomer) {
  absl::StatusOr<v1::RecordOutcomeRequest> request =
      RecordOutcomeRequestFromBody(R"({"kind": "meeting_scheduled", "notes": "Tuesday"})", "C-1");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->kind(), v1::OUTCOME_KIND_MEETING_SCHEDULED);
  EXPECT_EQ(request->customer_id(), "C-1");
  EXPECT_EQ(request->notes(), "Tuesday");
  EXPECT_TRUE(RecordOutcomeRequestFromBody(
                  R"({"kind": "OUTCOME_KIND_RENEWED", "customer_id": "C-1"})", "C-1")
                  .ok());
  EXPECT_THAT(RecordOutcomeRequestFromBody(R"({"kind": "renewed", "customer_id": "C-2"})", "C-1")
                  .status()
                  .message(),
              HasSubstr("another customer"));
  EXPECT_EQ(
      RecordOutcomeRequestFromBody(R"({"kind": "renewed", "by": "x"})", "C-1").status().code(),
      absl::StatusCode::kInvalidArgument);
}

// The kind's rewriting printed the whole parsed body again, recursing once per level: a body of
// deeply nested arrays (well within the 8 MB limit) exhausted the gateway thread's stack.
TEST(HttpRequestParsing, ADeeplyNestedOutcomeBodyIsAnErrorNotACrash) {
  constexpr int kDepth = 1000000;
  const std::string body = R"({"kind": "contacted", "notes": )" + std::string(kDepth, '[') +
                           std::string(kDepth, ']') + "}";
  absl::StatusOr<v1::RecordOutcomeRequest> request = RecordOutcomeRequestFromBody(body, "C-1");
  EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(HttpRequestParsing, TicketSetAndRefreshBodies) {
  absl::StatusOr<v1::AnalyzeTicketSetRequest> set =
      TicketSetRequestFromBody(R"({"limit": 25, "timeout_ms": 8000})", "tickets.csv");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->set_name(), "tickets.csv");
  EXPECT_EQ(set->limit(), 25);
  EXPECT_THAT(TicketSetRequestFromBody(R"({"limit": -1})", "t.csv").status().message(),
              HasSubstr("must be >= 0"));
  EXPECT_TRUE(TicketSetRequestFromBody("  ", "t.csv").ok());  // an empty body is the default

  absl::StatusOr<v1::RefreshRequest> refresh = RefreshRequestFromBody(R"({"reload_data": true})");
  ASSERT_TRUE(refresh.ok()) << refresh.status();
  EXPECT_TRUE(refresh->reload_data());
  EXPECT_THAT(RefreshRequestFromBody(R"({"reload": true})").status().message(), HasSubstr("body:"));

  absl::StatusOr<v1::AnalyzeTicketTextRequest> ticket =
      AnalyzeTicketTextRequestFromBody(R"({"subject": "Renewal", "body": "Too expensive"})");
  ASSERT_TRUE(ticket.ok()) << ticket.status();
  EXPECT_EQ(ticket->subject(), "Renewal");
}

TEST(HttpRequestParsing, DataSetUploadAsJsonWithBase64OrAsAZip) {
  // "YSxiCg==" is "a,b\n".
  absl::StatusOr<v1::UploadDataSetFilesRequest> json = DataSetUploadFromRequest(
      {}, false,
      R"({"name": "q3", "files": [{"file_name": "accounts.csv", "content": "YSxiCg=="}]})");
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(json->name(), "q3");
  ASSERT_EQ(json->files_size(), 1);
  EXPECT_EQ(json->files(0).content(), "a,b\n");
  EXPECT_THAT(DataSetUploadFromRequest({}, false, R"({"files": []})").status().message(),
              HasSubstr("name: required"));
  EXPECT_THAT(DataSetUploadFromRequest({}, false, R"({"name": "q3"})").status().message(),
              HasSubstr("files:"));
  EXPECT_THAT(
      DataSetUploadFromRequest({}, false, R"({"name": "q3", "files": [{"file_name": "a.csv"}]})")
          .status()
          .message(),
      HasSubstr("'a.csv' is empty"));
  EXPECT_FALSE(DataSetUploadFromRequest({}, false, R"({"name": "q3", "files": [], "x": 1})").ok());

  absl::StatusOr<v1::UploadDataSetFilesRequest> zip =
      DataSetUploadFromRequest(ParseQueryString("name=q4"), true, "PK\x03\x04");
  ASSERT_TRUE(zip.ok()) << zip.status();
  EXPECT_EQ(zip->name(), "q4");
  ASSERT_EQ(zip->files_size(), 1);
  EXPECT_EQ(zip->files(0).file_name(), "upload.zip");
  EXPECT_EQ(zip->files(0).content(), "PK\x03\x04");
  EXPECT_FALSE(DataSetUploadFromRequest(ParseQueryString("name=q4"), true, "").ok());
  EXPECT_FALSE(DataSetUploadFromRequest({}, true, "PK").ok());

  absl::StatusOr<v1::SelectDataSetRequest> select =
      SelectDataSetRequestFromBody(R"({"name": "q3"})");
  ASSERT_TRUE(select.ok()) << select.status();
  EXPECT_EQ(select->name(), "q3");
  EXPECT_TRUE(SelectDataSetRequestFromBody("{}").ok());
}

}  // namespace
}  // namespace churn::gateway
