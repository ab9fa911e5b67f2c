// The real churn-scoring binary with a trained model (churnctl train on planted demo data): Score
// and ScoreBatch add the model's second opinion beside the rules, with the same probability
// churnctl explain --model gives, and nothing changes for signals without long views.

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "churn/v1/scoring.grpc.pb.h"
#include "convert/signals_convert.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "integration/process.h"
#include "integration/run_command.h"
#include "integration/service_probe.h"
#include "nlohmann/json.hpp"
#include "signals/signal_builder.h"
#include "signals/signal_history.h"
#include "testing/scratch_dir.h"

namespace churn {
namespace {

using ::churn::testing::ServiceProcess;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

const std::string kRulesFile = std::string(CHURN_SOURCE_DIR) + "/config/scoring.yaml";

struct TrainedFolder {
  std::string data;
  std::string model;
};

// Small planted data and a model trained on it, once for the whole test program.
const TrainedFolder& Trained() {
  static const TrainedFolder* folder = [] {
    const std::filesystem::path& root = churn::testing::ProgramScratch().path();
    auto* f = new TrainedFolder{(root / "data").string(), (root / "model.json").string()};
    int code = -1;
    churn::testing::RunCommand(std::string(CHURNCTL_BINARY) +
                                   " generate --mode planted --accounts 400 --history-days 365"
                                   " --end-date 2024-12-31 --out " +
                                   f->data + " 2>&1",
                               &code);
    EXPECT_EQ(code, 0);
    const std::string out = churn::testing::RunCommand(
        std::string(CHURNCTL_BINARY) + " train --data " + f->data +
            " --from 2024-04-01 --to 2024-09-01 --step-days 30 --horizon-days 60 --rounds 30"
            " --out " +
            f->model + " 2>&1",
        &code);
    EXPECT_EQ(code, 0) << out;
    return f;
  }();
  return *folder;
}

// Every customer's signals now, with their long views, as churnctl explain computes them.
std::vector<CustomerSignals> SignalsWithLongViews(const std::string& dir) {
  absl::StatusOr<SignalSnapshot> snapshot = BuildSignalsFromFolder(dir, {});
  EXPECT_TRUE(snapshot.ok()) << snapshot.status();
  if (!snapshot.ok()) return {};
  absl::StatusOr<dataset::DataFiles> files = dataset::FindDataFiles(dir);
  EXPECT_TRUE(files.ok());
  auto views = LongViewsByCustomer(*files, *snapshot->usage_window_end);
  EXPECT_TRUE(views.ok()) << views.status();
  for (CustomerSignals& customer : snapshot->customers) {
    customer.long_views = views->at(customer.customer_id);
  }
  return snapshot->customers;
}

double ChurnctlProbability(const std::string& customer_id) {
  int code = -1;
  const std::string out = churn::testing::RunCommand(
      std::string(CHURNCTL_BINARY) + " explain --data " + Trained().data + " --model " +
          Trained().model + " --format json " + customer_id,
      &code);
  EXPECT_EQ(code, 0) << out;
  const nlohmann::json json = nlohmann::json::parse(out, nullptr, false);
  EXPECT_FALSE(json.is_discarded()) << out;
  EXPECT_EQ(json["model_opinion"]["label"], "second opinion (trained model)");
  return json["model_opinion"]["churn_probability"].get<double>();
}

class ScoringModelTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> extra) {
    ServiceProcess::Options options;
    options.args = {"--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
                    "--rules_file=" + kRulesFile};
    options.args.insert(options.args.end(), extra.begin(), extra.end());
    auto process = ServiceProcess::Start(CHURN_SCORING_BINARY, std::move(options));
    ASSERT_TRUE(process.ok()) << process.status();
    process_ = *std::move(process);
    ASSERT_TRUE(churn::testing::WaitForServing(process_->grpc_target()).ok());
    stub_ = v1::ScoringService::NewStub(
        grpc::CreateChannel(process_->grpc_target(), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (process_ && process_->Running()) {
      absl::StatusOr<int> exit_code = process_->Terminate(10s);
      EXPECT_EQ(exit_code.value_or(-1), 0);
    }
  }

  grpc::Status Score(const CustomerSignals& signals, v1::ScoreResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    v1::ScoreRequest request;
    convert::ToProto(signals, request.mutable_signals());
    return stub_->Score(&context, request, response);
  }

  grpc::Status ScoreBatch(const std::vector<CustomerSignals>& customers,
                          v1::ScoreBatchResponse* response) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    v1::ScoreBatchRequest request;
    for (const CustomerSignals& c : customers) convert::ToProto(c, request.add_customers());
    return stub_->ScoreBatch(&context, request, response);
  }

