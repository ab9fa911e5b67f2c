// Incremental refreshes end to end (issue 11): the real ingest, scoring, enrichment and gateway on
// loopback. After a change the running gateway streams a delta from ingest (StreamSignals
// base_snapshot_version) and rescores only the customers whose signals changed; its views must
// equal those a fresh gateway builds from scratch (full stream, everyone scored): after a tickets
// change with customers added and removed and linked ticket intent moving, after a rules reload,
// and after ingest restarted (its versions start again: a full stream). With a trained model, the
// second opinions the running gateway reused equal those a fresh gateway gets from scoring.

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "churn/v1/gateway.grpc.pb.h"
#include "churn/v1/ingest.grpc.pb.h"
#include "churn/v1/scoring.grpc.pb.h"
#include "gtest/gtest.h"
#include "integration/port_reservation.h"
#include "integration/process.h"
#include "integration/run_command.h"
#include "integration/service_probe.h"
#include "integration_gateway/full_text_scoring_relay.h"

namespace churn {
namespace {

namespace fs = std::filesystem;
using ::churn::testing::PortReservation;
using ::churn::testing::ServiceProcess;
using namespace std::chrono_literals;

std::unique_ptr<grpc::ClientContext> Deadline(std::chrono::seconds seconds) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + seconds);
  return context;
}

std::vector<std::string> ReadLines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Written aside and renamed into place, as an export would land.
void WriteLines(const fs::path& path, const std::vector<std::string>& lines) {
  const fs::path aside = path.string() + ".new";
  {
    std::ofstream out(aside);
    for (const std::string& line : lines) out << line << "\n";
  }
  fs::rename(aside, path);
}

