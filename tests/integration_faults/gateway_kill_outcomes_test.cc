// kill -9 the gateway at seeded random moments while four clients record 1,000 outcomes through
// its HTTP API, retrying a write until it is acknowledged; restart it each time. Afterwards every
// acknowledged write is in the SQLite file, and a write appears more than once only when an
// attempt of it ended without an answer (the API has no idempotency key: a retry of a write
// that committed but whose answer was lost records it again).
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "integration_faults/fault_test_folder.h"
#include "integration_faults/gateway_http.h"
#include "integration_faults/outcome_log_file.h"
#include "integration_faults/restartable_service_set.h"
#include "nlohmann/json.hpp"

namespace churn::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kWrites = 1000;
constexpr int kClients = 4;
constexpr int kKills = 6;
constexpr uint32_t kDefaultSeed = 20261129;

// CHURN_FAULT_SEED replays another run.
uint32_t Seed() {
  uint32_t seed = kDefaultSeed;
  const char* text = std::getenv("CHURN_FAULT_SEED");
  if (text != nullptr && !absl::SimpleAtoi(text, &seed)) seed = kDefaultSeed;
  return seed;
}

// How one write went, over all its attempts.
struct WriteRecord {
  bool acknowledged = false;
  int in_doubt = 0;  // attempts that may have committed without the client hearing of it
};

TEST(GatewayKillOutcomesTest, EveryAcknowledgedWriteSurvivesGatewayKills) {
  const uint32_t seed = Seed();
  std::printf("[ faults ] seed %u (set CHURN_FAULT_SEED to replay)\n", seed);
  std::mt19937 random(seed);
  std::vector<int> kill_points;  // kill when this many writes have started
  std::uniform_int_distribution<int> point(50, kWrites - 50);
  for (int i = 0; i < kKills; ++i) kill_points.push_back(point(random));
  std::sort(kill_points.begin(), kill_points.end());
  std::uniform_int_distribution<int> delay_ms(0, 40);  // inside the write that reached the point

  const FaultTestFolder folder = MakeFaultTestFolder();
  const std::string db = ConfigFor(folder).outcomes_db;
  RestartableServiceSet services(ConfigFor(folder));
  ASSERT_TRUE(services.StartAll().ok());
  const int port = services.http_port();
  const HttpReply page = HttpGet(port, "/api/v1/at-risk?limit=10");
  ASSERT_EQ(page.status, 200) << page.body;
  std::vector<std::string> customers;
  const nlohmann::json page_body = nlohmann::json::parse(page.body);
  for (const nlohmann::json& c : page_body["customers"]) {
    customers.push_back(c["signals"]["customer_id"].get<std::string>());
  }
  ASSERT_FALSE(customers.empty());

  std::vector<WriteRecord> writes(kWrites);
  std::atomic<int> next_write{0};
  std::atomic<int> unexpected{0};
  std::mutex mu;
  std::string first_unexpected;
  std::vector<std::thread> clients;
  const auto started = Clock::now();
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      for (int n = next_write++; n < kWrites; n = next_write++) {
        const std::string path =
            "/api/v1/customers/" + customers[n % customers.size()] + "/outcomes";
        const std::string body =
            nlohmann::json{{"kind", "contacted"}, {"notes", absl::StrCat("w-", n)}}.dump();
        const auto give_up = Clock::now() + 30s;
        while (Clock::now() < give_up) {
          const HttpReply reply = HttpPostJson(port, path, body, 5s);
          if (reply.status == 201) {
            writes[n].acknowledged = true;
            break;
          }
          // Refused connections and 503 (no views yet) never reached the log; anything else
          // (a reset mid-request, a timeout) may have.
          const bool not_sent = reply.connect_failed || reply.status == 503;
          if (!not_sent) ++writes[n].in_doubt;
          if (reply.answered() && reply.status != 503) {
            ++unexpected;
            std::lock_guard<std::mutex> lock(mu);
            if (first_unexpected.empty())
              first_unexpected = absl::StrCat(reply.status, " ", reply.body);
          }
          std::this_thread::sleep_for(20ms);
        }
      }
    });
  }
  std::vector<long long> recoveries_ms;
  for (int kill_point : kill_points) {
    while (next_write < kill_point) std::this_thread::sleep_for(1ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
    services.Kill(Service::kGateway);
    const auto restarted = Clock::now();
    ASSERT_TRUE(services.Start(Service::kGateway).ok());
    // Recovery: the first acknowledged write after the restart tells it; measure views instead,
    // which need the same first refresh.
    while (HttpGet(port, "/api/v1/executive", 2s).status != 200 && Clock::now() - restarted < 20s) {
      std::this_thread::sleep_for(20ms);
    }
    recoveries_ms.push_back(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - restarted).count());
  }
  for (std::thread& client : clients) client.join();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  services.Kill(Service::kGateway);  // the file is read as a crash leaves it

  absl::StatusOr<std::map<std::string, int>> rows = RowsByNote(db);
  ASSERT_TRUE(rows.ok()) << rows.status();
  int acknowledged = 0, found = 0, duplicated = 0, in_doubt_attempts = 0, unacknowledged_found = 0;
  std::vector<std::string> problems;
  for (int n = 0; n < kWrites; ++n) {
    const std::string note = absl::StrCat("w-", n);
    const auto row = rows->find(note);
    const int count = row == rows->end() ? 0 : row->second;
    acknowledged += writes[n].acknowledged;
    in_doubt_attempts += writes[n].in_doubt;
    found += count > 0;
    duplicated += count > 1 ? count - 1 : 0;
    unacknowledged_found += !writes[n].acknowledged && count > 0;
    if (writes[n].acknowledged && count == 0) problems.push_back(note + ": acknowledged, lost");
    if (count > 1 + writes[n].in_doubt) {
      problems.push_back(absl::StrCat(note, ": ", count, " rows after ", writes[n].in_doubt,
                                      " unanswered attempts"));
    }
  }
  std::string recoveries;
  for (long long ms : recoveries_ms) absl::StrAppend(&recoveries, " ", ms);
  std::printf(
      "[ faults ] %d writes in %lld ms, %d gateway kills: acknowledged %d, found %d, extra rows "
      "from retried in-doubt writes %d, in-doubt attempts %d, unacknowledged but found %d; "
      "views back after restart (ms):%s\n",
      kWrites, static_cast<long long>(took.count()), kKills, acknowledged, found, duplicated,
      in_doubt_attempts, unacknowledged_found, recoveries.c_str());
  EXPECT_EQ(acknowledged, kWrites) << "writes still failing 30 s after a restart";
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems, e.g. " << problems[0];
  EXPECT_EQ(static_cast<int>(rows->size()), found) << "rows with notes nobody wrote";
  EXPECT_EQ(unexpected.load(), 0) << first_unexpected;
  absl::StatusOr<std::string> integrity = IntegrityCheck(db);
  ASSERT_TRUE(integrity.ok()) << integrity.status();
  EXPECT_EQ(*integrity, "ok");
}

}  // namespace
}  // namespace churn::testing
