// GatewayApi (the operations behind both the gRPC service and the HTTP API) over an in-memory
// ViewStore and a real outcome log file: paging, validation, freshness and the brief.
#include "gateway_api.h"
#include "risk_trends.h"
#include "riskhistory/history_store.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "scoring/rule_set.h"
#include "viewsets/sample_views.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/scratch_dir.h"

namespace churn::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class GatewayApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<outcomes::OutcomeLog>> log =
        outcomes::OutcomeLog::Open((dir_ / "outcomes.sqlite").string());
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
    GatewayApiOptions options;
    options.default_page_size = 2;
    options.max_page_size = 3;
    api_ = std::make_unique<GatewayApi>(options, &store_, log_.get());
  }

  void TearDown() override {
    api_.reset();
    log_.reset();
  }

  void Publish() { store_.Publish(viewsets::testing::SampleViews(7, absl::Now()), absl::Now()); }

  static std::vector<std::string> Ids(const v1::ListAtRiskResponse& response) {
    std::vector<std::string> ids;
    for (const v1::ScoredCustomer& c : response.customers()) ids.push_back(c.signals().customer_id());
    return ids;
  }

  const churn::testing::ScratchDir scratch_;
  const std::filesystem::path dir_ = scratch_.path();
  viewsets::ViewStore store_;
  std::unique_ptr<outcomes::OutcomeLog> log_;
  std::unique_ptr<GatewayApi> api_;
};

TEST_F(GatewayApiTest, ViewsAreUnavailableUntilTheFirstBuildAndSayWhy) {
  store_.RecordFailure(absl::UnavailableError("ingest GetSnapshotInfo: connection refused"),
                       absl::Now());
  v1::GetExecutiveResponse executive;
  absl::Status status = api_->GetExecutive(&executive);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(status.message()), HasSubstr("connection refused"));
  v1::ListAtRiskResponse list;
  EXPECT_EQ(api_->ListAtRisk({}, &list).code(), absl::StatusCode::kUnavailable);
  v1::RecordOutcomeRequest outcome;
  outcome.set_customer_id("S-1");
  outcome.set_kind(v1::OUTCOME_KIND_CONTACTED);
  v1::RecordOutcomeResponse recorded;
  EXPECT_EQ(api_->RecordOutcome(outcome, "ana", &recorded).code(), absl::StatusCode::kUnavailable);
}

TEST_F(GatewayApiTest, ExecutiveCarriesFiguresAndFreshness) {
  Publish();
  v1::GetExecutiveResponse executive;
  ASSERT_TRUE(api_->GetExecutive(&executive).ok());
  EXPECT_EQ(executive.customers(), 5);
  EXPECT_EQ(executive.high_risk_customers(), 1);
  EXPECT_DOUBLE_EQ(executive.high_risk_arr(), 5000);
  EXPECT_EQ(executive.freshness().snapshot_version(), 7);
  EXPECT_FALSE(executive.freshness().stale());
  EXPECT_EQ(executive.freshness().usage_window_end(), "2024-12-31");
  EXPECT_EQ(executive.freshness().support_window_end(), "2024-12-30");
  EXPECT_EQ(executive.freshness().rules_sha256(), "abc");
  ASSERT_TRUE(executive.freshness().has_as_of());
  EXPECT_LE(std::abs(executive.freshness().as_of().seconds() - absl::ToUnixSeconds(absl::Now())),
            60);

  store_.RecordFailure(absl::UnavailableError("scoring down"), absl::Now() + absl::Seconds(1));
  ASSERT_TRUE(api_->GetExecutive(&executive).ok());
  EXPECT_TRUE(executive.freshness().stale());
  EXPECT_THAT(executive.freshness().last_error(), HasSubstr("scoring down"));
}

