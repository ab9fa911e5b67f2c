// kill -9 each service in turn (ingest, scoring, enrichment, gateway) while a few clients read
// views, filter the at-risk list, record outcomes and analyse a ticket through the gateway's HTTP
// API; start it again and check that the views come back within a bound, that no view was ever
// wrong (the same at-risk page before, during and after) and that no acknowledged outcome is lost.
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "integration_faults/fault_test_folder.h"
#include "integration_faults/gateway_http.h"
#include "integration_faults/restartable_service_set.h"
#include "nlohmann/json.hpp"

namespace churn::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr char kAtRiskPage[] = "/api/v1/at-risk?risk_level=high,medium&sort=-arr&limit=25";
constexpr auto kRecoveryBound = 15s;

int64_t JsonInt(const nlohmann::json& value) {
  return value.is_string() ? std::stoll(value.get<std::string>()) : value.get<int64_t>();
}

// The rows of an at-risk page as "id:score:level" lines: what a view must never get wrong.
std::string PageRows(const std::string& body) {
  nlohmann::json page = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!page.is_object() || !page["customers"].is_array()) return "unparsable: " + body;
  std::string rows = absl::StrCat("total=", JsonInt(page["total_matched"]), "\n");
  for (const nlohmann::json& customer : page["customers"]) {
    absl::StrAppend(&rows, customer["signals"]["customer_id"].get<std::string>(), ":",
                    JsonInt(customer["assessment"]["risk_score"]), ":",
                    customer["assessment"]["risk_level"].get<std::string>(), "\n");
  }
  return rows;
}

bool Fresh(const HttpReply& reply) {
  if (!reply.ok()) return false;
  nlohmann::json body = nlohmann::json::parse(reply.body, nullptr, false);
  return body.is_object() && body["freshness"]["stale"] == false;
}

// What the clients saw, shared by their threads.
struct LoadRecord {
  std::mutex mu;
  std::vector<std::string> wrong_views;  // pages that differed from the reference
  std::set<std::string> acknowledged;    // notes of outcomes answered 201
  std::map<int, int> view_statuses;      // HTTP status (0: no answer) -> count
  std::map<int, int> write_statuses;
  std::map<int, int> analysis_statuses;
  std::vector<std::string> bad_answers;  // answers no fault should produce
};

