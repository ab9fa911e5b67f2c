#include "gateway_api.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "viewsets/at_risk_page_token.h"
#include "viewsets/page_token.h"
#include "convert/assessment_convert.h"
#include "convert/outcome_convert.h"
#include "convert/risk_history_convert.h"
#include "convert/scored_customer_convert.h"
#include "convert/second_opinion_convert.h"
#include "convert/views_convert.h"
#include "playbook/checklist.h"
#include "playbook/export_csv.h"
#include "playbook/outreach.h"
#include "status/status_macros.h"

namespace churn::gateway {
namespace {

// The brief shows the latest follow-ups; the full log pages through ListOutcomes.
constexpr int kBriefOutcomes = 100;

// The outcome log only grows and its cursor is an id, so its tokens bind the customer filter
// only: a refresh of the views does not move the rows they point at.
viewsets::PageTokenBinding OutcomesTokenBinding(const v1::ListOutcomesRequest& request) {
  return viewsets::PageTokenBinding{"outcomes", "", request.customer_id()};
}

absl::StatusOr<int32_t> PageSize(int32_t requested, int32_t default_size, int32_t max_size) {
  if (requested < 0) {
    return absl::InvalidArgumentError(absl::StrCat("page_size: must be >= 0, got ", requested));
  }
  if (requested == 0) return default_size;
  return std::min(requested, max_size);
}

}  // namespace

GatewayApi::GatewayApi(GatewayApiOptions options, const viewsets::ViewStore* store,
                       outcomes::OutcomeLog* outcome_log)
    : options_(options), store_(store), outcome_log_(outcome_log) {}

absl::StatusOr<std::shared_ptr<const viewsets::ViewSet>> GatewayApi::CurrentViews() const {
  std::shared_ptr<const viewsets::ViewSet> views = store_->Current();
  if (views) return views;
  viewsets::Freshness freshness = store_->FreshnessOf(nullptr, absl::Now());
  return absl::UnavailableError(absl::StrCat(
      "no views yet: the first refresh has not completed",
      freshness.last_error.empty() ? "" : absl::StrCat(" (last error: ", freshness.last_error, ")")));
}

void GatewayApi::FillFreshness(const viewsets::ViewSet* views, v1::DataFreshness* out) const {
  convert::ToProto(store_->FreshnessOf(views, absl::Now()), views, out);
}

std::shared_ptr<const riskhistory::RiskMovements> GatewayApi::Movements() const {
  if (risk_trends_ != nullptr) return risk_trends_->Movements();
  static const auto* const kNone = new std::shared_ptr<const riskhistory::RiskMovements>(
      std::make_shared<const riskhistory::RiskMovements>());
  return *kNone;
}

absl::Status GatewayApi::GetExecutive(v1::GetExecutiveResponse* response) const {
  CHURN_ASSIGN_OR_RETURN(std::shared_ptr<const viewsets::ViewSet> views, CurrentViews());
  FillFreshness(views.get(), response->mutable_freshness());
  convert::ToProto(views->executive(), response);
  const std::shared_ptr<const riskhistory::RiskMovements> movements = Movements();
  if (movements->previous) convert::ToProto(*movements, response->mutable_level_moves());
  return absl::OkStatus();
}

absl::Status GatewayApi::GetDrivers(const v1::GetDriversRequest& request,
                                    v1::GetDriversResponse* response) const {
  CHURN_ASSIGN_OR_RETURN(viewsets::SegmentKind segment,
                         viewsets::ParseSegmentKind(request.segment()));
  CHURN_ASSIGN_OR_RETURN(std::shared_ptr<const viewsets::ViewSet> views, CurrentViews());
  FillFreshness(views.get(), response->mutable_freshness());
  convert::ToProto(views->drivers(), response);
  response->set_segment(std::string(viewsets::SegmentKindName(segment)));
  for (const reports::SegmentRisk& row : views->segments(segment)) {
    convert::ToProto(row, response->add_segments());
  }
  return absl::OkStatus();
}

absl::StatusOr<viewsets::AtRiskQuery> GatewayApi::QueryFromRequest(
    const v1::ListAtRiskRequest& request, bool paged) const {
  viewsets::AtRiskQuery query;
  query.plan_tiers.assign(request.plan_tiers().begin(), request.plan_tiers().end());
  for (int i = 0; i < request.risk_levels_size(); ++i) {
    CHURN_ASSIGN_OR_RETURN(
        scoring::RiskLevel level,
        convert::FromProto(request.risk_levels(i), absl::StrCat("risk_levels[", i, "]")));
    query.risk_levels.push_back(level);
  }
  query.min_arr = request.min_arr();
  query.only_churned = request.only_churned();
  if (request.has_min_score_change_30d()) {
    query.min_score_change_30d = request.min_score_change_30d();
  }
  query.only_entered_high = request.only_entered_high();
  CHURN_ASSIGN_OR_RETURN(viewsets::AtRiskSort sort, convert::FromProto(request.sort_by()));
  query.sort = sort;
  // Unspecified is the at-risk order, whatever `descending` says.
  if (request.sort_by() != v1::AT_RISK_SORT_FIELD_UNSPECIFIED) query.descending = request.descending();
  if (!paged) return query;

  CHURN_ASSIGN_OR_RETURN(
      int32_t page_size,
      PageSize(request.page_size(), options_.default_page_size, options_.max_page_size));
  query.limit = static_cast<size_t>(page_size);
  // A page token's offset is read against the views it is used with (ListAtRisk).
  if (!request.page_token().empty()) return query;
  if (request.offset() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("offset: must be >= 0, got ", request.offset()));
  } else {
    query.offset = static_cast<size_t>(request.offset());
  }
  return query;
}