TEST_F(GatewayApiTest, AtRiskPagesWithTokensAndCapsThePageSize) {
  Publish();
  v1::ListAtRiskRequest request;  // default page size 2
  v1::ListAtRiskResponse page;
  ASSERT_TRUE(api_->ListAtRisk(request, &page).ok());
  EXPECT_THAT(Ids(page), ElementsAre("S-1", "S-2"));
  EXPECT_EQ(page.total_matched(), 5);
  ASSERT_FALSE(page.next_page_token().empty());

  std::vector<std::string> all = Ids(page);
  while (!page.next_page_token().empty()) {
    request.set_page_token(page.next_page_token());
    page.Clear();
    ASSERT_TRUE(api_->ListAtRisk(request, &page).ok());
    for (const std::string& id : Ids(page)) all.push_back(id);
  }
  EXPECT_THAT(all, ElementsAre("S-1", "S-2", "S-4", "S-3", "S-5"));
  EXPECT_EQ(page.offset(), 4);
  // Back from the last page, with the page size of the request that asked.
  ASSERT_FALSE(page.previous_page_token().empty());
  request.set_page_token(page.previous_page_token());
  page.Clear();
  ASSERT_TRUE(api_->ListAtRisk(request, &page).ok());
  EXPECT_EQ(page.offset(), 2);
  EXPECT_THAT(Ids(page), ElementsAre("S-4", "S-3"));
  request.set_page_token(page.previous_page_token());
  page.Clear();
  ASSERT_TRUE(api_->ListAtRisk(request, &page).ok());
  EXPECT_EQ(page.offset(), 0);
  EXPECT_TRUE(page.previous_page_token().empty());

  request.Clear();
  request.set_page_size(100);  // capped at 3
  page.Clear();
  ASSERT_TRUE(api_->ListAtRisk(request, &page).ok());
  EXPECT_EQ(page.customers_size(), 3);

  request.Clear();
  request.set_offset(3);
  page.Clear();
  ASSERT_TRUE(api_->ListAtRisk(request, &page).ok());
  EXPECT_THAT(Ids(page), ElementsAre("S-3", "S-5"));
  EXPECT_TRUE(page.next_page_token().empty());
}

TEST_F(GatewayApiTest, AtRiskRefusesATokenFromOlderViewsOrOtherFilters) {
  Publish();
  v1::ListAtRiskRequest request;
  request.add_plan_tiers("Pro");
  request.add_plan_tiers("Basic");
  request.set_page_size(1);
  v1::ListAtRiskResponse first;
  ASSERT_TRUE(api_->ListAtRisk(request, &first).ok());
  ASSERT_FALSE(first.next_page_token().empty());
  request.set_page_token(first.next_page_token());

  // The same filters in another spelling and another page size: the same rows, so accepted.
  v1::ListAtRiskRequest respelled;
  respelled.add_plan_tiers("basic");
  respelled.add_plan_tiers("PRO");
  respelled.set_page_size(2);
  respelled.set_page_token(first.next_page_token());
  v1::ListAtRiskResponse page;
  ASSERT_TRUE(api_->ListAtRisk(respelled, &page).ok());
  EXPECT_EQ(page.offset(), 1);

  // Other filters or another sort: refused.
  for (int change = 0; change < 3; ++change) {
    v1::ListAtRiskRequest other = request;
    if (change == 0) other.add_risk_levels(v1::RISK_LEVEL_LOW);
    if (change == 1) other.set_min_arr(500);
    if (change == 2) other.set_sort_by(v1::AT_RISK_SORT_FIELD_ARR);
    absl::Status status = api_->ListAtRisk(other, &page);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << change;
    EXPECT_THAT(std::string(status.message()), HasSubstr("other filters or sort")) << change;
  }

  // New views (a refresh): the old token is refused rather than shifted.
  store_.Publish(viewsets::testing::SampleViews(8, absl::Now()), absl::Now());
  absl::Status status = api_->ListAtRisk(request, &page);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(status.message()),
            "page_token: page token is from an older snapshot; start from the first page");
  request.clear_page_token();
  EXPECT_TRUE(api_->ListAtRisk(request, &page).ok());
}

