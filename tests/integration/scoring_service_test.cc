// The real churn-scoring binary on an ephemeral loopback port, driven over gRPC and HTTP.
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/util/message_differencer.h>
#include <grpc/reflection/v1alpha/reflection.grpc.pb.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <stdio.h>
#include <sys/wait.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "churn/v1/scoring.grpc.pb.h"
#include "convert/compact_response_expander.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/process.h"
#include "integration/service_probe.h"
#include "testing/scratch_dir.h"

namespace churn {
namespace {

using ::churn::testing::ServiceProcess;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

const std::string kRulesFile = std::string(CHURN_SOURCE_DIR) + "/config/scoring.yaml";
const std::string kConfigFile = std::string(CHURN_SOURCE_DIR) + "/config/scoring-service.yaml";
constexpr int kDrainTimeoutMs = 2000;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

v1::CustomerSignals Customer(const std::string& id) {
  v1::CustomerSignals signals;
  signals.set_customer_id(id);
  signals.set_plan_tier("Pro");
  signals.set_arr(12000);
  return signals;
}

// docs/PRODUCT.md "Scoring rules": drop 0.60 + 6 tickets + intent -> 80 High.
v1::CustomerSignals ProductExampleHigh() {
  v1::CustomerSignals signals = Customer("sub-high");
  signals.set_usage_30d(400);
  signals.set_usage_prev30d(1000);
  signals.set_usage_drop_pct(0.60);
  signals.set_tickets_30d(6);
  signals.set_churn_intent_30d(1);
  return signals;
}

// Drop 0.40 + 3 errors + trial -> 44 Medium.
v1::CustomerSignals ProductExampleMedium() {
  v1::CustomerSignals signals = Customer("sub-medium");
  signals.set_usage_drop_pct(0.40);
  signals.set_errors_30d(3);
  signals.set_is_trial(true);
  return signals;
}

// 3 tickets alone -> 10 Low.
v1::CustomerSignals ProductExampleLow() {
  v1::CustomerSignals signals = Customer("sub-low");
  signals.set_tickets_30d(3);
  return signals;
}

class ScoringServiceTest : public ::testing::Test {
 protected:
  // Starts churn-scoring with the repository's config and rules, plus `extra` flags.
  void StartService(std::vector<std::string> extra = {},
                    std::vector<std::pair<std::string, std::string>> env = {},
                    bool wait_for_serving = true) {
    ServiceProcess::Options options;
    options.args = {"--config=" + kConfigFile, "--grpc_address=127.0.0.1:0",
                    "--metrics_address=127.0.0.1:0", "--rules_file=" + kRulesFile,
                    "--drain_timeout_ms=" + std::to_string(kDrainTimeoutMs)};
    options.args.insert(options.args.end(), extra.begin(), extra.end());
    options.env = std::move(env);
    auto process = ServiceProcess::Start(CHURN_SCORING_BINARY, std::move(options));
    ASSERT_TRUE(process.ok()) << process.status();
    process_ = *std::move(process);
    if (wait_for_serving) {
      ASSERT_TRUE(churn::testing::WaitForServing(process_->grpc_target()).ok());
    }
    channel_ = grpc::CreateChannel(process_->grpc_target(), grpc::InsecureChannelCredentials());
    stub_ = v1::ScoringService::NewStub(channel_);
  }

  void TearDown() override {
    if (process_ && process_->Running()) {
      absl::StatusOr<int> exit_code = process_->Terminate(10s);
      EXPECT_TRUE(exit_code.ok()) << exit_code.status();
      EXPECT_EQ(exit_code.value_or(-1), 0);
    }
  }

  static void SetDeadline(grpc::ClientContext* context) {
    context->set_deadline(std::chrono::system_clock::now() + 10s);
  }

  grpc::Status Score(const v1::CustomerSignals& signals, v1::ScoreResponse* response) {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::ScoreRequest request;
    *request.mutable_signals() = signals;
    return stub_->Score(&context, request, response);
  }

  grpc::Status ScoreBatch(const std::vector<v1::CustomerSignals>& customers,
                          v1::ScoreBatchResponse* response) {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::ScoreBatchRequest request;
    for (const auto& customer : customers) *request.add_customers() = customer;
    return stub_->ScoreBatch(&context, request, response);
  }

  grpc::Status GetRules(v1::GetRulesResponse* response) {
    grpc::ClientContext context;
    SetDeadline(&context);
    return stub_->GetRules(&context, v1::GetRulesRequest(), response);
  }