absl::StatusOr<AtRiskListing> GatewayApi::ListAtRisk(const v1::ListAtRiskRequest& request) const {
  CHURN_ASSIGN_OR_RETURN(viewsets::AtRiskQuery query, QueryFromRequest(request, /*paged=*/true));
  AtRiskListing listing;
  CHURN_ASSIGN_OR_RETURN(listing.views, CurrentViews());
  const viewsets::ViewSet& views = *listing.views;
  listing.movements = Movements();
  query.movements = listing.movements.get();
  const viewsets::AtRiskPageTokens tokens(views, query);
  if (!request.page_token().empty()) {
    CHURN_ASSIGN_OR_RETURN(size_t offset, tokens.Offset(request.page_token()));
    query.offset = offset;
  }
  CHURN_ASSIGN_OR_RETURN(listing.page, viewsets::QueryAtRisk(views, query));
  listing.movement_columns = viewsets::HeldMovementColumns(views, *listing.movements);
  listing.freshness = store_->FreshnessOf(&views, absl::Now());
  const viewsets::AtRiskPage& page = listing.page;
  if (page.has_more) listing.next_page_token = tokens.Token(page.offset + page.customers.size());
  if (page.offset > 0) {
    const size_t previous = page.offset > query.limit ? page.offset - query.limit : 0;
    listing.previous_page_token = tokens.Token(previous);
  }
  return listing;
}

absl::Status GatewayApi::ListAtRisk(const v1::ListAtRiskRequest& request,
                                    v1::ListAtRiskResponse* response) const {
  CHURN_ASSIGN_OR_RETURN(AtRiskListing listing, ListAtRisk(request));
  convert::ToProto(listing.freshness, listing.views.get(), response->mutable_freshness());
  const viewsets::AtRiskPage& page = listing.page;
  response->mutable_customers()->Reserve(static_cast<int>(page.customers.size()));
  for (const reports::ScoredCustomer* customer : page.customers) {
    convert::ToProto(*customer, response->add_customers());
    v1::RiskMovement* movement = response->add_movements();
    if (const riskhistory::RiskMovement* found =
            listing.movements->Find(customer->signals.customer_id)) {
      convert::ToProto(*found, movement);
    }
  }
  response->set_total_matched(static_cast<int64_t>(page.total_matched));
  response->set_offset(
      static_cast<int32_t>(std::min<size_t>(page.offset, std::numeric_limits<int32_t>::max())));
  response->set_next_page_token(listing.next_page_token);
  response->set_previous_page_token(listing.previous_page_token);
  return absl::OkStatus();
}

absl::Status GatewayApi::GetCustomerBrief(const v1::GetCustomerBriefRequest& request,
                                          v1::GetCustomerBriefResponse* response) const {
  if (request.customer_id().empty()) {
    return absl::InvalidArgumentError("customer_id: required");
  }
  CHURN_ASSIGN_OR_RETURN(std::shared_ptr<const viewsets::ViewSet> views, CurrentViews());
  const reports::ScoredCustomer* customer = views->FindCustomer(request.customer_id());
  if (customer == nullptr) {
    return absl::NotFoundError(absl::StrCat("customer '", request.customer_id(),
                                            "' is not in the current views"));
  }
  CHURN_ASSIGN_OR_RETURN(outcomes::OutcomePage logged,
                         outcome_log_->List(request.customer_id(), 0, kBriefOutcomes));

  FillFreshness(views.get(), response->mutable_freshness());
  convert::ToProto(*customer, response->mutable_customer());
  if (customer->second_opinion) {
    convert::ToProto(*customer->second_opinion, response->mutable_second_opinion());
  }
  for (const playbook::ChecklistStep& step : playbook::BuildChecklist(*customer)) {
    convert::ToProto(step, response->add_checklist());
  }
  playbook::OutreachOptions outreach_options;
  outreach_options.strategic_arr = options_.strategic_arr;
  convert::ToProto(playbook::BuildOutreach(*customer, outreach_options),
                   response->mutable_outreach());
  for (const outcomes::Outcome& outcome : logged.outcomes) {
    convert::ToProto(outcome, response->add_outcomes());
  }
  if (ticket_analyses_ != nullptr) {
    for (v1::TicketAnalysis& analysis : ticket_analyses_->For(request.customer_id())) {
      *response->add_ticket_analyses() = std::move(analysis);
    }
  }
  if (risk_trends_ != nullptr) {
    // The brief is served even when the history cannot be read.
    absl::StatusOr<std::vector<riskhistory::TrendPoint>> trend =
        risk_trends_->Trend(request.customer_id());
    if (trend.ok()) {
      for (const riskhistory::TrendPoint& point : *trend) {
        convert::ToProto(point, response->add_risk_trend());
      }
    } else {
      response->set_risk_trend_error("the risk history cannot be read at the moment");
    }
  }
  return absl::OkStatus();
}

