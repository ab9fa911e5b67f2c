// The model misbehaving (the fake Ollama as enrichment's model): it hangs, trickles whitespace
// forever, answers a body that is not JSON, or JSON cut off. A ticket analysis through the
// gateway's HTTP API still ends by its deadline, labelled as not the model's (source "fallback"
// with the error), and the views keep answering meanwhile.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "integration/process.h"
#include "integration_faults/fault_test_folder.h"
#include "integration_faults/gateway_http.h"
#include "integration_faults/restartable_service_set.h"
#include "nlohmann/json.hpp"

namespace churn::testing {
namespace {

using namespace std::chrono_literals;

constexpr int kAnalysisTimeoutMs = 3000;
// The deadline plus what the gateway and enrichment need to answer from the fallback.
constexpr auto kAnswerBound = std::chrono::milliseconds(kAnalysisTimeoutMs) + 1500ms;

class ModelMisbehaviourTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ModelMisbehaviourTest, AnalysisEndsByItsDeadlineAsFallbackAndViewsKeepAnswering) {
  const std::string behaviour = GetParam();
  absl::StatusOr<std::unique_ptr<ServiceProcess>> model =
      ServiceProcess::Start(FAKE_OLLAMA_BINARY, std::vector<std::string>{});
  ASSERT_TRUE(model.ok()) << model.status();
  const int model_port = (*model)->grpc_port();  // the fake's HTTP port
  const HttpReply chosen = HttpPostJson(model_port, "/fake/behaviour", behaviour);
  // A connection dropped mid-reply needs a fake that knows "drop"; an older fake refuses it.
  if (behaviour == "drop" && chosen.status == 400) {
    GTEST_SKIP() << "the fake Ollama has no 'drop' behaviour: " << chosen.body;
  }
  ASSERT_EQ(chosen.status, 200) << chosen.error << chosen.body;

  const FaultTestFolder folder = MakeFaultTestFolder();
  ServiceSetConfig config = ConfigFor(folder);
  config.model_url = absl::StrCat("http://127.0.0.1:", model_port);
  RestartableServiceSet services(config);
  ASSERT_TRUE(services.StartAll().ok());
  const int port = services.http_port();

  // Views and probes, every 100 ms while the analysis waits on the model.
  std::atomic<bool> stop{false};
  std::atomic<long long> slowest_view_ms{0};
  std::atomic<int> failed_views{0};
  std::atomic<int> views{0};
  // At least one round, however fast the analysis ends.
  std::thread viewer([&] {
    do {
      for (const char* path : {"/readyz", "/api/v1/executive"}) {
        const HttpReply reply = HttpGet(port, path, 5s);
        ++views;
        if (reply.status != 200) ++failed_views;
        long long took = reply.took.count();
        long long seen = slowest_view_ms;
        while (took > seen && !slowest_view_ms.compare_exchange_weak(seen, took)) {
        }
      }
      std::this_thread::sleep_for(100ms);
    } while (!stop);
  });

  const HttpReply reply =
      HttpPostJson(port, "/api/v1/tickets/analyze",
                   nlohmann::json{{"subject", "Renewal"},
                                  {"body", "The renewal is beyond our budget, we will cancel."},
                                  {"timeout_ms", kAnalysisTimeoutMs}}
                       .dump(),
                   30s);
  stop = true;
  viewer.join();

  ASSERT_EQ(reply.status, 200) << reply.error << " " << reply.body;
  const nlohmann::json body = nlohmann::json::parse(reply.body);
  const nlohmann::json& analysis = body["analysis"];
  std::printf(
      "[ faults ] model %s: analysis answered in %lld ms, source %s, error %s; %d views, slowest "
      "%lld ms\n",
      behaviour.c_str(), static_cast<long long>(reply.took.count()),
      analysis["source"].dump().c_str(), analysis["error"].dump().c_str(), views.load(),
      slowest_view_ms.load());
  EXPECT_LE(reply.took, kAnswerBound);
  EXPECT_EQ(analysis["source"], "fallback") << reply.body;
  EXPECT_FALSE(analysis["error"].get<std::string>().empty()) << reply.body;
  EXPECT_EQ(failed_views.load(), 0);
  EXPECT_GT(views.load(), 0);
  EXPECT_LT(slowest_view_ms.load(), 1000);
}

INSTANTIATE_TEST_SUITE_P(Behaviours, ModelMisbehaviourTest,
                         ::testing::Values("hang", "trickle", "garbage", "malformed", "drop"),
                         [](const ::testing::TestParamInfo<const char*>& param_info) {
                           return std::string(param_info.param);
                         });

}  // namespace
}  // namespace churn::testing