  grpc::Status ReloadRules(const std::string& yaml, v1::ReloadRulesResponse* response) {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::ReloadRulesRequest request;
    request.set_yaml(yaml);
    return stub_->ReloadRules(&context, request, response);
  }

  std::string Metrics() {
    absl::StatusOr<std::string> text = churn::testing::ScrapeMetrics(process_->metrics_port());
    EXPECT_TRUE(text.ok()) << text.status();
    return text.value_or("");
  }

  std::unique_ptr<ServiceProcess> process_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ScoringService::Stub> stub_;
};

TEST_F(ScoringServiceTest, ScoresTheProductExample) {
  ASSERT_NO_FATAL_FAILURE(StartService());
  v1::ScoreResponse response;
  grpc::Status status = Score(ProductExampleHigh(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();

  const v1::RiskAssessment& assessment = response.assessment();
  EXPECT_EQ(assessment.customer_id(), "sub-high");
  EXPECT_EQ(assessment.risk_score(), 80);
  EXPECT_EQ(assessment.risk_level(), v1::RISK_LEVEL_HIGH);
  EXPECT_EQ(assessment.top_reasons(),
            "Usage dropped 60% (30d vs prior); High support load (6 tickets in 30d); "
            "Customer language suggests cancellation risk");
  EXPECT_EQ(assessment.recommended_actions(),
            "Schedule a check-in to reset goals; Recommend 1-2 key features to activate this "
            "week; Confirm resolution plan and close the loop");
  ASSERT_EQ(assessment.fired_rules_size(), 3);
  EXPECT_EQ(assessment.fired_rules(0).rule(), "usage_drop");
  EXPECT_EQ(assessment.fired_rules(0).points(), 40);
  EXPECT_EQ(assessment.fired_rules(1).points(), 18);
  EXPECT_EQ(assessment.fired_rules(2).points(), 22);
  EXPECT_EQ(assessment.reasons_size(), 3);
  EXPECT_EQ(assessment.actions_size(), 3);
  EXPECT_EQ(response.rules().sha256().size(), 64u);
  EXPECT_EQ(response.rules().source(), kRulesFile);
  // Loaded when the service started, moments ago.
  ASSERT_TRUE(response.rules().has_loaded_at());
  EXPECT_LE(std::abs(response.rules().loaded_at().seconds() - absl::ToUnixSeconds(absl::Now())),
            120);

  // Health is reported for the whole server and for the service by name.
  EXPECT_EQ(churn::testing::HealthStatus(process_->grpc_target(), "churn.v1.ScoringService")
                .value_or("error"),
            "SERVING");
}

TEST_F(ScoringServiceTest, ScoreBatchKeepsRequestOrderAndCountsLevels) {
  ASSERT_NO_FATAL_FAILURE(StartService());
  v1::ScoreBatchResponse response;
  grpc::Status status =
      ScoreBatch({ProductExampleLow(), ProductExampleHigh(), ProductExampleMedium()}, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.assessments_size(), 3);
  EXPECT_EQ(response.assessments(0).customer_id(), "sub-low");
  EXPECT_EQ(response.assessments(0).risk_score(), 10);
  EXPECT_EQ(response.assessments(0).risk_level(), v1::RISK_LEVEL_LOW);
  EXPECT_EQ(response.assessments(1).risk_score(), 80);
  EXPECT_EQ(response.assessments(2).customer_id(), "sub-medium");
  EXPECT_EQ(response.assessments(2).risk_score(), 44);
  EXPECT_EQ(response.assessments(2).risk_level(), v1::RISK_LEVEL_MEDIUM);
  EXPECT_EQ(response.level_counts().low(), 1);
  EXPECT_EQ(response.level_counts().medium(), 1);
  EXPECT_EQ(response.level_counts().high(), 1);

  v1::ScoreBatchResponse empty;
  ASSERT_TRUE(ScoreBatch({}, &empty).ok());
  EXPECT_EQ(empty.assessments_size(), 0);
}

// Customers across every rule and tier of the default rules, and none.
std::vector<v1::CustomerSignals> VariedCustomers(int count) {
  std::vector<v1::CustomerSignals> customers;
  for (int n = 0; n < count; ++n) {
    v1::CustomerSignals s = Customer("sub-" + std::to_string(n));
    s.set_usage_drop_pct((n % 11) * 0.0875);
    s.set_tickets_30d(n % 9);
    s.set_errors_30d((n * 7) % 17);
    s.set_churn_intent_30d(n % 5 == 0 ? 1 + n % 3 : 0);
    if (n % 3 != 0) s.set_satisfaction_score(1 + (n % 9) * 0.5);
    s.set_escalation_flag(n % 4 == 1);
    s.set_downgrade_flag(n % 6 == 2);
    s.set_is_trial(n % 7 == 3);
    customers.push_back(s);
  }
  return customers;
}

// Scores `customers` in the compact form the expander asks for and expands the answer.
void ScoreCompactAndExpand(v1::ScoringService::Stub& stub,
                           convert::CompactResponseExpander& expander,
                           const std::vector<v1::CustomerSignals>& customers, bool expect_texts,
                           v1::ScoreBatchResponse* expanded) {
  v1::ScoreBatchRequest request;
  for (const auto& customer : customers) *request.add_customers() = customer;
  expander.PrepareRequest(&request);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 10s);
  v1::ScoreBatchResponse compact;
  grpc::Status status = stub.ScoreBatch(&context, request, &compact);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(compact.assessments_size(), 0);
  EXPECT_EQ(compact.compact().risk_scores_size(), request.customers_size());
  EXPECT_EQ(compact.has_rules_texts(), expect_texts);
  absl::Status expanded_status = expander.Expand(request, compact, expanded);
  ASSERT_TRUE(expanded_status.ok()) << expanded_status;
}

void ExpectSameResponse(const v1::ScoreBatchResponse& full,
                        const v1::ScoreBatchResponse& expanded) {
  std::string differences;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&differences);
  EXPECT_TRUE(differencer.Compare(full, expanded)) << differences;
}

TEST_F(ScoringServiceTest, CompactScoreBatchExpandsToTheFullTextResponse) {
  ASSERT_NO_FATAL_FAILURE(StartService());
  const std::vector<v1::CustomerSignals> customers = VariedCustomers(400);
  v1::ScoreBatchResponse full;
  ASSERT_TRUE(ScoreBatch(customers, &full).ok());
  ASSERT_EQ(full.assessments_size(), 400);
  EXPECT_GT(full.level_counts().high(), 0);
  EXPECT_GT(full.level_counts().medium(), 0);

  // The first call brings the texts, the next ones only numbers; both expand to the full form.
  convert::CompactResponseExpander expander;
  v1::ScoreBatchResponse expanded;
  ASSERT_NO_FATAL_FAILURE(ScoreCompactAndExpand(*stub_, expander, customers, true, &expanded));
  ExpectSameResponse(full, expanded);
  EXPECT_EQ(expander.known_rules_sha256(), full.rules().sha256());
  ASSERT_NO_FATAL_FAILURE(ScoreCompactAndExpand(*stub_, expander, customers, false, &expanded));
  ExpectSameResponse(full, expanded);

  // Other texts in force: the next compact answer carries them again.
  std::string yaml = ReadFile(kRulesFile);
  for (auto [from, to] : {std::pair<std::string, std::string>{"Schedule a check-in to reset goals",
                                                              "Book a goals review"},
                          {"Usage dropped {pct}% (30d vs prior)", "Use fell by {pct}%"},
                          {"separator: \"; \"", "separator: \" / \""}}) {
    const size_t at = yaml.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    yaml.replace(at, from.size(), to);
  }
  v1::ReloadRulesResponse reload;
  ASSERT_TRUE(ReloadRules(yaml, &reload).ok());
  ASSERT_TRUE(reload.changed());
  v1::ScoreBatchResponse full_after;
  ASSERT_TRUE(ScoreBatch(customers, &full_after).ok());
  EXPECT_THAT(full_after.assessments(0).top_reasons(), Not(HasSubstr("Usage dropped")));
  ASSERT_NO_FATAL_FAILURE(ScoreCompactAndExpand(*stub_, expander, customers, true, &expanded));
  ExpectSameResponse(full_after, expanded);
  EXPECT_FALSE(google::protobuf::util::MessageDifferencer::Equals(full, expanded));

  // A client without the texts cannot expand an answer that has none.
  v1::ScoreBatchRequest request;
  for (const auto& customer : customers) *request.add_customers() = customer;
  expander.PrepareRequest(&request);
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::ScoreBatchResponse compact;
  ASSERT_TRUE(stub_->ScoreBatch(&context, request, &compact).ok());
  convert::CompactResponseExpander fresh;
  EXPECT_EQ(fresh.Expand(request, compact, &expanded).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(ScoringServiceTest, UnknownResponseFormIsInvalidArgument) {
  ASSERT_NO_FATAL_FAILURE(StartService());
  v1::ScoreBatchRequest request;
  *request.add_customers() = ProductExampleHigh();
  request.set_response_form(static_cast<v1::ScoreResponseForm>(7));
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::ScoreBatchResponse response;
  grpc::Status status = stub_->ScoreBatch(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("response_form"));
}

TEST_F(ScoringServiceTest, ScoreStreamAnswersEveryChunkAndRejectsABadOne) {
  ASSERT_NO_FATAL_FAILURE(StartService());
  grpc::ClientContext context;
  SetDeadline(&context);
  auto stream = stub_->ScoreStream(&context);

  v1::ScoreStreamRequest first;
  *first.add_customers() = ProductExampleHigh();
  *first.add_customers() = ProductExampleLow();
  ASSERT_TRUE(stream->Write(first));
  v1::ScoreStreamResponse response;
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(response.chunk_index(), 0);
  ASSERT_EQ(response.assessments_size(), 2);
  EXPECT_EQ(response.assessments(0).risk_score(), 80);
  EXPECT_EQ(response.assessments(1).risk_score(), 10);

  v1::ScoreStreamRequest second;
  *second.add_customers() = ProductExampleMedium();
  ASSERT_TRUE(stream->Write(second));
  ASSERT_TRUE(stream->Read(&response));
  EXPECT_EQ(response.chunk_index(), 1);
  ASSERT_EQ(response.assessments_size(), 1);
  EXPECT_EQ(response.assessments(0).risk_score(), 44);

  v1::ScoreStreamRequest bad;
  v1::CustomerSignals negative = ProductExampleLow();
  negative.set_usage_30d(-5);
  *bad.add_customers() = ProductExampleLow();
  *bad.add_customers() = negative;
  ASSERT_TRUE(stream->Write(bad));
  EXPECT_FALSE(stream->Read(&response));
  grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "message 2: customers[1].usage_30d: must be >= 0, got -5");
}

struct BadSignalsCase {
  std::string name;
  void (*spoil)(v1::CustomerSignals*);
  std::string expected_message;
};

TEST_F(ScoringServiceTest, BadInputIsInvalidArgumentNamingTheField) {
  ASSERT_NO_FATAL_FAILURE(StartService());
  const std::vector<BadSignalsCase> cases = {
      {"nan drop", [](v1::CustomerSignals* s) { s->set_usage_drop_pct(std::nan("")); },
       "signals.usage_drop_pct: must be a finite number, got nan"},
      {"drop above 1", [](v1::CustomerSignals* s) { s->set_usage_drop_pct(1.5); },
       "signals.usage_drop_pct: must be within [0, 1], got 1.5"},
      {"negative usage", [](v1::CustomerSignals* s) { s->set_usage_30d(-5); },
       "signals.usage_30d: must be >= 0, got -5"},
      {"negative prior usage", [](v1::CustomerSignals* s) { s->set_usage_prev30d(-1); },
       "signals.usage_prev30d: must be >= 0, got -1"},
      {"negative tickets", [](v1::CustomerSignals* s) { s->set_tickets_30d(-2); },
       "signals.tickets_30d: must be >= 0, got -2"},
      {"negative errors", [](v1::CustomerSignals* s) { s->set_errors_30d(-3); },
       "signals.errors_30d: must be >= 0, got -3"},
      {"negative intent", [](v1::CustomerSignals* s) { s->set_churn_intent_30d(-1); },
       "signals.churn_intent_30d: must be >= 0, got -1"},
      {"empty id", [](v1::CustomerSignals* s) { s->set_customer_id(""); },
       "signals.customer_id: must not be empty"},
      {"blank id", [](v1::CustomerSignals* s) { s->set_customer_id("  "); },
       "signals.customer_id: must not be empty"},
      {"infinite arr",
       [](v1::CustomerSignals* s) { s->set_arr(std::numeric_limits<double>::infinity()); },
       "signals.arr: must be a finite number, got inf"},
      {"negative arr", [](v1::CustomerSignals* s) { s->set_arr(-1); },
       "signals.arr: must be >= 0, got -1"},
      {"nan satisfaction", [](v1::CustomerSignals* s) { s->set_satisfaction_score(std::nan("")); },
       "signals.satisfaction_score: must be a finite number, got nan"},
      {"satisfaction out of scale", [](v1::CustomerSignals* s) { s->set_satisfaction_score(9); },
       "signals.satisfaction_score: must be within [1, 5], got 9"},
      {"negative resolution", [](v1::CustomerSignals* s) { s->set_avg_resolution_hours(-1); },
       "signals.avg_resolution_hours: must be >= 0, got -1"},
      {"nan first response",
       [](v1::CustomerSignals* s) { s->set_avg_first_response_min(std::nan("")); },
       "signals.avg_first_response_min: must be a finite number, got nan"},
  };
  for (const BadSignalsCase& bad : cases) {
    SCOPED_TRACE(bad.name);
    v1::CustomerSignals signals = ProductExampleHigh();
    bad.spoil(&signals);
    v1::ScoreResponse response;
    grpc::Status status = Score(signals, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message(), bad.expected_message);
  }

  {
    grpc::ClientContext context;
    SetDeadline(&context);
    v1::ScoreResponse response;
    grpc::Status status = stub_->Score(&context, v1::ScoreRequest(), &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message(), "signals: required");
  }

  // In a batch the message names the customer's position; nothing of the batch is scored.
  v1::CustomerSignals bad = ProductExampleLow();
  bad.set_errors_30d(-7);
  v1::ScoreBatchResponse batch;
  grpc::Status status = ScoreBatch({ProductExampleHigh(), ProductExampleMedium(), bad}, &batch);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "customers[2].errors_30d: must be >= 0, got -7");
  EXPECT_EQ(batch.assessments_size(), 0);

  // Still alive and scoring after all of that.
  v1::ScoreResponse response;
  ASSERT_TRUE(Score(ProductExampleHigh(), &response).ok());
  EXPECT_EQ(response.assessment().risk_score(), 80);
  EXPECT_TRUE(process_->Running());
}

TEST_F(ScoringServiceTest, OversizedBatchIsRejected) {
  // The limit comes from the environment here (CHURN_SCORING_<KEY> overrides the YAML file).
  ASSERT_NO_FATAL_FAILURE(StartService({}, {{"CHURN_SCORING_MAX_BATCH", "3"}}));
  v1::ScoreBatchResponse response;
  std::vector<v1::CustomerSignals> customers(4, ProductExampleLow());
  grpc::Status status = ScoreBatch(customers, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "customers: at most 3 customers per request, got 4");

  customers.pop_back();
  EXPECT_TRUE(ScoreBatch(customers, &response).ok());
  EXPECT_EQ(response.assessments_size(), 3);
}

TEST_F(ScoringServiceTest, DryRunReportsChangesWithoutApplyingThem) {
  ASSERT_NO_FATAL_FAILURE(StartService());
  v1::GetRulesResponse before;
  ASSERT_TRUE(GetRules(&before).ok());
  EXPECT_EQ(before.yaml(), ReadFile(kRulesFile));

  // Candidate: the high support-load tier is worth 40 instead of 18.
  std::string candidate = before.yaml();
  const std::string tier = "min: 6, points: 18";
  size_t at = candidate.find(tier);
  ASSERT_NE(at, std::string::npos) << "config/scoring.yaml changed shape; update this test";
  candidate.replace(at, tier.size(), "min: 6, points: 40");

  grpc::ClientContext context;
  SetDeadline(&context);
  v1::DryRunRulesRequest request;
  request.set_candidate_yaml(candidate);
  *request.add_customers() = ProductExampleHigh();
  *request.add_customers() = ProductExampleMedium();
  v1::CustomerSignals busy = Customer("sub-busy");
  busy.set_tickets_30d(7);  // 18 Low -> 40 Medium
  *request.add_customers() = busy;
  v1::DryRunRulesResponse response;
  grpc::Status status = stub_->DryRunRules(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();

  EXPECT_EQ(response.current_rules().sha256(), before.rules().sha256());
  EXPECT_NE(response.candidate_rules().sha256(), before.rules().sha256());
  EXPECT_EQ(response.summary().customers(), 3);
  EXPECT_EQ(response.summary().changed(), 2);
  EXPECT_EQ(response.summary().level_changed(), 1);
  EXPECT_EQ(response.summary().score_up(), 2);
  EXPECT_EQ(response.summary().levels_before().low(), 1);
  EXPECT_EQ(response.summary().levels_after().low(), 0);
  EXPECT_EQ(response.summary().levels_after().medium(), 2);
  ASSERT_EQ(response.summary().transitions_size(), 1);
  EXPECT_EQ(response.summary().transitions(0).from(), v1::RISK_LEVEL_LOW);
  EXPECT_EQ(response.summary().transitions(0).to(), v1::RISK_LEVEL_MEDIUM);
  EXPECT_EQ(response.summary().transitions(0).count(), 1);

  ASSERT_EQ(response.changes_size(), 2);  // the unchanged Medium customer is left out
  EXPECT_EQ(response.changes(0).customer_id(), "sub-high");
  EXPECT_EQ(response.changes(0).score_before(), 80);
  EXPECT_EQ(response.changes(0).score_after(), 100);  // capped at max_score
  EXPECT_EQ(response.changes(1).customer_id(), "sub-busy");
  EXPECT_EQ(response.changes(1).score_before(), 18);
  EXPECT_EQ(response.changes(1).score_after(), 40);
  EXPECT_EQ(response.changes(1).level_before(), v1::RISK_LEVEL_LOW);
  EXPECT_EQ(response.changes(1).level_after(), v1::RISK_LEVEL_MEDIUM);

  // Nothing was applied.
  v1::GetRulesResponse after;
  ASSERT_TRUE(GetRules(&after).ok());
  EXPECT_EQ(after.rules().sha256(), before.rules().sha256());
  v1::ScoreResponse score;
  ASSERT_TRUE(Score(ProductExampleHigh(), &score).ok());
  EXPECT_EQ(score.assessment().risk_score(), 80);

  // A broken candidate is the caller's error, named as such.
  grpc::ClientContext broken_context;
  SetDeadline(&broken_context);
  request.set_candidate_yaml("version: 1\nrules: [unclosed\n");
  status = stub_->DryRunRules(&broken_context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("candidate_yaml"));
}

TEST_F(ScoringServiceTest, ReloadWithABrokenFileKeepsTheOldRules) {
  const churn::testing::ScratchDir scratch;
  const std::string dir = scratch.string();
  const std::string rules_file = dir + "/rules.yaml";
  const std::string good = ReadFile(kRulesFile);
  WriteFile(rules_file, good);
  ASSERT_NO_FATAL_FAILURE(StartService({"--rules_file=" + rules_file}));

  v1::GetRulesResponse before;
  ASSERT_TRUE(GetRules(&before).ok());
  EXPECT_EQ(before.rules().source(), rules_file);

  WriteFile(rules_file, "version: 1\nmax_score: -5\nrules: {{{\n");
  v1::ReloadRulesResponse reload;
  grpc::Status status = ReloadRules("", &reload);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // The caller learns the file, line and column, not the server's folder.
  EXPECT_THAT(status.error_message(), HasSubstr("rules.yaml:4:1: "));
  EXPECT_THAT(status.error_message(), Not(HasSubstr(rules_file)));

  status = ReloadRules("version: 1\nrules: 3\n", &reload);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::GetRulesResponse kept;
  ASSERT_TRUE(GetRules(&kept).ok());
  EXPECT_EQ(kept.rules().sha256(), before.rules().sha256());
  EXPECT_EQ(kept.yaml(), good);
  v1::ScoreResponse score;
  ASSERT_TRUE(Score(ProductExampleHigh(), &score).ok());
  EXPECT_EQ(score.assessment().risk_score(), 80);

  // A fixed file is picked up: the trial tier now weighs 30.
  std::string changed = good;
  const std::string trial = "{id: trial, points: 8,";
  size_t at = changed.find(trial);
  ASSERT_NE(at, std::string::npos) << "config/scoring.yaml changed shape; update this test";
  changed.replace(at, trial.size(), "{id: trial, points: 30,");
  WriteFile(rules_file, changed);
  status = ReloadRules("", &reload);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(reload.changed());
  EXPECT_NE(reload.rules().sha256(), before.rules().sha256());
  ASSERT_TRUE(Score(ProductExampleMedium(), &score).ok());
  EXPECT_EQ(score.assessment().risk_score(), 28 + 8 + 30);

  // Reloading identical text reports no change.
  status = ReloadRules(changed, &reload);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(reload.changed());
  EXPECT_EQ(reload.rules().source(), "request");

  std::string metrics = Metrics();
  EXPECT_EQ(churn::testing::SumSamples(metrics, "churn_scoring_rule_reloads_total",
                                       {{"result", "error"}}),
            2);
  EXPECT_EQ(
      churn::testing::SumSamples(metrics, "churn_scoring_rule_reloads_total", {{"result", "ok"}}),
      3);  // startup + fixed file + identical text
  std::filesystem::remove_all(dir);
}

TEST_F(ScoringServiceTest, NotServingUntilRulesAreLoaded) {
  ASSERT_NO_FATAL_FAILURE(
      StartService({"--rules_file=/nonexistent/churn-rules.yaml"}, {}, /*wait_for_serving=*/false));
  EXPECT_EQ(churn::testing::HealthStatus(process_->grpc_target()).value_or("error"), "NOT_SERVING");
  EXPECT_EQ(churn::testing::HealthStatus(process_->grpc_target(), "churn.v1.ScoringService")
                .value_or("error"),
            "NOT_SERVING");
  v1::ScoreResponse score;
  EXPECT_EQ(Score(ProductExampleHigh(), &score).error_code(), grpc::StatusCode::UNAVAILABLE);

  v1::ReloadRulesResponse reload;
  grpc::Status status = ReloadRules(ReadFile(kRulesFile), &reload);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(churn::testing::WaitForServing(process_->grpc_target(), 5s).ok());
  ASSERT_TRUE(Score(ProductExampleHigh(), &score).ok());
  EXPECT_EQ(score.assessment().risk_score(), 80);
}

TEST_F(ScoringServiceTest, MetricsFollowGrpcPrometheusConventions) {
  ASSERT_NO_FATAL_FAILURE(StartService());
  const std::string fresh = Metrics();
  // Pre-created at 0 for every method and code, before any call.
  EXPECT_EQ(churn::testing::SumSamples(fresh, "grpc_server_handled_total",
                                       {{"grpc_type", "unary"},
                                        {"grpc_service", "churn.v1.ScoringService"},
                                        {"grpc_method", "DryRunRules"},
                                        {"grpc_code", "DeadlineExceeded"}}),
            0);
  EXPECT_EQ(
      churn::testing::SumSamples(fresh, "grpc_server_started_total",
                                 {{"grpc_type", "bidi_stream"}, {"grpc_method", "ScoreStream"}}),
      0);
  EXPECT_EQ(churn::testing::SumSamples(fresh, "grpc_server_handling_seconds_count",
                                       {{"grpc_method", "Score"}}),
            0);

  v1::ScoreResponse response;
  ASSERT_TRUE(Score(ProductExampleHigh(), &response).ok());
  v1::CustomerSignals bad = ProductExampleHigh();
  bad.set_usage_30d(-1);
  EXPECT_FALSE(Score(bad, &response).ok());
  bad.set_customer_id("");
  EXPECT_FALSE(Score(bad, &response).ok());
  v1::ScoreBatchResponse batch;
  ASSERT_TRUE(ScoreBatch({ProductExampleLow(), ProductExampleMedium()}, &batch).ok());

  const std::string metrics = Metrics();
  const std::map<std::string, std::string> score_labels = {
      {"grpc_type", "unary"},
      {"grpc_service", "churn.v1.ScoringService"},
      {"grpc_method", "Score"}};
  auto with_code = [&](const std::string& code) {
    auto labels = score_labels;
    labels["grpc_code"] = code;
    return labels;
  };
  EXPECT_EQ(churn::testing::SumSamples(metrics, "grpc_server_handled_total",
                                       with_code("InvalidArgument")),
            2);
  EXPECT_EQ(churn::testing::SumSamples(metrics, "grpc_server_handled_total", with_code("OK")), 1);
  EXPECT_EQ(churn::testing::SumSamples(metrics, "grpc_server_started_total", score_labels), 3);
  EXPECT_EQ(churn::testing::SumSamples(metrics, "grpc_server_handling_seconds_count", score_labels),
            3);
  EXPECT_EQ(churn::testing::SumSamples(metrics, "grpc_server_msg_received_total", score_labels), 3);
  EXPECT_EQ(churn::testing::SumSamples(metrics, "grpc_server_handled_total",
                                       {{"grpc_method", "ScoreBatch"}, {"grpc_code", "OK"}}),
            1);
  // Domain metrics: one High (Score), one Low and one Medium (ScoreBatch).
  EXPECT_EQ(churn::testing::SumSamples(metrics, "churn_scoring_customers_scored_total",
                                       {{"risk_level", "High"}}),
            1);
  EXPECT_EQ(churn::testing::SumSamples(metrics, "churn_scoring_customers_scored_total"), 3);
  EXPECT_EQ(churn::testing::SumSamples(metrics, "churn_scoring_batch_duration_seconds_count",
                                       {{"method", "ScoreBatch"}}),
            1);
  EXPECT_EQ(churn::testing::SumSamples(metrics, "churn_scoring_rules_loaded"), 1);
}

TEST_F(ScoringServiceTest, ReflectionDescribesTheApi) {
  ASSERT_NO_FATAL_FAILURE(StartService());
  namespace reflection = grpc::reflection::v1alpha;
  auto stub = reflection::ServerReflection::NewStub(channel_);
  grpc::ClientContext context;
  SetDeadline(&context);
  auto stream = stub->ServerReflectionInfo(&context);

  reflection::ServerReflectionRequest list;
  list.set_list_services("");
  ASSERT_TRUE(stream->Write(list));
  reflection::ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  std::vector<std::string> services;
  for (const auto& service : response.list_services_response().service()) {
    services.push_back(service.name());
  }
  EXPECT_THAT(services,
              ::testing::IsSupersetOf({"churn.v1.ScoringService", "grpc.health.v1.Health"}));

  reflection::ServerReflectionRequest describe;
  describe.set_file_containing_symbol("churn.v1.ScoringService");
  ASSERT_TRUE(stream->Write(describe));
  ASSERT_TRUE(stream->Read(&response));
  ASSERT_GT(response.file_descriptor_response().file_descriptor_proto_size(), 0);
  google::protobuf::FileDescriptorProto file;
  ASSERT_TRUE(file.ParseFromString(response.file_descriptor_response().file_descriptor_proto(0)));
  EXPECT_EQ(file.name(), "churn/v1/scoring.proto");
  EXPECT_EQ(file.package(), "churn.v1");
  ASSERT_EQ(file.service_size(), 1);
  std::vector<std::string> methods;
  for (const auto& method : file.service(0).method()) methods.push_back(method.name());
  EXPECT_THAT(methods, ::testing::ElementsAre("Score", "ScoreBatch", "ScoreStream", "GetRules",
                                              "DryRunRules", "ReloadRules"));
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

TEST_F(ScoringServiceTest, SigtermExitsZeroQuicklyWhenIdle) {
  ASSERT_NO_FATAL_FAILURE(StartService());
  auto start = std::chrono::steady_clock::now();
  absl::StatusOr<int> exit_code = process_->Terminate(std::chrono::milliseconds(kDrainTimeoutMs));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(kDrainTimeoutMs));
}

TEST_F(ScoringServiceTest, SigtermCancelsAnOpenStreamAfterTheDrainTimeout) {
  ASSERT_NO_FATAL_FAILURE(StartService());
  grpc::ClientContext context;
  SetDeadline(&context);
  auto stream = stub_->ScoreStream(&context);
  v1::ScoreStreamRequest request;
  *request.add_customers() = ProductExampleHigh();
  ASSERT_TRUE(stream->Write(request));
  v1::ScoreStreamResponse response;
  ASSERT_TRUE(stream->Read(&response));

  // The stream stays open (no WritesDone), so shutdown must wait for the drain timeout and then
  // cancel it, and still exit cleanly.
  auto start = std::chrono::steady_clock::now();
  absl::StatusOr<int> exit_code =
      process_->Terminate(std::chrono::milliseconds(kDrainTimeoutMs + 3000));
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start,
            std::chrono::milliseconds(kDrainTimeoutMs + 2000));
  EXPECT_FALSE(stream->Read(&response));
  EXPECT_FALSE(stream->Finish().ok());
}

TEST(ScoringBinaryTest, HelpListsEveryKeyAndExitsZero) {
  FILE* pipe = ::popen((std::string(CHURN_SCORING_BINARY) + " --help").c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  int status = ::pclose(pipe);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  for (const char* key : {"--config=", "--grpc_address=", "--metrics_address=",
                          "--drain_timeout_ms=", "--port_file=", "--log_level=", "--rules_file=",
                          "--max_batch=", "--max_rules_bytes=", "CHURN_SCORING_MAX_BATCH"}) {
    EXPECT_THAT(output, HasSubstr(key));
  }
}

TEST(ScoringBinaryTest, ConfigurationErrorsStopTheStart) {
  auto unknown_flag = ServiceProcess::Start(CHURN_SCORING_BINARY, {"--no_such_key=1"});
  EXPECT_FALSE(unknown_flag.ok());
  EXPECT_THAT(std::string(unknown_flag.status().message()), HasSubstr("exited with code 2"));

  ServiceProcess::Options options;
  options.args = {"--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0"};
  options.env = {{"CHURN_SCORING_MAX_BATCH", "lots"}};
  auto bad_env = ServiceProcess::Start(CHURN_SCORING_BINARY, options);
  EXPECT_FALSE(bad_env.ok());
  EXPECT_THAT(std::string(bad_env.status().message()), HasSubstr("exited with code 2"));
}

}  // namespace
}  // namespace churn