TEST(KillRestartTest, EveryServiceKilledUnderLoadComesBackWithTheSameViewsAndNoLostOutcome) {
  const FaultTestFolder folder = MakeFaultTestFolder();
  RestartableServiceSet services(ConfigFor(folder));
  ASSERT_TRUE(services.StartAll().ok());
  const int port = services.http_port();

  const HttpReply first = HttpGet(port, kAtRiskPage);
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string reference = PageRows(first.body);
  nlohmann::json first_page = nlohmann::json::parse(first.body);
  ASSERT_GE(first_page["customers"].size(), 5u) << first.body;
  std::vector<std::string> customers;
  for (const nlohmann::json& customer : first_page["customers"]) {
    customers.push_back(customer["signals"]["customer_id"].get<std::string>());
  }

  LoadRecord record;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  // Two readers: the executive view and the filtered at-risk page.
  for (int reader = 0; reader < 2; ++reader) {
    clients.emplace_back([&] {
      while (!stop) {
        const HttpReply executive = HttpGet(port, "/api/v1/executive", 5s);
        const HttpReply page = HttpGet(port, kAtRiskPage, 5s);
        std::lock_guard<std::mutex> lock(record.mu);
        ++record.view_statuses[executive.status];
        ++record.view_statuses[page.status];
        if (page.status == 200 && PageRows(page.body) != reference) {
          record.wrong_views.push_back(page.body.substr(0, 400));
        }
        for (const HttpReply* reply : {&executive, &page}) {
          // Down or not ready yet is fine (no answer, 503); anything else is a wrong answer.
          if (reply->answered() && reply->status != 200 && reply->status != 503) {
            record.bad_answers.push_back(absl::StrCat("view ", reply->status, " ", reply->body));
          }
        }
        std::this_thread::sleep_for(20ms);
      }
    });
  }
  // A writer: one outcome after the other, each with its own note.
  clients.emplace_back([&] {
    for (int n = 0; !stop; ++n) {
      const std::string note = absl::StrCat("load-", n);
      const HttpReply reply =
          HttpPostJson(port, "/api/v1/customers/" + customers[n % customers.size()] + "/outcomes",
                       nlohmann::json{{"kind", "contacted"}, {"notes", note}}.dump(), 5s);
      std::lock_guard<std::mutex> lock(record.mu);
      ++record.write_statuses[reply.status];
      if (reply.status == 201) record.acknowledged.insert(note);
      if (reply.answered() && reply.status != 201 && reply.status != 503) {
        record.bad_answers.push_back(absl::StrCat("write ", reply.status, " ", reply.body));
      }
      std::this_thread::sleep_for(10ms);
    }
  });
  // An analyst: a ticket analysis (from the fallback, or enrichment's when it is up).
  clients.emplace_back([&] {
    while (!stop) {
      const HttpReply reply = HttpPostJson(
          port, "/api/v1/tickets/analyze",
          R"({"subject": "Renewal", "body": "Too expensive, we will cancel.", "timeout_ms": 3000})",
          10s);
      std::lock_guard<std::mutex> lock(record.mu);
      ++record.analysis_statuses[reply.status];
      if (reply.answered() && reply.status != 200) {
        record.bad_answers.push_back(absl::StrCat("analysis ", reply.status, " ", reply.body));
      }
      std::this_thread::sleep_for(50ms);
    }
  });

  for (Service service : kAllServices) {
    std::this_thread::sleep_for(1s);
    services.Kill(service);
    std::this_thread::sleep_for(500ms);
    const auto restarted = Clock::now();
    ASSERT_TRUE(services.Start(service).ok()) << ServiceName(service);
    // Views answer (and, once the neighbours are back, are fresh again) within the bound.
    HttpReply executive;
    bool recovered = false;
    while (Clock::now() - restarted < kRecoveryBound) {
      executive = HttpGet(port, "/api/v1/executive", 2s);
      if (Fresh(executive)) {
        recovered = true;
        break;
      }
      std::this_thread::sleep_for(50ms);
    }
    const auto recovery =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - restarted);
    std::printf("[ faults ] %s killed: fresh views %lld ms after its restart\n",
                ServiceName(service), static_cast<long long>(recovery.count()));
    EXPECT_TRUE(recovered) << ServiceName(service) << ": last answer " << executive.status << " "
                           << executive.error << " " << executive.body.substr(0, 300);
    const HttpReply page = HttpGet(port, kAtRiskPage);
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_EQ(PageRows(page.body), reference) << "after " << ServiceName(service);
  }
  stop = true;
  for (std::thread& client : clients) client.join();

  // Every acknowledged outcome is in the log, read back through the API.
  std::set<std::string> found;
  std::string token;
  for (int pages = 0; pages < 100; ++pages) {
    const HttpReply listed =
        HttpGet(port, absl::StrCat("/api/v1/outcomes?page_size=1000&page_token=", token));
    ASSERT_EQ(listed.status, 200) << listed.body;
    nlohmann::json body = nlohmann::json::parse(listed.body);
    for (const nlohmann::json& outcome : body["outcomes"]) {
      found.insert(outcome["notes"].get<std::string>());
    }
    token = body["next_page_token"].get<std::string>();
    if (token.empty()) break;
  }
  std::vector<std::string> lost;
  for (const std::string& note : record.acknowledged) {
    if (found.count(note) == 0) lost.push_back(note);
  }
  std::printf("[ faults ] outcomes acknowledged %zu, found %zu\n", record.acknowledged.size(),
              found.size());
  auto print = [](const char* what, const std::map<int, int>& statuses) {
    std::string line;
    for (const auto& [status, count] : statuses) absl::StrAppend(&line, " ", status, "x", count);
    std::printf("[ faults ] %s statuses (0 = no answer):%s\n", what, line.c_str());
  };
  print("view", record.view_statuses);
  print("write", record.write_statuses);
  print("analysis", record.analysis_statuses);

  EXPECT_GT(record.acknowledged.size(), 20u);
  EXPECT_TRUE(lost.empty()) << lost.size() << " acknowledged outcomes lost, e.g. " << lost[0];
  EXPECT_TRUE(record.wrong_views.empty()) << record.wrong_views.size() << " wrong pages, e.g.\n"
                                          << record.wrong_views[0] << "\nexpected\n"
                                          << reference;
  EXPECT_TRUE(record.bad_answers.empty())
      << record.bad_answers.size() << " unexpected answers, e.g. " << record.bad_answers[0];
}

}  // namespace
}  // namespace churn::testing