  std::unique_ptr<ServiceProcess> process_;
  std::unique_ptr<v1::ScoringService::Stub> stub_;
};

TEST_F(ScoringModelTest, SameProbabilityAsChurnctlBesideTheRules) {
  ASSERT_NO_FATAL_FAILURE(Start({"--model_file=" + Trained().model}));
  const std::vector<CustomerSignals> customers = SignalsWithLongViews(Trained().data);
  ASSERT_GE(customers.size(), 4u);
  const std::vector<CustomerSignals> some(customers.begin(), customers.begin() + 4);

  for (const CustomerSignals& customer : some) {
    SCOPED_TRACE(customer.customer_id);
    v1::ScoreResponse with_model;
    ASSERT_TRUE(Score(customer, &with_model).ok());
    ASSERT_TRUE(with_model.has_model_opinion());
    const v1::ModelOpinion& opinion = with_model.model_opinion();
    EXPECT_EQ(opinion.churn_probability(), ChurnctlProbability(customer.customer_id));
    EXPECT_THAT(opinion.label(), HasSubstr("second opinion"));
    EXPECT_EQ(opinion.horizon_days(), 60);
    EXPECT_LE(opinion.top_contributions_size(), 3);
    for (const v1::FeatureContribution& c : opinion.top_contributions()) {
      EXPECT_FALSE(c.sentence().empty());
    }
    // The rule assessment is the same with or without long views: the model never changes it.
    CustomerSignals plain = customer;
    plain.long_views.reset();
    v1::ScoreResponse without;
    ASSERT_TRUE(Score(plain, &without).ok());
    EXPECT_FALSE(without.has_model_opinion());  // no long views: no opinion, not an error
    EXPECT_EQ(without.assessment().SerializeAsString(),
              with_model.assessment().SerializeAsString());
  }

  // ScoreBatch: one opinion per customer with long views, pointing at its place in the request.
  std::vector<CustomerSignals> batch = some;
  batch[1].long_views.reset();
  v1::ScoreBatchResponse response;
  ASSERT_TRUE(ScoreBatch(batch, &response).ok());
  ASSERT_EQ(response.assessments_size(), 4);
  ASSERT_EQ(response.model_opinions_size(), 3);
  const std::vector<int> expected_index = {0, 2, 3};
  for (int k = 0; k < 3; ++k) {
    const v1::ModelOpinion& opinion = response.model_opinions(k);
    EXPECT_EQ(opinion.customer_index(), expected_index[k]);
    EXPECT_EQ(opinion.customer_id(), batch[expected_index[k]].customer_id);
    v1::ScoreResponse single;
    ASSERT_TRUE(Score(batch[expected_index[k]], &single).ok());
    EXPECT_EQ(opinion.churn_probability(), single.model_opinion().churn_probability());
  }
}

TEST_F(ScoringModelTest, NoModelNoOpinion) {
  ASSERT_NO_FATAL_FAILURE(Start({}));
  const std::vector<CustomerSignals> customers = SignalsWithLongViews(Trained().data);
  ASSERT_FALSE(customers.empty());
  v1::ScoreResponse response;
  ASSERT_TRUE(Score(customers.front(), &response).ok());
  EXPECT_FALSE(response.has_model_opinion());
  v1::ScoreBatchResponse batch;
  ASSERT_TRUE(ScoreBatch({customers.front()}, &batch).ok());
  EXPECT_EQ(batch.model_opinions_size(), 0);
}

TEST(ScoringModelBinaryTest, AnUnreadableModelStopsTheStart) {
  const churn::testing::ScratchDir scratch;
  const std::string path = (scratch / "not_a_model.json").string();
  for (const std::string& file : {path + ".missing", path}) {
    if (file == path) {
      FILE* out = std::fopen(path.c_str(), "w");
      std::fputs("{\"format\": \"something else\"}", out);
      std::fclose(out);
    }
    auto process = ServiceProcess::Start(
        CHURN_SCORING_BINARY, {"--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
                               "--rules_file=" + kRulesFile, "--model_file=" + file});
    EXPECT_FALSE(process.ok()) << file;
  }
}

}  // namespace
}  // namespace churn