TEST_F(GatewayApiTest, AtRiskRejectsBadRequestsNamingTheField) {
  Publish();
  v1::ListAtRiskResponse page;
  v1::ListAtRiskRequest request;
  request.set_page_token("not-a-token");
  absl::Status status = api_->ListAtRisk(request, &page);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("page_token"));

  request.Clear();
  request.set_page_size(-1);
  EXPECT_THAT(std::string(api_->ListAtRisk(request, &page).message()), HasSubstr("page_size"));
  request.Clear();
  request.set_offset(-5);
  EXPECT_THAT(std::string(api_->ListAtRisk(request, &page).message()), HasSubstr("offset"));
  request.Clear();
  request.add_risk_levels(v1::RISK_LEVEL_UNSPECIFIED);
  EXPECT_THAT(std::string(api_->ListAtRisk(request, &page).message()), HasSubstr("risk_levels[0]"));
  request.Clear();
  request.set_sort_by(static_cast<v1::AtRiskSortField>(99));
  EXPECT_THAT(std::string(api_->ListAtRisk(request, &page).message()), HasSubstr("sort_by"));
}

TEST_F(GatewayApiTest, AtRiskFiltersAndSorts) {
  Publish();
  v1::ListAtRiskRequest request;
  request.set_page_size(3);
  request.add_risk_levels(v1::RISK_LEVEL_LOW);
  request.set_sort_by(v1::AT_RISK_SORT_FIELD_ARR);  // ascending: descending is false
  v1::ListAtRiskResponse page;
  ASSERT_TRUE(api_->ListAtRisk(request, &page).ok());
  EXPECT_THAT(Ids(page), ElementsAre("S-5", "S-3", "S-4"));
  EXPECT_EQ(page.customers(0).assessment().risk_level(), v1::RISK_LEVEL_LOW);

  request.Clear();
  request.set_page_size(3);
  request.set_descending(false);  // ignored for the unspecified (at-risk) order
  request.set_min_arr(1000);
  request.add_plan_tiers("enterprise");
  request.add_plan_tiers("basic");
  page.Clear();
  ASSERT_TRUE(api_->ListAtRisk(request, &page).ok());
  EXPECT_THAT(Ids(page), ElementsAre("S-1", "S-2"));
}

TEST_F(GatewayApiTest, DriversBySegmentWithLabels) {
  Publish();
  v1::GetDriversRequest request;
  request.set_segment("country");
  v1::GetDriversResponse drivers;
  ASSERT_TRUE(api_->GetDrivers(request, &drivers).ok());
  EXPECT_EQ(drivers.segment(), "country");
  ASSERT_EQ(drivers.segments_size(), 3);
  EXPECT_EQ(drivers.segments(2).segment(), "US");
  EXPECT_EQ(drivers.segments(2).high(), 1);
  EXPECT_EQ(drivers.plan_tiers_size(), 4);
  ASSERT_EQ(drivers.churn_reasons_size(), 2);
  EXPECT_EQ(drivers.churn_reasons(0).reason_code(), "budget");
  EXPECT_EQ(drivers.churn_reasons(0).count(), 5);
  ASSERT_GT(drivers.drivers_size(), 0);
  for (const v1::DriverCount& driver : drivers.drivers()) {
    EXPECT_FALSE(driver.label().empty()) << driver.rule();
  }
  request.set_segment("planet");
  EXPECT_EQ(api_->GetDrivers(request, &drivers).code(), absl::StatusCode::kInvalidArgument);
}