// Everything the gateway's views answer that does not depend on when or by which gateway they
// were built: executive, drivers by each segment, and the at-risk list in every sort order.
std::string ViewsText(v1::GatewayService::Stub& stub) {
  std::ostringstream text;
  v1::GetExecutiveResponse executive;
  EXPECT_TRUE(stub.GetExecutive(Deadline(10s).get(), {}, &executive).ok());
  executive.clear_freshness();
  executive.clear_level_moves();
  text << executive.DebugString();
  for (const char* segment : {"plan_tier", "industry", "country"}) {
    v1::GetDriversRequest request;
    request.set_segment(segment);
    v1::GetDriversResponse drivers;
    EXPECT_TRUE(stub.GetDrivers(Deadline(10s).get(), request, &drivers).ok());
    drivers.clear_freshness();
    text << drivers.DebugString();
  }
  for (v1::AtRiskSortField sort :
       {v1::AT_RISK_SORT_FIELD_UNSPECIFIED, v1::AT_RISK_SORT_FIELD_ARR,
        v1::AT_RISK_SORT_FIELD_ACCOUNT_NAME, v1::AT_RISK_SORT_FIELD_TICKETS_30D,
        v1::AT_RISK_SORT_FIELD_USAGE_DROP_PCT}) {
    v1::ListAtRiskRequest request;
    request.set_sort_by(sort);
    request.set_descending(true);
    request.set_page_size(1000);
    int64_t rows = 0;
    while (true) {
      v1::ListAtRiskResponse page;
      grpc::Status status = stub.ListAtRisk(Deadline(10s).get(), request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      for (const v1::ScoredCustomer& customer : page.customers()) {
        text << customer.DebugString();
        ++rows;
      }
      if (page.next_page_token().empty()) break;
      request.set_page_token(page.next_page_token());
    }
    text << "rows " << rows << "\n";
  }
  return text.str();
}

// The views' customer ids, in at-risk order.
std::vector<std::string> CustomerIds(v1::GatewayService::Stub& stub) {
  std::vector<std::string> ids;
  v1::ListAtRiskRequest request;
  request.set_page_size(1000);
  while (true) {
    v1::ListAtRiskResponse page;
    grpc::Status status = stub.ListAtRisk(Deadline(10s).get(), request, &page);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (!status.ok()) break;
    for (const v1::ScoredCustomer& customer : page.customers()) {
      ids.push_back(customer.signals().customer_id());
    }
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  return ids;
}

// Each customer's brief, in at-risk order, reduced to `part` of it.
std::string BriefsText(
    v1::GatewayService::Stub& stub,
    const std::function<std::string(const v1::GetCustomerBriefResponse&)>& part) {
  std::ostringstream text;
  for (const std::string& id : CustomerIds(stub)) {
    v1::GetCustomerBriefRequest request;
    request.set_customer_id(id);
    v1::GetCustomerBriefResponse brief;
    grpc::Status status = stub.GetCustomerBrief(Deadline(10s).get(), request, &brief);
    EXPECT_TRUE(status.ok()) << id << ": " << status.error_message();
    text << id << " " << part(brief) << "\n";
  }
  return text.str();
}

// Each customer's second opinion of the trained model; `with_opinion` counts the customers that
// have one.
std::string SecondOpinionsText(v1::GatewayService::Stub& stub, int* with_opinion) {
  *with_opinion = 0;
  return BriefsText(stub, [&](const v1::GetCustomerBriefResponse& brief) {
    if (brief.has_second_opinion()) ++*with_opinion;
    return brief.second_opinion().DebugString();
  });
}

// Each customer's newest risk-history point (the views' snapshot date once their write landed).
std::string NewestTrendPointsText(v1::GatewayService::Stub& stub) {
  return BriefsText(stub, [](const v1::GetCustomerBriefResponse& brief) {
    return brief.risk_trend().empty() ? std::string("none")
                                      : brief.risk_trend().rbegin()->ShortDebugString();
  });
}

class IncrementalRefreshTest : public ::testing::Test {
 protected:
  void SetUp() override {
    work_ = fs::path(::testing::TempDir()) / absl::StrCat("incremental_refresh_", ::getpid());
    fs::remove_all(work_);
    fs::create_directories(work_ / "tickets");
    data_ = work_ / "data";
    ASSERT_NO_FATAL_FAILURE(GenerateData());
    // Linked tickets with cancellation language in the support window (it ends on the latest
    // ticket date): churn intent the gateway merges into the signals it streamed.
    const std::vector<std::string> tickets = ReadLines(data_ / "support_tickets.csv");
    ASSERT_GT(tickets.size(), 50u);
    for (size_t i = 1; i < tickets.size(); ++i) {
      std::vector<std::string> fields = absl::StrSplit(tickets[i], ',');
      latest_ticket_day_ = std::max(latest_ticket_day_, fields[2].substr(0, 10));
      if (std::find(intent_accounts_.begin(), intent_accounts_.end(), fields[1]) ==
              intent_accounts_.end() &&
          intent_accounts_.size() < 4) {
        intent_accounts_.push_back(fields[1]);
      }
    }
    WriteLinkedTickets(intent_accounts_);
    ASSERT_NE(ingest_port_.port(), 0);
    ASSERT_NE(scoring_port_.port(), 0);
    ASSERT_NE(enrichment_port_.port(), 0);
  }

  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(work_, ignored);
  }

  virtual void GenerateData() {
    int exit_code = 0;
    testing::RunCommand(absl::StrCat(CHURNCTL_BINARY, " generate --out ", data_.string(),
                                     " --accounts 300 --seed 7 --history-days 61 2>&1"),
                        &exit_code);
    ASSERT_EQ(exit_code, 0) << "churnctl generate failed";
  }

  void WriteLinkedTickets(const std::vector<std::string>& accounts) {
    std::vector<std::string> lines = {"ticket_id,account_id,created_at,subject,body"};
    for (size_t i = 0; i < accounts.size(); ++i) {
      lines.push_back(
          absl::StrCat("X-", i, ",", accounts[i], ",", latest_ticket_day_,
                       ",Renewal,\"The renewal is beyond our budget, we will cancel.\""));
    }
    WriteLines(work_ / "tickets" / "linked.csv", lines);
  }

  static std::vector<std::string> Common(std::vector<std::string> args) {
    for (const char* arg :
         {"--metrics_address=127.0.0.1:0", "--drain_timeout_ms=1000", "--log_level=warn"}) {
      args.push_back(arg);
    }
    return args;
  }

  void StartIngest() {
    auto process = ServiceProcess::Start(
        CHURN_INGEST_BINARY,
        Common({absl::StrCat("--grpc_address=127.0.0.1:", ingest_port_.port()),
                "--data_dir=" + data_.string(), "--tickets_dir=" + (work_ / "tickets").string(),
                "--watch_interval_ms=100", "--model_file=" + model_file_}));
    ASSERT_TRUE(process.ok()) << process.status();
    ingest_ = *std::move(process);
  }

  void StartNeighbours() {
    StartIngest();
    auto scoring = ServiceProcess::Start(
        CHURN_SCORING_BINARY,
        Common({absl::StrCat("--grpc_address=127.0.0.1:", scoring_port_.port()),
                "--rules_file=", "--model_file=" + model_file_}));
    ASSERT_TRUE(scoring.ok()) << scoring.status();
    scoring_ = *std::move(scoring);
    auto enrichment = ServiceProcess::Start(
        CHURN_ENRICHMENT_BINARY,
        Common({absl::StrCat("--grpc_address=127.0.0.1:", enrichment_port_.port()),
                "--use_model=false", "--warm_up=false",
                "--cache_path=" + (work_ / "enrichment-cache.sqlite").string()}));
    ASSERT_TRUE(enrichment.ok()) << enrichment.status();
    enrichment_ = *std::move(enrichment);
  }

  // A gateway of its own (own history and outcomes files), polling every `refresh_interval_ms`,
  // scoring through the service on `scoring_port` (0: the real scoring service).
  std::unique_ptr<ServiceProcess> StartGateway(const std::string& name,
                                               int refresh_interval_ms = 100,
                                               int scoring_port = 0) {
    fs::create_directories(work_ / name);
    auto process = ServiceProcess::Start(
        CHURN_GATEWAY_BINARY,
        Common({"--grpc_address=127.0.0.1:0", "--http_address=127.0.0.1:0",
                absl::StrCat("--ingest_address=127.0.0.1:", ingest_port_.port()),
                absl::StrCat("--scoring_address=127.0.0.1:",
                             scoring_port != 0 ? scoring_port : scoring_port_.port()),
                absl::StrCat("--enrichment_address=127.0.0.1:", enrichment_port_.port()),
                absl::StrCat("--refresh_interval_ms=", refresh_interval_ms),
                "--reconnect_backoff_max_ms=200",
                "--outcomes_db=" + (work_ / name / "outcomes.sqlite").string(),
                "--history_db=" + (work_ / name / "risk-history.sqlite").string()}));
    EXPECT_TRUE(process.ok()) << process.status();
    if (!process.ok()) return nullptr;
    EXPECT_TRUE(testing::WaitForServing((*process)->grpc_target(), 60s).ok());
    return *std::move(process);
  }

  static std::unique_ptr<v1::GatewayService::Stub> Stub(const ServiceProcess& gateway) {
    return v1::GatewayService::NewStub(
        grpc::CreateChannel(gateway.grpc_target(), grpc::InsecureChannelCredentials()));
  }

  v1::SnapshotInfo IngestSnapshot() {
    auto stub = v1::IngestService::NewStub(
        grpc::CreateChannel(ingest_->grpc_target(), grpc::InsecureChannelCredentials()));
    v1::GetSnapshotInfoResponse info;
    EXPECT_TRUE(stub->GetSnapshotInfo(Deadline(5s).get(), {}, &info).ok());
    return info.snapshot();
  }

  std::string RulesSha256() {
    auto stub = v1::ScoringService::NewStub(
        grpc::CreateChannel(scoring_->grpc_target(), grpc::InsecureChannelCredentials()));
    v1::GetRulesResponse rules;
    EXPECT_TRUE(stub->GetRules(Deadline(5s).get(), {}, &rules).ok());
    return rules.rules().sha256();
  }

  // Waits until ingest serves a version other than `old_version`; returns it.
  int64_t WaitForIngestVersionAfter(int64_t old_version) {
    const auto until = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < until) {
      const int64_t version = IngestSnapshot().version();
      if (version != 0 && version != old_version) return version;
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "ingest did not publish a new snapshot";
    return old_version;
  }

  static double Customers(const ServiceProcess& gateway, const std::string& kind) {
    absl::StatusOr<std::string> metrics = testing::ScrapeMetrics(gateway.metrics_port());
    EXPECT_TRUE(metrics.ok()) << metrics.status();
    if (!metrics.ok()) return -1;
    return testing::SumSamples(*metrics, "churn_gateway_refresh_customers_total", {{"kind", kind}})
        .value_or(-1);
  }

  // Waits until the gateway's views are of ingest's current snapshot and scoring's rules (read
  // again on every poll: a watcher may publish once more). Returns that version, or -1.
  int64_t WaitForCurrentViews(v1::GatewayService::Stub& stub) {
    const auto until = std::chrono::steady_clock::now() + 60s;
    v1::GetExecutiveResponse executive;
    while (std::chrono::steady_clock::now() < until) {
      const int64_t version = IngestSnapshot().version();
      const std::string rules = RulesSha256();
      executive.Clear();
      if (stub.GetExecutive(Deadline(5s).get(), {}, &executive).ok() &&
          executive.freshness().snapshot_version() == version &&
          executive.freshness().rules_sha256() == rules) {
        return version;
      }
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "the gateway's views did not reach ingest's current snapshot; last: "
                  << executive.freshness().DebugString();
    return -1;
  }

  // The running gateway's views against those of a gateway started now (a full rebuild), once
  // both serve the same snapshot and rules.
  void ExpectEqualToFreshGateway(v1::GatewayService::Stub& running, const std::string& name) {
    std::unique_ptr<ServiceProcess> fresh = StartGateway(name);
    ASSERT_NE(fresh, nullptr);
    auto fresh_stub = Stub(*fresh);
    for (int attempt = 0; attempt < 3; ++attempt) {
      const int64_t version = WaitForCurrentViews(running);
      if (WaitForCurrentViews(*fresh_stub) != version || version < 0) continue;
      const std::string incremental = ViewsText(running);
      const std::string full = ViewsText(*fresh_stub);
      int incremental_opinions = 0, full_opinions = 0;
      const std::string incremental_opinions_text =
          model_file_.empty() ? "" : SecondOpinionsText(running, &incremental_opinions);
      const std::string full_opinions_text =
          model_file_.empty() ? "" : SecondOpinionsText(*fresh_stub, &full_opinions);
      // Compared only when nothing was published meanwhile.
      if (WaitForCurrentViews(running) != version || WaitForCurrentViews(*fresh_stub) != version) {
        continue;
      }
      EXPECT_GT(incremental.size(), 1000u);
      EXPECT_TRUE(incremental == full)
          << "incremental views differ from a full rebuild (" << name << ")";
      if (!model_file_.empty()) {
        EXPECT_GT(full_opinions, 250) << "the model gave few second opinions (" << name << ")";
        EXPECT_EQ(incremental_opinions, full_opinions) << name;
        EXPECT_TRUE(incremental_opinions_text == full_opinions_text)
            << "second opinions differ from a full rebuild (" << name << ")";
      }
      // The fresh gateway had nothing to reuse: it scored everyone.
      EXPECT_EQ(Customers(*fresh, "reused"), 0);
      EXPECT_GT(Customers(*fresh, "rescored"), 250);
      // The risk history of the views' date: the running gateway rewrote only the rows that
      // changed, the fresh one wrote them all; both writes land after the publish.
      std::string running_history, fresh_history;
      const auto until = std::chrono::steady_clock::now() + 30s;
      do {
        running_history = NewestTrendPointsText(running);
        fresh_history = NewestTrendPointsText(*fresh_stub);
        if (running_history == fresh_history) break;
        std::this_thread::sleep_for(200ms);
      } while (std::chrono::steady_clock::now() < until);
      EXPECT_EQ(running_history.find(" none"), std::string::npos) << name;
      EXPECT_TRUE(running_history == fresh_history)
          << "risk history differs from a fresh gateway's (" << name << ")";
      return;
    }
    ADD_FAILURE() << "ingest kept publishing; nothing compared (" << name << ")";
  }

  // The neighbours and a gateway `name`, once its first views are of ingest's snapshot.
  struct StartedStack {
    std::unique_ptr<ServiceProcess> gateway;
    std::unique_ptr<v1::GatewayService::Stub> stub;
    v1::SnapshotInfo first;  // ingest's snapshot then
    double customers = 0;    // streamed for the first views
  };
  void StartStack(const std::string& name, int refresh_interval_ms, StartedStack* started) {
    StartNeighbours();
    started->gateway = StartGateway(name, refresh_interval_ms);
    ASSERT_NE(started->gateway, nullptr);
    started->stub = Stub(*started->gateway);
    started->first = IngestSnapshot();
    ASSERT_EQ(WaitForCurrentViews(*started->stub), started->first.version());
    started->customers = Customers(*started->gateway, "streamed");
    ASSERT_GT(started->customers, 250);
  }

  // support_tickets.csv without every n-th ticket (the header kept).
  std::vector<std::string> TicketsWithoutEvery(size_t n) {
    const std::vector<std::string> tickets = ReadLines(data_ / "support_tickets.csv");
    std::vector<std::string> kept = {tickets[0]};
    for (size_t i = 1; i < tickets.size(); ++i) {
      if (i % n != 0) kept.push_back(tickets[i]);
    }
    return kept;
  }

  fs::path work_;
  fs::path data_;
  std::string model_file_;  // empty: no trained model (no long views, no second opinions)
  std::string latest_ticket_day_;
  std::vector<std::string> intent_accounts_;
  PortReservation ingest_port_, scoring_port_, enrichment_port_;
  std::unique_ptr<ServiceProcess> ingest_, scoring_, enrichment_;
};

TEST_F(IncrementalRefreshTest, ViewsEqualAFullRebuildAfterChangesRulesAndIngestRestart) {
  StartedStack started;
  ASSERT_NO_FATAL_FAILURE(StartStack("running", /*refresh_interval_ms=*/100, &started));
  std::unique_ptr<ServiceProcess>& gateway = started.gateway;
  v1::GatewayService::Stub* stub = started.stub.get();
  const v1::SnapshotInfo& first = started.first;
  const double customers = started.customers;

  // 1. Tickets change (every 9th ticket gone), a subscription removed and one added, and the
  // linked ticket intent of one account withdrawn (its customers' streamed intent stays 0, the
  // merged one falls back to 0).
  std::vector<std::string> kept_tickets = TicketsWithoutEvery(9);
  std::vector<std::string> subscriptions = ReadLines(data_ / "subscriptions.csv");
  ASSERT_GT(subscriptions.size(), 10u);
  std::vector<std::string> added = absl::StrSplit(subscriptions[5], ',');
  added[0] = "S-added-1";
  subscriptions.erase(subscriptions.begin() + 3);
  subscriptions.push_back(absl::StrJoin(added, ","));
  WriteLinkedTickets({intent_accounts_.begin() + 1, intent_accounts_.end()});
  WriteLines(data_ / "subscriptions.csv", subscriptions);
  WriteLines(data_ / "support_tickets.csv", kept_tickets);
  const double streamed_before = Customers(*gateway, "streamed");
  const double rescored_before = Customers(*gateway, "rescored");
  WaitForIngestVersionAfter(first.version());
  WaitForCurrentViews(*stub);
  // A delta: fewer customers streamed and rescored than the whole population.
  EXPECT_LT(Customers(*gateway, "streamed") - streamed_before, customers);
  EXPECT_LT(Customers(*gateway, "rescored") - rescored_before, customers);
  EXPECT_GE(Customers(*gateway, "removed"), 1);
  ExpectEqualToFreshGateway(*stub, "fresh-after-change");

  // 2. A rules reload: same snapshot, new rules; everyone is scored again.
  {
    auto scoring = v1::ScoringService::NewStub(
        grpc::CreateChannel(scoring_->grpc_target(), grpc::InsecureChannelCredentials()));
    v1::GetRulesResponse rules;
    ASSERT_TRUE(scoring->GetRules(Deadline(5s).get(), {}, &rules).ok());
    std::string yaml = rules.yaml();
    ASSERT_NE(yaml.find("high_min: 60"), std::string::npos);
    yaml = absl::StrReplaceAll(
        yaml, {{"high_min: 60", "high_min: 45"}, {"medium_min: 30", "medium_min: 20"}});
    v1::ReloadRulesRequest reload;
    reload.set_yaml(yaml);
    v1::ReloadRulesResponse reloaded;
    ASSERT_TRUE(scoring->ReloadRules(Deadline(5s).get(), reload, &reloaded).ok());
    ASSERT_TRUE(reloaded.changed());
  }
  const double rescored_before_rules = Customers(*gateway, "rescored");
  WaitForCurrentViews(*stub);
  EXPECT_GE(Customers(*gateway, "rescored") - rescored_before_rules, customers - 2);
  ExpectEqualToFreshGateway(*stub, "fresh-after-rules");

  // 3. Ingest restarted with changed tickets: its versions start again, the gateway's base is
  // unknown to it and the stream is full.
  ASSERT_EQ(ingest_->Terminate(10s).value_or(-1), 0);
  kept_tickets.resize(kept_tickets.size() - kept_tickets.size() / 5);
  WriteLines(data_ / "support_tickets.csv", kept_tickets);
  const double streamed_before_restart = Customers(*gateway, "streamed");
  std::this_thread::sleep_for(1s);  // the file's change is older than the new ingest
  StartIngest();
  const v1::SnapshotInfo restarted = IngestSnapshot();
  ASSERT_NE(restarted.instance_id(), first.instance_id());
  // The gateway sees the new instance (its version may even equal the old one).
  const auto until = std::chrono::steady_clock::now() + 60s;
  while (Customers(*gateway, "streamed") - streamed_before_restart < customers - 2 &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_GE(Customers(*gateway, "streamed") - streamed_before_restart, customers - 2);
  ExpectEqualToFreshGateway(*stub, "fresh-after-restart");

  // 4. Another small change after the restart: a delta against the new instance again.
  const double streamed_before_last = Customers(*gateway, "streamed");
  const int64_t before_last = IngestSnapshot().version();
  kept_tickets.pop_back();
  WriteLines(data_ / "support_tickets.csv", kept_tickets);
  WaitForIngestVersionAfter(before_last);
  WaitForCurrentViews(*stub);
  EXPECT_LT(Customers(*gateway, "streamed") - streamed_before_last, customers / 2);
  ExpectEqualToFreshGateway(*stub, "fresh-after-last");
}

// The gateway follows ingest's publishes through WatchSnapshots, not its poll (here ten minutes
// apart): after a tickets change, and after ingest restarted (the stream is opened again).
TEST_F(IncrementalRefreshTest, FollowsIngestsPublishesWithoutWaitingForThePoll) {
  StartedStack started;
  ASSERT_NO_FATAL_FAILURE(StartStack("watching", /*refresh_interval_ms=*/600000, &started));
  std::unique_ptr<ServiceProcess>& gateway = started.gateway;
  v1::GatewayService::Stub* stub = started.stub.get();
  const v1::SnapshotInfo& first = started.first;
  const double customers = started.customers;

  std::vector<std::string> tickets = ReadLines(data_ / "support_tickets.csv");
  tickets.pop_back();
  const auto changed_at = std::chrono::steady_clock::now();
  WriteLines(data_ / "support_tickets.csv", tickets);
  const int64_t changed = WaitForIngestVersionAfter(first.version());
  EXPECT_EQ(WaitForCurrentViews(*stub), changed);
  EXPECT_LT(std::chrono::steady_clock::now() - changed_at, 30s);

  // Ingest restarted: the watch opens its stream again and the gateway streams the new
  // instance's snapshot in full.
  const double streamed_before_restart = Customers(*gateway, "streamed");
  ASSERT_EQ(ingest_->Terminate(10s).value_or(-1), 0);
  StartIngest();
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (Customers(*gateway, "streamed") - streamed_before_restart < customers - 2 &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_GE(Customers(*gateway, "streamed") - streamed_before_restart, customers - 2);
  // The open stream does not hold the gateway's shutdown.
  const auto stopping = std::chrono::steady_clock::now();
  EXPECT_EQ(gateway->Terminate(20s).value_or(-1), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 5s);
}

// The same with a trained model: ingest computes long views and scoring adds the model's second
// opinion to each customer. After a tickets change the running gateway reuses the assessment and
// the second opinion of every customer whose signals did not change: both must equal what a fresh
// gateway gets from scoring.
class IncrementalRefreshWithModelTest : public IncrementalRefreshTest {
 protected:
  void GenerateData() override {
    int exit_code = 0;
    testing::RunCommand(absl::StrCat(CHURNCTL_BINARY, " generate --mode planted --accounts 300",
                                     " --seed 7 --history-days 365 --end-date 2024-12-31 --out ",
                                     data_.string(), " 2>&1"),
                        &exit_code);
    ASSERT_EQ(exit_code, 0) << "churnctl generate failed";
    model_file_ = (work_ / "model.json").string();
    const std::string out = testing::RunCommand(
        absl::StrCat(CHURNCTL_BINARY, " train --data ", data_.string(),
                     " --from 2024-04-01 --to 2024-08-01 --step-days 30 --horizon-days 60"
                     " --rounds 30 --out ",
                     model_file_, " 2>&1"),
        &exit_code);
    ASSERT_EQ(exit_code, 0) << "churnctl train failed: " << out;
  }
};

TEST_F(IncrementalRefreshWithModelTest, ReusedSecondOpinionsEqualAFullRebuild) {
  StartedStack started;
  ASSERT_NO_FATAL_FAILURE(StartStack("running", /*refresh_interval_ms=*/100, &started));
  std::unique_ptr<ServiceProcess>& gateway = started.gateway;
  v1::GatewayService::Stub* stub = started.stub.get();
  const v1::SnapshotInfo& first = started.first;
  const double customers = started.customers;

  // Every 7th ticket gone: a few customers' signals change, the others' are reused.
  const std::vector<std::string> kept_tickets = TicketsWithoutEvery(7);
  const double reused_before = Customers(*gateway, "reused");
  WriteLines(data_ / "support_tickets.csv", kept_tickets);
  WaitForIngestVersionAfter(first.version());
  WaitForCurrentViews(*stub);
  EXPECT_GT(Customers(*gateway, "reused") - reused_before, customers / 2);
  ExpectEqualToFreshGateway(*stub, "fresh-with-model");
}

// A scoring service answering ScoreBatch in full text only (one from before the compact form: the
// real one behind a relay that clears the form): a gateway scoring through it must serve the same
// views and second opinions as one reading the real service's compact answers, at its first
// views and after a delta refresh.
TEST_F(IncrementalRefreshWithModelTest, ViewsOverAFullTextScoringEqualTheCompactOnes) {
  StartedStack started;
  ASSERT_NO_FATAL_FAILURE(StartStack("compact", /*refresh_interval_ms=*/100, &started));
  testing::FullTextScoringRelay relay(scoring_->grpc_target());
  ASSERT_NE(relay.port(), 0);
  std::unique_ptr<ServiceProcess> full_text = StartGateway("full-text", 100, relay.port());
  ASSERT_NE(full_text, nullptr);
  auto full_text_stub = Stub(*full_text);

  auto expect_same_views = [&](const std::string& step) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      const int64_t version = WaitForCurrentViews(*started.stub);
      if (WaitForCurrentViews(*full_text_stub) != version || version < 0) continue;
      const std::string compact_views = ViewsText(*started.stub);
      const std::string full_text_views = ViewsText(*full_text_stub);
      int compact_count = 0, full_text_count = 0;
      const std::string compact_opinions = SecondOpinionsText(*started.stub, &compact_count);
      const std::string full_text_opinions = SecondOpinionsText(*full_text_stub, &full_text_count);
      if (WaitForCurrentViews(*started.stub) != version ||
          WaitForCurrentViews(*full_text_stub) != version) {
        continue;
      }
      EXPECT_GT(compact_views.size(), 1000u) << step;
      EXPECT_TRUE(compact_views == full_text_views)
          << "views over full-text scoring differ from the compact ones (" << step << ")";
      EXPECT_GT(compact_count, 250) << step;
      EXPECT_EQ(compact_count, full_text_count) << step;
      EXPECT_TRUE(compact_opinions == full_text_opinions)
          << "second opinions over full-text scoring differ (" << step << ")";
      return;
    }
    ADD_FAILURE() << "ingest kept publishing; nothing compared (" << step << ")";
  };

  expect_same_views("first views");
  // The gateway asked for the compact form and was answered in full text, for everyone.
  EXPECT_GT(relay.compact_requests(), 0);
  EXPECT_GE(relay.full_text_assessments(), started.customers);

  // A tickets change: the full-text gateway rescores a few customers and reuses the others.
  const double rescored_before = Customers(*full_text, "rescored");
  const int64_t relayed_before = relay.full_text_assessments();
  WriteLines(data_ / "support_tickets.csv", TicketsWithoutEvery(7));
  WaitForIngestVersionAfter(started.first.version());
  expect_same_views("after a tickets change");
  const double rescored = Customers(*full_text, "rescored") - rescored_before;
  EXPECT_GT(rescored, 0);
  EXPECT_LT(rescored, started.customers);
  EXPECT_GE(relay.full_text_assessments() - relayed_before, rescored);
}

}  // namespace
}  // namespace churn
