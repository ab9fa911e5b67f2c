#include "scoring_service.h"

#include <chrono>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/absl_compat.h"
#include "common/grpc_status.h"
#include "common/logging.h"
#include "convert/assessment_convert.h"
#include "convert/compact_assessment_convert.h"
#include "convert/model_opinion_convert.h"
#include "convert/rules_dry_run_convert.h"
#include "convert/signals_convert.h"
#include "convert/time_convert.h"
#include "scoring/rules_dry_run.h"
#include "scoring/engine.h"
#include "status/status_macros.h"

namespace churn::scoring_service {
namespace {

using google::protobuf::RepeatedPtrField;
using service::LogInfo;
using service::LogWarn;
using service::ToGrpcStatus;

void FillRulesInfo(const LoadedRules& loaded, v1::RulesInfo* info) {
  info->set_version(loaded.rules.version);
  info->set_sha256(loaded.sha256);
  info->set_source(loaded.source);
  convert::ToProto(loaded.loaded_at, info->mutable_loaded_at());
  info->set_rule_count(static_cast<int32_t>(loaded.rules.rules.size()));
}

// Customers per level of one call: counted locally, added to the metrics and the response once.
struct LevelTally {
  int64_t counts[3] = {0, 0, 0};
  void Add(scoring::RiskLevel level) { ++counts[static_cast<int>(level)]; }
  void Report(ScoringMetrics& metrics, v1::LevelCounts* out) const {
    for (scoring::RiskLevel level :
         {scoring::RiskLevel::kLow, scoring::RiskLevel::kMedium, scoring::RiskLevel::kHigh}) {
      metrics.CountScored(level, counts[static_cast<int>(level)]);
    }
    if (out == nullptr) return;
    out->set_low(out->low() + counts[0]);
    out->set_medium(out->medium() + counts[1]);
    out->set_high(out->high() + counts[2]);
  }
};

// Every customer is validated before any is scored, so a bad request has no partial effect.
absl::StatusOr<std::vector<CustomerSignals>> SignalsFromRequest(
    const RepeatedPtrField<v1::CustomerSignals>& customers, std::string_view field,
    int64_t max_batch) {
  if (customers.size() > max_batch) {
    return absl::InvalidArgumentError(absl::StrCat(service::ToAbsl(field), ": at most ", max_batch,
                                                   " customers per request, got ",
                                                   customers.size()));
  }
  std::vector<CustomerSignals> signals;
  signals.reserve(customers.size());
  for (int i = 0; i < customers.size(); ++i) {
    // The path "<field>[i]" is written only for an error, not for every valid customer.
    absl::StatusOr<CustomerSignals> converted = convert::FromProto(customers[i], "");
    if (!converted.ok()) {
      CHURN_RETURN_IF_ERROR(
          convert::FromProto(customers[i], absl::StrCat(service::ToAbsl(field), "[", i, "]"))
              .status());
      return converted.status();
    }
    signals.push_back(*std::move(converted));
  }
  return signals;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

ScoringService::ScoringService(ScoringServiceOptions options, prometheus::Registry& registry)
    : options_(std::move(options)), metrics_(registry) {}

absl::StatusOr<std::shared_ptr<const LoadedRules>> ScoringService::RulesInForce() const {
  std::shared_ptr<const LoadedRules> rules = rules_.Current();
  if (!rules) return absl::UnavailableError("scoring rules are not loaded yet");
  return rules;
}

absl::Status ScoringService::Publish(absl::StatusOr<std::shared_ptr<const LoadedRules>> loaded,
                                     std::shared_ptr<const LoadedRules>* published, bool* changed) {
  metrics_.CountReload(loaded.ok());
  if (!loaded.ok()) {
    std::shared_ptr<const LoadedRules> kept = rules_.Current();
    LogWarn("rules_rejected", {{"error", loaded.status()},
                               {"kept_sha256", kept ? kept->sha256 : std::string("none")}});
    return loaded.status();
  }
  std::shared_ptr<const LoadedRules> previous = rules_.Publish(*loaded);
  *changed = !previous || previous->sha256 != (*loaded)->sha256;
  *published = *loaded;
  metrics_.SetRulesInForce((*loaded)->rules.version);
  LogInfo("rules_loaded", {{"source", (*loaded)->source},
                           {"version", (*loaded)->rules.version},
                           {"sha256", (*loaded)->sha256},
                           {"rules", (*loaded)->rules.rules.size()},
                           {"changed", *changed}});
  if (!ready_.exchange(true) && on_ready_) on_ready_();
  return absl::OkStatus();
}

absl::Status ScoringService::LoadConfiguredRules() {
  concurrency::MutexLock lock(reload_mu_);
  std::shared_ptr<const LoadedRules> published;
  bool changed = false;
  return Publish(LoadRulesFile(options_.rules_file), &published, &changed);
}

absl::Status ScoringService::ScoreCustomers(ScoringMethod method,
                                            const RepeatedPtrField<v1::CustomerSignals>& customers,
                                            std::string_view field,
                                            RepeatedPtrField<v1::RiskAssessment>* assessments,
                                            v1::RulesInfo* rules_info,
                                            v1::LevelCounts* level_counts,
                                            RepeatedPtrField<v1::ModelOpinion>* opinions) {
  auto start = std::chrono::steady_clock::now();
  CHURN_ASSIGN_OR_RETURN(std::shared_ptr<const LoadedRules> rules, RulesInForce());
  CHURN_ASSIGN_OR_RETURN(std::vector<CustomerSignals> signals,
                         SignalsFromRequest(customers, field, options_.max_batch));

  assessments->Reserve(static_cast<int>(signals.size()));
  LevelTally tally;
  for (const CustomerSignals& customer : signals) {
    scoring::Assessment assessment = scoring::ScoreCustomer(rules->rules, customer);
    tally.Add(assessment.risk_level);
    convert::ToProto(assessment, assessments->Add());
  }
  tally.Report(metrics_, level_counts);
  if (rules_info != nullptr) FillRulesInfo(*rules, rules_info);
  if (opinions != nullptr) CHURN_RETURN_IF_ERROR(AddModelOpinions(signals, opinions));
  metrics_.ObserveBatch(method, static_cast<int64_t>(signals.size()), SecondsSince(start));
  return absl::OkStatus();
}

absl::Status ScoringService::ScoreCompact(const v1::ScoreBatchRequest& request,
                                          v1::ScoreBatchResponse* response) {
  auto start = std::chrono::steady_clock::now();
  CHURN_ASSIGN_OR_RETURN(std::shared_ptr<const LoadedRules> rules, RulesInForce());
  CHURN_ASSIGN_OR_RETURN(std::vector<CustomerSignals> signals,
                         SignalsFromRequest(request.customers(), "customers", options_.max_batch));
  v1::CompactAssessments* compact = response->mutable_compact();
  const int n = static_cast<int>(signals.size());
  compact->mutable_risk_scores()->Reserve(n);
  compact->mutable_risk_levels()->Reserve(n);
  compact->mutable_fired_counts()->Reserve(n);
  compact->mutable_action_counts()->Reserve(n);
  compact->mutable_fired_tiers()->Reserve(2 * n);
  compact->mutable_actions()->Reserve(3 * n);
  LevelTally tally;
  for (const CustomerSignals& customer : signals) {
    const scoring::CompactAssessment assessment =
        scoring::ScoreCustomerCompact(rules->rules, customer);
    tally.Add(assessment.risk_level);
    convert::AppendToProto(assessment, rules->texts, compact);
  }
  tally.Report(metrics_, response->mutable_level_counts());
  FillRulesInfo(*rules, response->mutable_rules());
  if (request.known_rules_sha256() != rules->sha256) {
    convert::ToProto(rules->texts, rules->sha256, response->mutable_rules_texts());
  }
  CHURN_RETURN_IF_ERROR(AddModelOpinions(signals, response->mutable_model_opinions()));
  metrics_.ObserveBatch(ScoringMethod::kScoreBatch, n, SecondsSince(start));
  return absl::OkStatus();
}

absl::Status ScoringService::AddModelOpinions(const std::vector<CustomerSignals>& customers,
                                              RepeatedPtrField<v1::ModelOpinion>* opinions) {
  if (!options_.model) return absl::OkStatus();
  std::vector<CustomerSignals> with_views;
  std::vector<int32_t> index;
  for (size_t i = 0; i < customers.size(); ++i) {
    if (!customers[i].long_views) continue;  // no long views: no opinion, not an error
    with_views.push_back(customers[i]);
    index.push_back(static_cast<int32_t>(i));
  }
  if (with_views.empty()) return absl::OkStatus();
  CHURN_ASSIGN_OR_RETURN(std::vector<churnmodel::ModelOpinion> computed,
                         options_.model->Opinions(with_views));
  for (size_t k = 0; k < computed.size(); ++k) {
    v1::ModelOpinion* out = opinions->Add();
    convert::ToProto(computed[k], options_.model->metadata().horizon_days, out);
    out->set_customer_id(with_views[k].customer_id);
    out->set_customer_index(index[k]);
  }
  return absl::OkStatus();
}

// Score runs inline on the thread that took the call from its completion queue, not on the
// process's executor: it is bounded (one customer, a few microseconds of rules) and CPU-only, so
// a handoff would only add a wake-up and a context switch per call (the profile's largest cost).
absl::Status ScoringService::ScoreOne(const v1::ScoreRequest& request,
                                      v1::ScoreResponse* response) {
  if (!request.has_signals()) return absl::InvalidArgumentError("signals: required");
  auto start = std::chrono::steady_clock::now();
  CHURN_ASSIGN_OR_RETURN(std::shared_ptr<const LoadedRules> rules, RulesInForce());
  CHURN_ASSIGN_OR_RETURN(CustomerSignals signals, convert::FromProto(request.signals(), "signals"));

  scoring::Assessment assessment = scoring::ScoreCustomer(rules->rules, signals);
  metrics_.CountScored(assessment.risk_level);
  convert::ToProto(assessment, response->mutable_assessment());
  FillRulesInfo(*rules, response->mutable_rules());
  if (options_.model && signals.long_views) {  // else no opinion: no copy of the signals
    RepeatedPtrField<v1::ModelOpinion> opinions;
    if (absl::Status status = AddModelOpinions({signals}, &opinions); !status.ok()) {
      response->Clear();
      return status;
    }
    if (!opinions.empty()) *response->mutable_model_opinion() = opinions[0];
  }
  metrics_.ObserveBatch(ScoringMethod::kScore, 1, SecondsSince(start));
  return absl::OkStatus();
}

absl::Status ScoringService::AnswerScoreBatch(const v1::ScoreBatchRequest& request,
                                              v1::ScoreBatchResponse* response) {
  if (!v1::ScoreResponseForm_IsValid(request.response_form())) {
    return absl::InvalidArgumentError(
        absl::StrCat("response_form: unknown form ", request.response_form()));
  }
  absl::Status status =
      request.response_form() == v1::SCORE_RESPONSE_FORM_COMPACT
          ? ScoreCompact(request, response)
          : ScoreCustomers(ScoringMethod::kScoreBatch, request.customers(), "customers",
                           response->mutable_assessments(), response->mutable_rules(),
                           response->mutable_level_counts(), response->mutable_model_opinions());
  if (!status.ok()) response->Clear();
  return status;
}

// ScoreStream: read one chunk, answer it, read the next; the client closing its side ends the
// call with OK, a bad chunk ends it with INVALID_ARGUMENT naming the chunk and field.
grpc::Status ScoringService::ScoreStream(
    grpc::ServerContext* /*context*/,
    grpc::ServerReaderWriter<v1::ScoreStreamResponse, v1::ScoreStreamRequest>* stream) {
  v1::ScoreStreamRequest request;
  v1::ScoreStreamResponse response;
  for (int64_t chunk_index = 0; stream->Read(&request); ++chunk_index) {
    response.Clear();
    response.set_chunk_index(chunk_index);
    absl::Status status =
        ScoreCustomers(ScoringMethod::kScoreStream, request.customers(), "customers",
                       response.mutable_assessments(), response.mutable_rules(), nullptr);
    if (!status.ok()) {
      return ToGrpcStatus(absl::Status(
          status.code(), absl::StrCat("message ", chunk_index, ": ", status.message())));
    }
    if (!stream->Write(response)) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "stream closed by the client");
    }
  }
  return grpc::Status::OK;
}

absl::Status ScoringService::AnswerGetRules(v1::GetRulesResponse* response) {
  CHURN_ASSIGN_OR_RETURN(std::shared_ptr<const LoadedRules> rules, RulesInForce());
  FillRulesInfo(*rules, response->mutable_rules());
  response->set_yaml(rules->yaml);
  return absl::OkStatus();
}

absl::Status ScoringService::AnswerDryRunRules(const v1::DryRunRulesRequest& request,
                                               v1::DryRunRulesResponse* response) {
  auto start = std::chrono::steady_clock::now();
  CHURN_ASSIGN_OR_RETURN(std::shared_ptr<const LoadedRules> current, RulesInForce());
  if (request.candidate_yaml().empty()) {
    return absl::InvalidArgumentError("candidate_yaml: required");
  }
  if (static_cast<int64_t>(request.candidate_yaml().size()) > options_.max_rules_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("candidate_yaml: at most ",
                                                   options_.max_rules_bytes, " bytes, got ",
                                                   request.candidate_yaml().size()));
  }
  CHURN_ASSIGN_OR_RETURN(std::shared_ptr<const LoadedRules> candidate,
                         ParseRules(request.candidate_yaml(), "candidate_yaml"));
  CHURN_ASSIGN_OR_RETURN(std::vector<CustomerSignals> signals,
                         SignalsFromRequest(request.customers(), "customers", options_.max_batch));