// The labels are the rules file's (libs/scoring): a custom file changes what the view says.
TEST_F(GatewayApiTest, DriverLabelsFollowTheRulesFile) {
  std::string yaml(scoring::DefaultRuleSetYaml());
  const std::string from = "label: \"High support load\"";
  ASSERT_NE(yaml.find(from), std::string::npos);
  yaml.replace(yaml.find(from), from.size(), "label: \"Too many tickets\"");
  absl::StatusOr<scoring::RuleSet> custom = scoring::ParseRuleSet(yaml, "custom.yaml");
  ASSERT_TRUE(custom.ok()) << custom.status();

  auto drivers_with = [&](const scoring::RuleSet& rules) {
    viewsets::ViewSetInputs inputs;
    inputs.customers = viewsets::testing::SampleCustomers();
    inputs.snapshot_version = 9;
    inputs.rule_labels = scoring::RuleLabels(rules);
    store_.Publish(viewsets::ViewSet::Build(std::move(inputs)), absl::Now());
    v1::GetDriversResponse drivers;
    EXPECT_TRUE(api_->GetDrivers(v1::GetDriversRequest(), &drivers).ok());
    std::map<std::string, std::string> labels;
    for (const v1::DriverCount& driver : drivers.drivers()) labels[driver.rule()] = driver.label();
    return labels;
  };
  std::map<std::string, std::string> labels = drivers_with(scoring::DefaultRuleSet());
  ASSERT_TRUE(labels.contains("support_load"));
  EXPECT_EQ(labels["support_load"], "High support load");
  labels = drivers_with(*custom);
  EXPECT_EQ(labels["support_load"], "Too many tickets");
}

