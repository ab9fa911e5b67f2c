#include "gateway_api.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "viewsets/at_risk_page_token.h"
#include "viewsets/page_token.h"
#include "common/proto_convert.h"
#include "common/proto_time.h"
#include "playbook/checklist.h"
#include "playbook/export_csv.h"
#include "playbook/outreach.h"

namespace churn::gateway {
namespace {

// The brief shows the latest follow-ups; the full log pages through ListOutcomes.
constexpr int kBriefOutcomes = 100;

std::string FormatDay(const std::optional<dataset::Day>& day) {
  return day ? dataset::FormatDate(*day) : std::string();
}

// The outcome log only grows and its cursor is an id, so its tokens bind the customer filter
// only: a refresh of the views does not move the rows they point at.
viewsets::PageTokenBinding OutcomesTokenBinding(const v1::ListOutcomesRequest& request) {
  return viewsets::PageTokenBinding{"outcomes", "", request.customer_id()};
}

absl::StatusOr<viewsets::AtRiskSort> SortFromProto(v1::AtRiskSortField field) {
  switch (field) {
    case v1::AT_RISK_SORT_FIELD_UNSPECIFIED:
    case v1::AT_RISK_SORT_FIELD_RISK_SCORE: return viewsets::AtRiskSort::kRiskScore;
    case v1::AT_RISK_SORT_FIELD_ARR: return viewsets::AtRiskSort::kArr;
    case v1::AT_RISK_SORT_FIELD_CUSTOMER_ID: return viewsets::AtRiskSort::kCustomerId;
    case v1::AT_RISK_SORT_FIELD_ACCOUNT_NAME: return viewsets::AtRiskSort::kAccountName;
    case v1::AT_RISK_SORT_FIELD_PLAN_TIER: return viewsets::AtRiskSort::kPlanTier;
    case v1::AT_RISK_SORT_FIELD_USAGE_DROP_PCT: return viewsets::AtRiskSort::kUsageDropPct;
    case v1::AT_RISK_SORT_FIELD_TICKETS_30D: return viewsets::AtRiskSort::kTickets30d;
    default: break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("sort_by: unknown sort field ", static_cast<int>(field)));
}

v1::OutcomeKind OutcomeKindToProto(outcomes::OutcomeKind kind) {
  switch (kind) {
    case outcomes::OutcomeKind::kContacted: return v1::OUTCOME_KIND_CONTACTED;
    case outcomes::OutcomeKind::kMeetingScheduled: return v1::OUTCOME_KIND_MEETING_SCHEDULED;
    case outcomes::OutcomeKind::kIssueResolved: return v1::OUTCOME_KIND_ISSUE_RESOLVED;
    case outcomes::OutcomeKind::kRenewed: return v1::OUTCOME_KIND_RENEWED;
    case outcomes::OutcomeKind::kDowngraded: return v1::OUTCOME_KIND_DOWNGRADED;
    case outcomes::OutcomeKind::kCancelled: return v1::OUTCOME_KIND_CANCELLED;
    case outcomes::OutcomeKind::kNoResponse: return v1::OUTCOME_KIND_NO_RESPONSE;
  }
  return v1::OUTCOME_KIND_UNSPECIFIED;
}

absl::StatusOr<outcomes::OutcomeKind> OutcomeKindFromProto(v1::OutcomeKind kind) {
  for (outcomes::OutcomeKind candidate : outcomes::kAllOutcomeKinds) {
    if (OutcomeKindToProto(candidate) == kind) return candidate;
  }
  return absl::InvalidArgumentError(
      "kind: required, one of OUTCOME_KIND_CONTACTED, OUTCOME_KIND_MEETING_SCHEDULED, "
      "OUTCOME_KIND_ISSUE_RESOLVED, OUTCOME_KIND_RENEWED, OUTCOME_KIND_DOWNGRADED, "
      "OUTCOME_KIND_CANCELLED, OUTCOME_KIND_NO_RESPONSE");
}

void OutcomeToProto(const outcomes::Outcome& outcome, v1::Outcome* proto) {
  proto->set_id(outcome.id);
  proto->set_customer_id(outcome.customer_id);
  proto->set_kind(OutcomeKindToProto(outcome.kind));
  proto->set_notes(outcome.note);
  service::TimeToProto(outcome.recorded_at, proto->mutable_recorded_at());
  proto->set_recorded_by(outcome.recorded_by);
}

void ScoredCustomerToProto(const reports::ScoredCustomer& customer, v1::ScoredCustomer* proto) {
  service::SignalsToProto(customer.signals, proto->mutable_signals());
  service::AssessmentToProto(customer.assessment, proto->mutable_assessment());
}

absl::StatusOr<int32_t> PageSize(int32_t requested, int32_t default_size, int32_t max_size) {
  if (requested < 0) {
    return absl::InvalidArgumentError(absl::StrCat("page_size: must be >= 0, got ", requested));
  }
  if (requested == 0) return default_size;
  return std::min(requested, max_size);
}

}  // namespace

std::string DriverLabel(const std::string& rule_id) {
  static const std::pair<const char*, const char*> kLabels[] = {
      {"usage_drop", "Usage drop"},
      {"support_load", "High support load"},
      {"error_volume", "High error volume"},
      {"churn_intent", "Cancellation language"},
      {"satisfaction", "Low satisfaction score"},
      {"escalation", "Ticket escalation"},
      {"downgrade", "Recent downgrade"},
      {"trial", "Trial customer"},
  };
  for (const auto& [id, label] : kLabels) {
    if (rule_id == id) return label;
  }
  std::string label = rule_id;
  std::replace(label.begin(), label.end(), '_', ' ');
  if (!label.empty()) label[0] = absl::ascii_toupper(static_cast<unsigned char>(label[0]));
  return label;
}

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
  viewsets::Freshness freshness = store_->FreshnessOf(views, absl::Now());
  out->set_snapshot_version(freshness.snapshot_version);
  if (freshness.built_at) service::TimeToProto(*freshness.built_at, out->mutable_as_of());
  out->set_stale(freshness.stale);
  out->set_stale_seconds(freshness.stale_seconds);
  out->set_last_error(freshness.last_error);
  if (views != nullptr) {
    out->set_usage_window_end(FormatDay(views->usage_window_end()));
    out->set_support_window_end(FormatDay(views->support_window_end()));
    out->set_rules_sha256(views->rules_sha256());
  }
}