  scoring::RulesDryRun dry_run = scoring::DryRunRules(current->rules, candidate->rules, signals);
  FillRulesInfo(*current, response->mutable_current_rules());
  FillRulesInfo(*candidate, response->mutable_candidate_rules());

  const scoring::RulesDiffSummary& summary = dry_run.summary;
  convert::ToProto(summary, response->mutable_summary());
  for (const scoring::CustomerRulesDiff& diff : dry_run.customers) {
    if (!diff.changed && !request.include_unchanged()) continue;
    convert::ToProto(diff, response->add_changes());
  }
  metrics_.ObserveBatch(ScoringMethod::kDryRunRules, summary.customers, SecondsSince(start));
  return absl::OkStatus();
}

absl::Status ScoringService::AnswerReloadRules(const v1::ReloadRulesRequest& request,
                                               v1::ReloadRulesResponse* response) {
  if (static_cast<int64_t>(request.yaml().size()) > options_.max_rules_bytes) {
    return absl::InvalidArgumentError(absl::StrCat("yaml: at most ", options_.max_rules_bytes,
                                                   " bytes, got ", request.yaml().size()));
  }
  concurrency::MutexLock lock(reload_mu_);
  absl::StatusOr<std::shared_ptr<const LoadedRules>> loaded =
      request.yaml().empty() ? LoadRulesFile(options_.rules_file)
                             : ParseRules(request.yaml(), "request");
  std::shared_ptr<const LoadedRules> published;
  bool changed = false;
  CHURN_RETURN_IF_ERROR(Publish(std::move(loaded), &published, &changed));
  FillRulesInfo(*published, response->mutable_rules());
  response->set_changed(changed);
  return absl::OkStatus();
}

}  // namespace churn::scoring_service