TEST_F(GatewayApiTest, BriefHasChecklistDraftsAndOutcomesNewestFirst) {
  Publish();
  for (v1::OutcomeKind kind : {v1::OUTCOME_KIND_CONTACTED, v1::OUTCOME_KIND_RENEWED}) {
    v1::RecordOutcomeRequest request;
    request.set_customer_id("S-1");
    request.set_kind(kind);
    request.set_notes("note");
    v1::RecordOutcomeResponse response;
    ASSERT_TRUE(api_->RecordOutcome(request, "ana", &response).ok());
    EXPECT_GT(response.outcome().id(), 0);
    EXPECT_EQ(response.outcome().kind(), kind);
    // Recorded now, in whole seconds.
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    EXPECT_LE(std::abs(response.outcome().recorded_at().seconds() - now), 60);
    EXPECT_EQ(response.outcome().recorded_at().nanos(), 0);
  }
  v1::GetCustomerBriefRequest request;
  request.set_customer_id("S-1");
  v1::GetCustomerBriefResponse brief;
  ASSERT_TRUE(api_->GetCustomerBrief(request, &brief).ok());
  EXPECT_EQ(brief.customer().assessment().risk_score(), 80);
  ASSERT_GT(brief.checklist_size(), 2);
  EXPECT_EQ(brief.checklist(0).step(), 1);
  EXPECT_EQ(brief.checklist(0).title(), "Schedule a check-in to reset goals");
  EXPECT_FALSE(brief.outreach().email_subject().empty());
  EXPECT_THAT(brief.outreach().slack_message(), HasSubstr("[High risk 80/100]"));
  ASSERT_EQ(brief.outcomes_size(), 2);
  EXPECT_EQ(brief.outcomes(0).kind(), v1::OUTCOME_KIND_RENEWED);
  EXPECT_EQ(brief.freshness().snapshot_version(), 7);

  request.set_customer_id("S-404");
  EXPECT_EQ(api_->GetCustomerBrief(request, &brief).code(), absl::StatusCode::kNotFound);
  request.set_customer_id("");
  EXPECT_EQ(api_->GetCustomerBrief(request, &brief).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(GatewayApiTest, RecordOutcomeValidatesEveryField) {
  Publish();
  v1::RecordOutcomeRequest request;
  v1::RecordOutcomeResponse response;
  request.set_kind(v1::OUTCOME_KIND_CONTACTED);
  EXPECT_THAT(std::string(api_->RecordOutcome(request, "ana", &response).message()),
              HasSubstr("customer_id"));
  request.set_customer_id("S-1");
  request.set_kind(v1::OUTCOME_KIND_UNSPECIFIED);
  EXPECT_THAT(std::string(api_->RecordOutcome(request, "ana", &response).message()), HasSubstr("kind"));
  request.set_kind(v1::OUTCOME_KIND_CONTACTED);
  request.set_notes(std::string(outcomes::kMaxNoteBytes + 1, 'x'));
  absl::Status too_long = api_->RecordOutcome(request, "ana", &response);
  EXPECT_EQ(too_long.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(too_long.message()), ::testing::StartsWith("notes:"));
  request.set_notes("");
  request.set_customer_id("S-404");
  EXPECT_EQ(api_->RecordOutcome(request, "ana", &response).code(), absl::StatusCode::kNotFound);
}

TEST_F(GatewayApiTest, ListOutcomesPagesNewestFirst) {
  Publish();
  for (const char* customer : {"S-1", "S-2", "S-1", "S-3"}) {
    v1::RecordOutcomeRequest request;
    request.set_customer_id(customer);
    request.set_kind(v1::OUTCOME_KIND_CONTACTED);
    v1::RecordOutcomeResponse response;
    ASSERT_TRUE(api_->RecordOutcome(request, "ana", &response).ok());
  }
  v1::ListOutcomesRequest request;  // every customer, default page size 2
  v1::ListOutcomesResponse page;
  ASSERT_TRUE(api_->ListOutcomes(request, &page).ok());
  ASSERT_EQ(page.outcomes_size(), 2);
  EXPECT_EQ(page.outcomes(0).customer_id(), "S-3");
  ASSERT_FALSE(page.next_page_token().empty());
  request.set_page_token(page.next_page_token());
  page.Clear();
  ASSERT_TRUE(api_->ListOutcomes(request, &page).ok());
  ASSERT_EQ(page.outcomes_size(), 2);
  EXPECT_EQ(page.outcomes(1).customer_id(), "S-1");
  EXPECT_TRUE(page.next_page_token().empty());

  request.Clear();
  request.set_customer_id("S-1");
  page.Clear();
  ASSERT_TRUE(api_->ListOutcomes(request, &page).ok());
  EXPECT_EQ(page.outcomes_size(), 2);
  request.set_page_token("bogus");
  EXPECT_EQ(api_->ListOutcomes(request, &page).code(), absl::StatusCode::kInvalidArgument);

  // A token of one customer's log is not read as a position in another's.
  request.Clear();
  request.set_customer_id("S-1");
  request.set_page_size(1);
  page.Clear();
  ASSERT_TRUE(api_->ListOutcomes(request, &page).ok());
  ASSERT_FALSE(page.next_page_token().empty());
  request.set_page_token(page.next_page_token());
  request.set_customer_id("S-2");
  absl::Status status = api_->ListOutcomes(request, &page);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("other filters"));
  // Nor is an at-risk token.
  v1::ListAtRiskRequest at_risk;
  at_risk.set_page_size(1);
  v1::ListAtRiskResponse at_risk_page;
  ASSERT_TRUE(api_->ListAtRisk(at_risk, &at_risk_page).ok());
  request.set_page_token(at_risk_page.next_page_token());
  EXPECT_EQ(api_->ListOutcomes(request, &page).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(GatewayApiTest, ExportsFollowTheFilters) {
  Publish();
  v1::ListAtRiskRequest filters;
  filters.add_risk_levels(v1::RISK_LEVEL_LOW);
  filters.set_page_size(1);  // paging does not apply to exports
  absl::StatusOr<std::string> csv = api_->ExportAtRiskCsv(filters);
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(std::count(csv->begin(), csv->end(), '\n'), 4);  // header + 3 Low customers
  absl::StatusOr<std::string> playbooks = api_->ExportPlaybooksCsv(filters);
  ASSERT_TRUE(playbooks.ok()) << playbooks.status();
  EXPECT_THAT(*playbooks, HasSubstr("S-5"));
  EXPECT_THAT(*playbooks, ::testing::Not(HasSubstr("S-1,")));
}

}  // namespace
}  // namespace churn::gateway

namespace churn::gateway {
namespace {

// The risk history as the API serves it: the brief's trend, the at-risk movements (parallel to
// the rows, with the movement filters) and the Executive level moves.
TEST_F(GatewayApiTest, RiskHistoryFeedsTrendMovementsAndLevelMoves) {
  Publish();
  absl::StatusOr<std::unique_ptr<riskhistory::RiskHistoryStore>> history =
      riskhistory::RiskHistoryStore::Open((dir_ / "history.sqlite").string(), {});
  ASSERT_TRUE(history.ok()) << history.status();
  using scoring::RiskLevel;
  ASSERT_TRUE((*history)
                  ->WriteSnapshot(93, {{"S-1", 20, RiskLevel::kLow, {"support_load"}},
                                       {"S-2", 70, RiskLevel::kHigh, {"usage_drop"}}})
                  .ok());
  ASSERT_TRUE((*history)
                  ->WriteSnapshot(100, {{"S-1", 65, RiskLevel::kHigh, {"usage_drop", "trial"}},
                                        {"S-2", 40, RiskLevel::kMedium, {"support_load"}}})
                  .ok());
  RiskTrends trends(history->get());
  api_->set_risk_trends(&trends);

  // Before the movements are read: no moves, the movement filters match nobody.
  v1::GetExecutiveResponse executive;
  ASSERT_TRUE(api_->GetExecutive(&executive).ok());
  EXPECT_FALSE(executive.has_level_moves());
  ASSERT_TRUE(trends.Reload().ok());
  executive.Clear();
  ASSERT_TRUE(api_->GetExecutive(&executive).ok());
  ASSERT_TRUE(executive.has_level_moves());
  EXPECT_EQ(executive.level_moves().from_date(), "1970-04-04");
  EXPECT_EQ(executive.level_moves().to_date(), "1970-04-11");
  EXPECT_EQ(executive.level_moves().moved_up(), 1);
  EXPECT_EQ(executive.level_moves().moved_down(), 1);

  v1::ListAtRiskRequest request;
  request.set_sort_by(v1::AT_RISK_SORT_FIELD_SCORE_CHANGE_30D);
  request.set_descending(true);
  request.set_page_size(3);
  v1::ListAtRiskResponse list;
  ASSERT_TRUE(api_->ListAtRisk(request, &list).ok());
  ASSERT_EQ(list.movements_size(), list.customers_size());
  EXPECT_THAT(Ids(list), ::testing::ElementsAre("S-1", "S-2", ::testing::_));
  EXPECT_EQ(list.movements(0).score_change_30d(), 45);
  EXPECT_TRUE(list.movements(0).entered_high());
  EXPECT_EQ(list.movements(1).score_change_30d(), -30);
  EXPECT_FALSE(list.movements(2).has_score_change_30d());

  v1::ListAtRiskRequest entered;
  entered.set_only_entered_high(true);
  list.Clear();
  ASSERT_TRUE(api_->ListAtRisk(entered, &list).ok());
  EXPECT_THAT(Ids(list), ElementsAre("S-1"));
  v1::ListAtRiskRequest rising;
  rising.set_min_score_change_30d(-40);
  list.Clear();
  ASSERT_TRUE(api_->ListAtRisk(rising, &list).ok());
  EXPECT_EQ(list.total_matched(), 2);

  v1::GetCustomerBriefRequest brief_request;
  brief_request.set_customer_id("S-1");
  v1::GetCustomerBriefResponse brief;
  ASSERT_TRUE(api_->GetCustomerBrief(brief_request, &brief).ok());
  ASSERT_EQ(brief.risk_trend_size(), 2);
  EXPECT_EQ(brief.risk_trend(0).date(), "1970-04-04");
  EXPECT_EQ(brief.risk_trend(0).risk_score(), 20);
  EXPECT_EQ(brief.risk_trend(1).risk_level(), v1::RISK_LEVEL_HIGH);
  EXPECT_THAT(brief.risk_trend(1).fired_rules(), ElementsAre("usage_drop", "trial"));
  EXPECT_TRUE(brief.risk_trend_error().empty());
}

}  // namespace
}  // namespace churn::gateway