absl::Status GatewayApi::GetExecutive(v1::GetExecutiveResponse* response) const {
  absl::StatusOr<std::shared_ptr<const viewsets::ViewSet>> views = CurrentViews();
  if (!views.ok()) return views.status();
  const reports::ExecutiveSummary& e = (*views)->executive();
  FillFreshness(views->get(), response->mutable_freshness());
  response->set_customers(e.customers);
  response->set_churned_customers(e.churned_customers);
  response->set_churn_rate(e.churn_rate);
  response->set_high_risk_customers(e.high_risk_count);
  response->set_high_risk_share(e.high_risk_share);
  response->set_medium_risk_customers(e.medium_risk_count);
  response->set_low_risk_customers(e.low_risk_count);
  response->set_total_arr(e.total_arr);
  response->set_avg_arr(e.average_arr);
  response->set_high_risk_arr(e.arr_at_risk_high);
  response->set_medium_risk_arr(e.arr_at_risk_medium);
  return absl::OkStatus();
}

absl::Status GatewayApi::GetDrivers(const v1::GetDriversRequest& request,
                                    v1::GetDriversResponse* response) const {
  absl::StatusOr<viewsets::SegmentKind> segment = viewsets::ParseSegmentKind(request.segment());
  if (!segment.ok()) return segment.status();
  absl::StatusOr<std::shared_ptr<const viewsets::ViewSet>> views = CurrentViews();
  if (!views.ok()) return views.status();
  const reports::DriversSummary& d = (*views)->drivers();
  FillFreshness(views->get(), response->mutable_freshness());
  for (const reports::SegmentRisk& tier : d.by_plan_tier) {
    v1::PlanTierRisk* out = response->add_plan_tiers();
    out->set_plan_tier(tier.segment);
    out->set_customers(tier.customers);
    out->set_mean_risk_score(tier.mean_risk_score);
  }
  for (const reports::DriverCount& driver : d.drivers) {
    v1::DriverCount* out = response->add_drivers();
    out->set_rule(driver.rule);
    out->set_label(DriverLabel(driver.rule));
    out->set_customers(driver.customers);
  }
  for (const auto& [reason, count] : d.churn_reasons) {
    v1::ReasonCodeCount* out = response->add_churn_reasons();
    out->set_reason_code(reason);
    out->set_count(count);
  }
  response->set_segment(std::string(viewsets::SegmentKindName(*segment)));
  for (const reports::SegmentRisk& row : (*views)->segments(*segment)) {
    v1::SegmentLevelCounts* out = response->add_segments();
    out->set_segment(row.segment);
    out->set_low(row.low);
    out->set_medium(row.medium);
    out->set_high(row.high);
  }
  return absl::OkStatus();
}

