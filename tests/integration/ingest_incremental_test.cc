// The real churn-ingest binary refreshing only what changed: rewriting support_tickets.csv in
// the watched folder publishes a snapshot equal to a full load of the folder, and the usage table
// is not parsed again (churn_ingest_table_parses_total). A bad tickets file keeps the last good
// snapshot and names file, line and column.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "churn/v1/ingest.grpc.pb.h"
#include "convert/signals_convert.h"
#include "demodata/generator.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/same_snapshot_parts.h"
#include "integration/ingest_harness.h"
#include "integration/process.h"
#include "integration/service_probe.h"
#include "signals/signal_builder.h"
#include "testing/scratch_dir.h"

namespace churn {
namespace {

namespace fs = std::filesystem;
using ::churn::testing::PollUntil;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr auto kReloadTimeout = churn::testing::kIngestReloadTimeout;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class IngestIncrementalTest : public churn::testing::IngestHarness {
 protected:
  std::vector<CustomerSignals> StreamSignals() {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + churn::testing::kIngestRpcTimeout);
    std::unique_ptr<grpc::ClientReader<v1::StreamSignalsResponse>> reader =
        stub_->StreamSignals(&context, v1::StreamSignalsRequest());
    std::vector<CustomerSignals> signals;
    v1::StreamSignalsResponse message;
    while (reader->Read(&message)) {
      for (const v1::CustomerSignals& customer : message.signals()) {
        absl::StatusOr<CustomerSignals> converted = convert::FromProto(customer, "signals");
        EXPECT_TRUE(converted.ok()) << converted.status();
        if (converted.ok()) signals.push_back(*std::move(converted));
      }
    }
    grpc::Status status = reader->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return signals;
  }

  double Parses(const std::string& table) {
    absl::StatusOr<std::string> text = churn::testing::ScrapeMetrics(process_->metrics_port());
    EXPECT_TRUE(text.ok()) << text.status();
    if (!text.ok()) return -1;
    return churn::testing::SumSamples(*text, "churn_ingest_table_parses_total", {{"table", table}})
        .value_or(-1);
  }
};

void ExpectSignalsOfAFullLoad(const std::vector<CustomerSignals>& served, const std::string& dir) {
  absl::StatusOr<SignalSnapshot> full = BuildSignalsFromFolder(dir, {});
  ASSERT_TRUE(full.ok()) << full.status();
  ASSERT_EQ(served.size(), full->customers.size());
  for (size_t i = 0; i < served.size(); ++i) {
    churn::testing::ExpectSameCustomerSignals(served[i], full->customers[i]);
  }
}

TEST_F(IngestIncrementalTest, RewritingOnlyTicketsServesTheNewDataWithoutParsingUsageAgain) {
  const churn::testing::ScratchDir scratch;
  const fs::path dir = scratch / "data";
  demodata::GeneratorOptions options;
  options.accounts = 200;
  options.seed = 17;
  ASSERT_TRUE(demodata::GenerateDemoData(options, dir.string()).ok());
  StartIngest(dir.string());
  ASSERT_TRUE(churn::testing::WaitForServing(process_->grpc_target(), 30s).ok());
  ASSERT_EQ(Info().snapshot().version(), 1);
  for (const char* table :
       {"accounts", "subscriptions", "feature_usage", "churn_events", "support_tickets"}) {
    EXPECT_EQ(Parses(table), 1) << table;
  }

  // New tickets for the first account, two days after the last: the support window moves.
  const fs::path tickets = dir / "support_tickets.csv";
  const std::string original = ReadFile(tickets);
  const std::string accounts = ReadFile(dir / "accounts.csv");
  const size_t first_row = accounts.find('\n') + 1;
  const std::string account = accounts.substr(first_row, accounts.find(',', first_row) - first_row);
  std::string changed = original;
  for (int i = 0; i < 4; ++i) {
    absl::StrAppend(&changed, "T-new", i, ",", account, ",2025-01-02,,8.0,urgent,90,1.0,True\n");
  }
  churn::testing::WriteFileAtomically(tickets, changed);
  ASSERT_TRUE(PollUntil([&] { return Info().snapshot().version() == 2; }, kReloadTimeout))
      << "the tickets change was never published";
  EXPECT_EQ(Info().snapshot().support_window_end(), "2025-01-02");
  const std::vector<CustomerSignals> version2 = StreamSignals();
  ExpectSignalsOfAFullLoad(version2, dir.string());
  EXPECT_EQ(Parses("support_tickets"), 2);
  EXPECT_EQ(Parses("feature_usage"), 1);  // kept from the first load
  EXPECT_EQ(Parses("accounts"), 1);
  EXPECT_EQ(Parses("subscriptions"), 1);
  EXPECT_EQ(Parses("churn_events"), 1);

  // A bad satisfaction score: version 2 stays served, the error names file, line and column.
  const int64_t bad_line = std::count(changed.begin(), changed.end(), '\n') + 1;
  churn::testing::WriteFileAtomically(
      tickets, changed + absl::StrCat("T-bad,", account, ",2025-01-02,,1.0,low,5,11,False\n"));
  ASSERT_TRUE(PollUntil([&] { return !Info().last_error().empty(); }, kReloadTimeout));
  v1::GetSnapshotInfoResponse info = Info();
  EXPECT_THAT(info.last_error(), HasSubstr(absl::StrCat("support_tickets.csv:", bad_line, ":")));
  EXPECT_THAT(info.last_error(), HasSubstr("satisfaction_score"));
  EXPECT_EQ(info.snapshot().version(), 2);
  const std::vector<CustomerSignals> kept = StreamSignals();
  ASSERT_EQ(kept.size(), version2.size());
  for (size_t i = 0; i < kept.size(); ++i) {
    EXPECT_EQ(kept[i].tickets_30d, version2[i].tickets_30d) << kept[i].customer_id;
  }

  // The original tickets back: version 3, again without parsing the usage.
  churn::testing::WriteFileAtomically(tickets, original);
  ASSERT_TRUE(PollUntil([&] { return Info().snapshot().version() == 3; }, kReloadTimeout));
  EXPECT_EQ(Info().last_error(), "");
  ExpectSignalsOfAFullLoad(StreamSignals(), dir.string());
  EXPECT_EQ(Parses("support_tickets"), 3);
  EXPECT_EQ(Parses("feature_usage"), 1);
}

}  // namespace
}  // namespace churn