absl::Status GatewayApi::RecordOutcome(const v1::RecordOutcomeRequest& request,
                                       const std::string& recorded_by,
                                       v1::RecordOutcomeResponse* response) {
  if (request.customer_id().empty()) {
    return absl::InvalidArgumentError("customer_id: required");
  }
  CHURN_ASSIGN_OR_RETURN(outcomes::OutcomeKind kind, convert::FromProto(request.kind()));
  CHURN_ASSIGN_OR_RETURN(std::shared_ptr<const viewsets::ViewSet> views, CurrentViews());
  if (views->FindCustomer(request.customer_id()) == nullptr) {
    return absl::NotFoundError(absl::StrCat("customer '", request.customer_id(),
                                            "' is not in the current views"));
  }
  outcomes::NewOutcome entry{request.customer_id(), kind, request.notes(), recorded_by};
  absl::StatusOr<outcomes::Outcome> stored = outcome_log_->Record(entry, absl::Now());
  if (!stored.ok()) {
    // The log's field is "note"; the API calls it "notes".
    if (stored.status().code() == absl::StatusCode::kInvalidArgument &&
        absl::StartsWith(stored.status().message(), "note:")) {
      return absl::InvalidArgumentError(absl::StrCat("notes", stored.status().message().substr(4)));
    }
    return stored.status();
  }
  convert::ToProto(*stored, response->mutable_outcome());
  return absl::OkStatus();
}

absl::Status GatewayApi::ListOutcomes(const v1::ListOutcomesRequest& request,
                                      v1::ListOutcomesResponse* response) const {
  CHURN_ASSIGN_OR_RETURN(
      int32_t page_size,
      PageSize(request.page_size(), options_.default_page_size, options_.max_page_size));
  int64_t before_id = 0;
  if (!request.page_token().empty()) {
    CHURN_ASSIGN_OR_RETURN(
        int64_t cursor,
        viewsets::DecodePageToken(request.page_token(), OutcomesTokenBinding(request)));
    before_id = cursor;
  }
  CHURN_ASSIGN_OR_RETURN(outcomes::OutcomePage page,
                         outcome_log_->List(request.customer_id(), before_id, page_size));
  for (const outcomes::Outcome& outcome : page.outcomes) {
    convert::ToProto(outcome, response->add_outcomes());
  }
  if (page.next_before_id > 0) {
    response->set_next_page_token(
        viewsets::EncodePageToken(OutcomesTokenBinding(request), page.next_before_id));
  }
  return absl::OkStatus();
}

absl::StatusOr<viewsets::AtRiskPage> GatewayApi::AllAtRisk(
    const v1::ListAtRiskRequest& filters) const {
  CHURN_ASSIGN_OR_RETURN(viewsets::AtRiskQuery query, QueryFromRequest(filters, /*paged=*/false));
  CHURN_ASSIGN_OR_RETURN(std::shared_ptr<const viewsets::ViewSet> views, CurrentViews());
  // The movements are only read while querying.
  const std::shared_ptr<const riskhistory::RiskMovements> movements = Movements();
  query.movements = movements.get();
  return viewsets::QueryAtRisk(*views, query);
}

absl::StatusOr<std::string> GatewayApi::ExportAtRiskCsv(const v1::ListAtRiskRequest& filters) const {
  CHURN_ASSIGN_OR_RETURN(viewsets::AtRiskPage page, AllAtRisk(filters));
  return playbook::AtRiskCsv(page.customers);
}

absl::StatusOr<std::string> GatewayApi::ExportPlaybooksCsv(
    const v1::ListAtRiskRequest& filters) const {
  CHURN_ASSIGN_OR_RETURN(viewsets::AtRiskPage page, AllAtRisk(filters));
  playbook::OutreachOptions outreach_options;
  outreach_options.strategic_arr = options_.strategic_arr;
  return playbook::PlaybooksCsv(page.customers, outreach_options);
}

}  // namespace churn::gateway