absl::StatusOr<viewsets::AtRiskQuery> GatewayApi::QueryFromRequest(
    const v1::ListAtRiskRequest& request, bool paged) const {
  viewsets::AtRiskQuery query;
  query.plan_tiers.assign(request.plan_tiers().begin(), request.plan_tiers().end());
  for (int i = 0; i < request.risk_levels_size(); ++i) {
    absl::StatusOr<scoring::RiskLevel> level = service::RiskLevelFromProto(
        request.risk_levels(i), absl::StrCat("risk_levels[", i, "]"));
    if (!level.ok()) return level.status();
    query.risk_levels.push_back(*level);
  }
  query.min_arr = request.min_arr();
  query.only_churned = request.only_churned();
  absl::StatusOr<viewsets::AtRiskSort> sort = SortFromProto(request.sort_by());
  if (!sort.ok()) return sort.status();
  query.sort = *sort;
  // Unspecified is the at-risk order, whatever `descending` says.
  if (request.sort_by() != v1::AT_RISK_SORT_FIELD_UNSPECIFIED) query.descending = request.descending();
  if (!paged) return query;

  absl::StatusOr<int32_t> page_size =
      PageSize(request.page_size(), options_.default_page_size, options_.max_page_size);
  if (!page_size.ok()) return page_size.status();
  query.limit = static_cast<size_t>(*page_size);
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

absl::Status GatewayApi::ListAtRisk(const v1::ListAtRiskRequest& request,
                                    v1::ListAtRiskResponse* response) const {
  absl::StatusOr<viewsets::AtRiskQuery> query = QueryFromRequest(request, /*paged=*/true);
  if (!query.ok()) return query.status();
  absl::StatusOr<std::shared_ptr<const viewsets::ViewSet>> views = CurrentViews();
  if (!views.ok()) return views.status();
  if (!request.page_token().empty()) {
    absl::StatusOr<size_t> offset =
        viewsets::AtRiskOffsetFromToken(request.page_token(), **views, *query);
    if (!offset.ok()) return offset.status();
    query->offset = *offset;
  }
  absl::StatusOr<viewsets::AtRiskPage> page = viewsets::QueryAtRisk(**views, *query);
  if (!page.ok()) return page.status();
  FillFreshness(views->get(), response->mutable_freshness());
  response->mutable_customers()->Reserve(static_cast<int>(page->customers.size()));
  for (const reports::ScoredCustomer* customer : page->customers) {
    ScoredCustomerToProto(*customer, response->add_customers());
  }
  response->set_total_matched(static_cast<int64_t>(page->total_matched));
  response->set_offset(static_cast<int32_t>(
      std::min<size_t>(page->offset, std::numeric_limits<int32_t>::max())));
  if (page->has_more) {
    response->set_next_page_token(
        viewsets::AtRiskPageToken(**views, *query, page->offset + page->customers.size()));
  }
  if (page->offset > 0) {
    const size_t previous = page->offset > query->limit ? page->offset - query->limit : 0;
    response->set_previous_page_token(viewsets::AtRiskPageToken(**views, *query, previous));
  }
  return absl::OkStatus();
}

absl::Status GatewayApi::GetCustomerBrief(const v1::GetCustomerBriefRequest& request,
                                          v1::GetCustomerBriefResponse* response) const {
  if (request.customer_id().empty()) {
    return absl::InvalidArgumentError("customer_id: required");
  }
  absl::StatusOr<std::shared_ptr<const viewsets::ViewSet>> views = CurrentViews();
  if (!views.ok()) return views.status();
  const reports::ScoredCustomer* customer = (*views)->FindCustomer(request.customer_id());
  if (customer == nullptr) {
    return absl::NotFoundError(absl::StrCat("customer '", request.customer_id(),
                                            "' is not in the current views"));
  }
  absl::StatusOr<outcomes::OutcomePage> logged =
      outcome_log_->List(request.customer_id(), 0, kBriefOutcomes);
  if (!logged.ok()) return logged.status();

  FillFreshness(views->get(), response->mutable_freshness());
  ScoredCustomerToProto(*customer, response->mutable_customer());
  for (const playbook::ChecklistStep& step : playbook::BuildChecklist(*customer)) {
    v1::NextBestActionStep* out = response->add_checklist();
    out->set_step(step.step);
    out->set_title(step.title);
    out->set_detail(step.detail);
    out->set_due_in_days(step.due_in_days);
  }
  playbook::OutreachOptions outreach_options;
  outreach_options.strategic_arr = options_.strategic_arr;
  const playbook::OutreachDraft draft = playbook::BuildOutreach(*customer, outreach_options);
  response->mutable_outreach()->set_email_subject(draft.email_subject);
  response->mutable_outreach()->set_email_body(draft.email_body);
  response->mutable_outreach()->set_slack_message(draft.slack_message);
  for (const outcomes::Outcome& outcome : logged->outcomes) {
    OutcomeToProto(outcome, response->add_outcomes());
  }
  if (ticket_analyses_ != nullptr) {
    for (v1::TicketAnalysis& analysis : ticket_analyses_->For(request.customer_id())) {
      *response->add_ticket_analyses() = std::move(analysis);
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
  absl::StatusOr<outcomes::OutcomeKind> kind = OutcomeKindFromProto(request.kind());
  if (!kind.ok()) return kind.status();
  absl::StatusOr<std::shared_ptr<const viewsets::ViewSet>> views = CurrentViews();
  if (!views.ok()) return views.status();
  if ((*views)->FindCustomer(request.customer_id()) == nullptr) {
    return absl::NotFoundError(absl::StrCat("customer '", request.customer_id(),
                                            "' is not in the current views"));
  }
  outcomes::NewOutcome entry{request.customer_id(), *kind, request.notes(), recorded_by};
  absl::StatusOr<outcomes::Outcome> stored = outcome_log_->Record(entry, absl::Now());
  if (!stored.ok()) {
    // The log's field is "note"; the API calls it "notes".
    if (stored.status().code() == absl::StatusCode::kInvalidArgument &&
        absl::StartsWith(stored.status().message(), "note:")) {
      return absl::InvalidArgumentError(absl::StrCat("notes", stored.status().message().substr(4)));
    }
    return stored.status();
  }
  OutcomeToProto(*stored, response->mutable_outcome());
  return absl::OkStatus();
}

absl::Status GatewayApi::ListOutcomes(const v1::ListOutcomesRequest& request,
                                      v1::ListOutcomesResponse* response) const {
  absl::StatusOr<int32_t> page_size =
      PageSize(request.page_size(), options_.default_page_size, options_.max_page_size);
  if (!page_size.ok()) return page_size.status();
  int64_t before_id = 0;
  if (!request.page_token().empty()) {
    absl::StatusOr<int64_t> cursor =
        viewsets::DecodePageToken(request.page_token(), OutcomesTokenBinding(request));
    if (!cursor.ok()) return cursor.status();
    before_id = *cursor;
  }
  absl::StatusOr<outcomes::OutcomePage> page =
      outcome_log_->List(request.customer_id(), before_id, *page_size);
  if (!page.ok()) return page.status();
  for (const outcomes::Outcome& outcome : page->outcomes) {
    OutcomeToProto(outcome, response->add_outcomes());
  }
  if (page->next_before_id > 0) {
    response->set_next_page_token(
        viewsets::EncodePageToken(OutcomesTokenBinding(request), page->next_before_id));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> GatewayApi::ExportAtRiskCsv(const v1::ListAtRiskRequest& filters) const {
  absl::StatusOr<viewsets::AtRiskQuery> query = QueryFromRequest(filters, /*paged=*/false);
  if (!query.ok()) return query.status();
  absl::StatusOr<std::shared_ptr<const viewsets::ViewSet>> views = CurrentViews();
  if (!views.ok()) return views.status();
  absl::StatusOr<viewsets::AtRiskPage> page = viewsets::QueryAtRisk(**views, *query);
  if (!page.ok()) return page.status();
  return playbook::AtRiskCsv(page->customers);
}

absl::StatusOr<std::string> GatewayApi::ExportPlaybooksCsv(
    const v1::ListAtRiskRequest& filters) const {
  absl::StatusOr<viewsets::AtRiskQuery> query = QueryFromRequest(filters, /*paged=*/false);
  if (!query.ok()) return query.status();
  absl::StatusOr<std::shared_ptr<const viewsets::ViewSet>> views = CurrentViews();
  if (!views.ok()) return views.status();
  absl::StatusOr<viewsets::AtRiskPage> page = viewsets::QueryAtRisk(**views, *query);
  if (!page.ok()) return page.status();
  playbook::OutreachOptions outreach_options;
  outreach_options.strategic_arr = options_.strategic_arr;
  return playbook::PlaybooksCsv(page->customers, outreach_options);
}

}  // namespace churn::gateway
