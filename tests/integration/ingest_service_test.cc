// The real churn-ingest binary on an ephemeral loopback port: snapshots from a watched folder,
// a broken file that never replaces the last good snapshot, uploads, streams and metrics.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "churn/v1/ingest.grpc.pb.h"
#include "convert/signals_convert.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/ingest_harness.h"
#include "integration/process.h"
#include "integration/service_probe.h"
#include "signals/signal_builder.h"
#include "snapshots/customer_directory.h"
#include "testing/data_folder.h"
#include "testing/real_component.h"
#include "testing/scratch_dir.h"

namespace churn {
namespace {

namespace fs = std::filesystem;
using ::churn::testing::PollUntil;
using ::churn::testing::ServiceProcess;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

const std::string kRavenstackDir = std::string(CHURN_SOURCE_DIR) + "/../shared/data/ravenstack";
const std::string kConfigFile = std::string(CHURN_SOURCE_DIR) + "/config/ingest-service.yaml";
constexpr auto kReloadTimeout = churn::testing::kIngestReloadTimeout;

constexpr char kUsageHeader[] =
    "usage_id,subscription_id,usage_date,feature_name,usage_count,usage_duration_secs,"
    "error_count,is_beta_feature\n";
const std::string kGoodUsage = std::string(kUsageHeader) +
                               "U-1,S-1,2025-01-05,f1,10,100,1,False\n"
                               "U-2,S-2,2025-01-04,f2,5,100,0,False\n";
// Line 3, column 9: a month 13.
const std::string kBadDateUsage = std::string(kUsageHeader) +
                                  "U-1,S-1,2025-01-05,f1,10,100,1,False\n"
                                  "U-2,S-2,2025-13-04,f2,5,100,0,False\n";

// Test folders are per process, so parallel runs from several build trees never share one.
std::string UniqueName(const std::string& name) { return name + "_" + std::to_string(::getpid()); }

class IngestServiceTest : public churn::testing::IngestHarness {
 protected:
  struct Streamed {
    grpc::Status status;
    std::vector<v1::StreamSignalsResponse> messages;
    std::vector<v1::CustomerSignals> signals;
  };
  Streamed StreamSignals(int64_t version = 0, int32_t chunk_size = 0, int64_t base_version = 0) {
    v1::StreamSignalsRequest request;
    request.set_snapshot_version(version);
    request.set_chunk_size(chunk_size);
    request.set_base_snapshot_version(base_version);
    auto context = Context();
    std::unique_ptr<grpc::ClientReader<v1::StreamSignalsResponse>> reader =
        stub_->StreamSignals(context.get(), request);
    Streamed streamed;
    v1::StreamSignalsResponse message;
    while (reader->Read(&message)) {
      streamed.messages.push_back(message);
      for (const v1::CustomerSignals& signals : message.signals())
        streamed.signals.push_back(signals);
    }
    streamed.status = reader->Finish();
    return streamed;
  }

  struct Uploaded {
    grpc::Status status;
    v1::UploadTableResponse response;
  };
  // Sends the header (unless `send_header` is false) and `content` in `chunk_bytes` pieces.
  Uploaded Upload(v1::TableKind table, const std::string& file_name, const std::string& content,
                  int64_t declared_bytes = 0, size_t chunk_bytes = 1024, bool send_header = true,
                  const std::string& ticket_set_name = "") {
    auto context = Context();
    Uploaded uploaded;
    std::unique_ptr<grpc::ClientWriter<v1::UploadTableRequest>> writer =
        stub_->UploadTable(context.get(), &uploaded.response);
    bool open = true;
    if (send_header) {
      v1::UploadTableRequest header;
      header.mutable_header()->set_table(table);
      header.mutable_header()->set_file_name(file_name);
      header.mutable_header()->set_total_bytes(declared_bytes);
      header.mutable_header()->set_ticket_set_name(ticket_set_name);
      open = writer->Write(header);
    }
    for (size_t pos = 0; open && pos < content.size(); pos += chunk_bytes) {
      v1::UploadTableRequest chunk;
      chunk.set_chunk(content.substr(pos, chunk_bytes));
      open = writer->Write(chunk);  // false once the server has ended the call
    }
    if (open) writer->WritesDone();
    uploaded.status = writer->Finish();
    return uploaded;
  }

  double Metric(const std::string& name, const std::map<std::string, std::string>& labels = {}) {
    absl::StatusOr<std::string> text = churn::testing::ScrapeMetrics(process_->metrics_port());
    EXPECT_TRUE(text.ok()) << text.status();
    if (!text.ok()) return -1;
    return churn::testing::SumSamples(*text, name, labels).value_or(-1);
  }
};

TEST_F(IngestServiceTest, WatchedFolderBrokenFileKeepsTheSnapshotAndTheFixPublishes) {
  const std::string dir = churn::testing::WriteDataFolder(UniqueName("ingest_watch"));
  StartIngest(dir);
  ASSERT_TRUE(churn::testing::WaitForServing(process_->grpc_target(), 30s).ok());
  EXPECT_EQ(churn::testing::HealthStatus(process_->grpc_target(), "churn.v1.IngestService")
                .value_or("error"),
            "SERVING");

  v1::GetSnapshotInfoResponse info = Info();
  EXPECT_EQ(info.snapshot().version(), 1);
  ASSERT_TRUE(info.snapshot().has_loaded_at());
  EXPECT_LE(std::abs(info.snapshot().loaded_at().seconds() - absl::ToUnixSeconds(absl::Now())),
            120);
  EXPECT_EQ(info.snapshot().usage_window_end(), "2024-12-31");
  EXPECT_EQ(info.snapshot().support_window_end(), "2024-12-31");
  EXPECT_EQ(info.snapshot().customer_count(), 2);
  EXPECT_EQ(info.snapshot().source_dir(), dir);
  EXPECT_EQ(info.snapshot().content_hash().size(), 64u);
  ASSERT_EQ(info.snapshot().tables_size(), 5);
  EXPECT_EQ(info.snapshot().tables(2).name(), "feature_usage");
  EXPECT_EQ(info.snapshot().tables(2).rows(), 3);
  EXPECT_EQ(info.last_error(), "");

  // One customer per message: the first carries the snapshot info, the count is the
  // subscriptions table's.
  Streamed streamed = StreamSignals(0, 1);
  ASSERT_TRUE(streamed.status.ok()) << streamed.status.error_message();
  ASSERT_EQ(streamed.signals.size(), 2u);
  ASSERT_EQ(streamed.messages.size(), 2u);
  EXPECT_EQ(streamed.messages[0].snapshot().version(), 1);
  EXPECT_FALSE(streamed.messages[1].has_snapshot());
  EXPECT_EQ(streamed.signals[0].customer_id(), "S-1");
  EXPECT_EQ(streamed.signals[0].account_name(), "Acme");
  EXPECT_EQ(streamed.signals[0].usage_30d(), 10);
  EXPECT_EQ(streamed.signals[0].tickets_30d(), 2);

  // A bad date: the reload fails, the error names file, line and column, version 1 stays.
  churn::testing::WriteFileAtomically(fs::path(dir) / "feature_usage.csv", kBadDateUsage);
  ASSERT_TRUE(PollUntil([&] { return !Info().last_error().empty(); }, kReloadTimeout))
      << "the watcher never reported the broken file";
  info = Info();
  EXPECT_THAT(info.last_error(), HasSubstr("feature_usage.csv:3:9: usage_date"));
  ASSERT_TRUE(info.has_last_error_at());
  EXPECT_LE(std::abs(info.last_error_at().seconds() - absl::ToUnixSeconds(absl::Now())), 60);
  EXPECT_EQ(info.snapshot().version(), 1);
  streamed = StreamSignals();
  ASSERT_TRUE(streamed.status.ok()) << streamed.status.error_message();
  EXPECT_EQ(streamed.signals.size(), 2u);
  EXPECT_EQ(streamed.messages[0].snapshot().version(), 1);
  EXPECT_EQ(churn::testing::HealthStatus(process_->grpc_target()).value_or("error"), "SERVING");

  // Fixed: version 2 with the new data, and the error is gone.
  churn::testing::WriteFileAtomically(fs::path(dir) / "feature_usage.csv", kGoodUsage);
  ASSERT_TRUE(PollUntil([&] { return Info().snapshot().version() == 2; }, kReloadTimeout));
  info = Info();
  EXPECT_EQ(info.snapshot().usage_window_end(), "2025-01-05");
  EXPECT_EQ(info.last_error(), "");

  // Rows of both published snapshots: 3 + 2 usage rows.
  EXPECT_EQ(Metric("churn_ingest_rows_total", {{"table", "feature_usage"}}), 5);
  EXPECT_EQ(Metric("churn_ingest_rows_total", {{"table", "accounts"}}), 4);
  EXPECT_EQ(Metric("churn_ingest_snapshot_version"), 2);
  EXPECT_GE(Metric("churn_ingest_load_failures_total"), 1);
  EXPECT_EQ(Metric("churn_ingest_load_seconds_count"), Metric("churn_ingest_loads_total"));
  EXPECT_GE(
      Metric("grpc_server_handled_total", {{"grpc_method", "StreamSignals"}, {"grpc_code", "OK"}}),
      2);

  absl::StatusOr<int> exit_code = process_->Terminate(10s);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0);
}

TEST_F(IngestServiceTest, WatchSnapshotsTellsOfEveryLoadAndEndsWhenTheServiceStops) {
  const std::string dir = churn::testing::WriteDataFolder(UniqueName("ingest_watch_stream"));
  // A drain deadline far beyond the test: the stream must end at the start of the shutdown.
  StartIngest(dir, {"--drain_timeout_ms=60000"});
  ASSERT_TRUE(churn::testing::WaitForServing(process_->grpc_target(), 30s).ok());
  grpc::ClientContext context;
  // A missed message fails the test instead of hanging it.
  context.set_deadline(std::chrono::system_clock::now() + 60s);
  std::unique_ptr<grpc::ClientReader<v1::WatchSnapshotsResponse>> reader =
      stub_->WatchSnapshots(&context, {});
  v1::WatchSnapshotsResponse message;
  ASSERT_TRUE(reader->Read(&message));
  EXPECT_EQ(message.snapshot().version(), 1);
  EXPECT_EQ(message.snapshot().customer_count(), 2);

  churn::testing::WriteFileAtomically(fs::path(dir) / "feature_usage.csv", kBadDateUsage);
  ASSERT_TRUE(reader->Read(&message));
  EXPECT_EQ(message.snapshot().version(), 1);
  EXPECT_THAT(message.last_error(), HasSubstr("feature_usage.csv:3:9: usage_date"));

  churn::testing::WriteFileAtomically(fs::path(dir) / "feature_usage.csv", kGoodUsage);
  ASSERT_TRUE(reader->Read(&message));
  EXPECT_EQ(message.snapshot().version(), 2);
  EXPECT_EQ(message.snapshot().usage_window_end(), "2025-01-05");
  EXPECT_EQ(message.last_error(), "");

  // A usage change keeps the customers in line: the delta against version 1 is exactly the
  // customers whose signals differ.
  const Streamed v1_rows = StreamSignals(1);
  const Streamed v2_rows = StreamSignals(2);
  const Streamed delta = StreamSignals(2, 0, 1);
  ASSERT_TRUE(delta.status.ok()) << delta.status.error_message();
  ASSERT_FALSE(delta.messages.empty());
  EXPECT_TRUE(delta.messages[0].delta());
  EXPECT_EQ(delta.messages[0].removed_customer_ids_size(), 0);
  ASSERT_EQ(v1_rows.signals.size(), v2_rows.signals.size());
  std::vector<std::string> changed, streamed;
  for (size_t i = 0; i < v2_rows.signals.size(); ++i) {
    if (v1_rows.signals[i].SerializeAsString() != v2_rows.signals[i].SerializeAsString()) {
      changed.push_back(v2_rows.signals[i].customer_id());
    }
  }
  for (const v1::CustomerSignals& row : delta.signals) streamed.push_back(row.customer_id());
  EXPECT_FALSE(changed.empty());
  EXPECT_EQ(streamed, changed);

  const auto stopping = std::chrono::steady_clock::now();
  absl::StatusOr<int> exit_code = process_->Terminate(50s);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, 20s) << "the stream held the drain";
  EXPECT_FALSE(reader->Read(&message));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(IngestServiceTest, NotServingUntilTheFolderIsUsable) {
  const std::string dir = churn::testing::WriteDataFolder(UniqueName("ingest_not_ready"),
                                                          {{"feature_usage.csv", kBadDateUsage}});
  StartIngest(dir);
  // The port file is written before the first load runs: poll for its outcome.
  ASSERT_TRUE(PollUntil([&] { return !Info().last_error().empty(); }, kReloadTimeout));
  v1::GetSnapshotInfoResponse info = Info();
  EXPECT_EQ(info.snapshot().version(), 0);
  EXPECT_THAT(info.last_error(), HasSubstr("feature_usage.csv:3:9"));
  EXPECT_EQ(churn::testing::HealthStatus(process_->grpc_target()).value_or("error"), "NOT_SERVING");
  Streamed streamed = StreamSignals();
  EXPECT_EQ(streamed.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(streamed.signals.empty());

  churn::testing::WriteFileAtomically(fs::path(dir) / "feature_usage.csv", kGoodUsage);
  ASSERT_TRUE(churn::testing::WaitForServing(process_->grpc_target(), kReloadTimeout).ok());
  EXPECT_EQ(Info().snapshot().version(), 1);
}

TEST_F(IngestServiceTest, UploadsAreLimitedValidatedAndPublished) {
  const std::string dir = churn::testing::WriteDataFolder(UniqueName("ingest_upload"));
  StartIngest(dir, {"--watch_interval_ms=0", "--max_upload_bytes=4096"});
  ASSERT_TRUE(churn::testing::WaitForServing(process_->grpc_target(), 30s).ok());

  // Declared too large: refused before any byte is sent.
  Uploaded uploaded = Upload(v1::TABLE_KIND_FEATURE_USAGE, "usage.csv", "", 4097);
  EXPECT_EQ(uploaded.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << uploaded.status.error_message();
  // Undeclared and too large: refused as the bytes arrive.
  std::string big = kUsageHeader;
  while (big.size() <= 4096) big += "U-9,S-1,2025-01-05,f1,10,100,1,False\n";
  uploaded = Upload(v1::TABLE_KIND_FEATURE_USAGE, "usage.csv", big);
  EXPECT_EQ(uploaded.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(uploaded.status.error_message(), HasSubstr("4096"));
  // Chunks without a header.
  uploaded = Upload(v1::TABLE_KIND_FEATURE_USAGE, "usage.csv", kGoodUsage, 0, 64, false);
  EXPECT_EQ(uploaded.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Info().snapshot().version(), 1);

  // A valid table: a new version with that table replaced, the other four kept.
  uploaded = Upload(v1::TABLE_KIND_FEATURE_USAGE, "usage.csv", kGoodUsage, 0, 16);
  ASSERT_TRUE(uploaded.status.ok()) << uploaded.status.error_message();
  EXPECT_TRUE(uploaded.response.published());
  EXPECT_EQ(uploaded.response.bytes_received(), static_cast<int64_t>(kGoodUsage.size()));
  EXPECT_EQ(uploaded.response.snapshot().version(), 2);
  EXPECT_EQ(uploaded.response.snapshot().usage_window_end(), "2025-01-05");
  EXPECT_EQ(uploaded.response.snapshot().support_window_end(), "2024-12-31");
  EXPECT_EQ(uploaded.response.snapshot().tables(2).rows(), 2);
  EXPECT_EQ(Info().snapshot().version(), 2);
  // The same bytes again: nothing new to publish.
  uploaded = Upload(v1::TABLE_KIND_FEATURE_USAGE, "usage.csv", kGoodUsage);
  ASSERT_TRUE(uploaded.status.ok()) << uploaded.status.error_message();
  EXPECT_FALSE(uploaded.response.published());
  EXPECT_EQ(uploaded.response.snapshot().version(), 2);

  // A broken table: INVALID_ARGUMENT naming the user's file, line and column; version 2 stays.
  uploaded = Upload(v1::TABLE_KIND_FEATURE_USAGE, "usage_broken.csv", kBadDateUsage);
  EXPECT_EQ(uploaded.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(uploaded.status.error_message(), HasSubstr("usage_broken.csv:3:9: usage_date"));
  v1::GetSnapshotInfoResponse info = Info();
  EXPECT_EQ(info.snapshot().version(), 2);
  EXPECT_THAT(info.last_error(), HasSubstr("usage_broken.csv:3:9"));
  Streamed streamed = StreamSignals();
  ASSERT_TRUE(streamed.status.ok());
  EXPECT_EQ(streamed.messages[0].snapshot().version(), 2);

  // A second table on top of the first upload keeps both.
  const std::string accounts = churn::testing::DefaultTables().at("accounts.csv");
  std::string renamed = accounts;
  renamed.replace(renamed.find("Acme"), 4, "Acme Corp");
  uploaded = Upload(v1::TABLE_KIND_ACCOUNTS, "crm.csv", renamed);
  ASSERT_TRUE(uploaded.status.ok()) << uploaded.status.error_message();
  EXPECT_EQ(uploaded.response.snapshot().version(), 3);
  EXPECT_EQ(uploaded.response.snapshot().usage_window_end(), "2025-01-05");
  streamed = StreamSignals();
  ASSERT_EQ(streamed.signals.size(), 2u);
  EXPECT_EQ(streamed.signals[0].account_name(), "Acme Corp");
  EXPECT_EQ(Metric("churn_ingest_snapshot_version"), 3);
}

// Without uploads_dir, uploads are staged in a private folder of the temp dir (TMPDIR): gone after
// a graceful stop; a SIGKILLed process leaves its folder, and the next start removes it.
TEST_F(IngestServiceTest, UploadStagingFolderIsRemovedAtStopAndAfterACrashAtTheNextStart) {
  const churn::testing::ScratchDir scratch;
  const fs::path temp = scratch / "tmp";
  fs::create_directories(temp);
  auto staging_folders = [&temp] {
    std::vector<fs::path> found;
    for (const fs::directory_entry& entry : fs::directory_iterator(temp)) {
      found.push_back(entry.path());
    }
    return found;
  };
  const std::string dir = churn::testing::WriteDataFolder("staging");
  StartIngest(dir, {}, {{"TMPDIR", temp.string()}});
  ASSERT_TRUE(churn::testing::WaitForServing(process_->grpc_target(), 30s).ok());
  const std::vector<fs::path> first = staging_folders();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].filename().string().rfind("churn-ingest-uploads-", 0), 0u) << first[0];
  EXPECT_TRUE(fs::exists(first[0] / ".owner"));
  const Uploaded uploaded = Upload(v1::TABLE_KIND_FEATURE_USAGE, "usage.csv", kGoodUsage);
  ASSERT_TRUE(uploaded.status.ok()) << uploaded.status.error_message();
  ASSERT_TRUE(uploaded.response.published());
  bool staged = false;
  for (const fs::directory_entry& entry : fs::directory_iterator(first[0])) {
    staged = staged || entry.path().filename().string().find("usage.csv") != std::string::npos;
  }
  EXPECT_TRUE(staged) << "the accepted upload is staged in " << first[0];

  ::kill(process_->pid(), SIGKILL);
  ASSERT_TRUE(process_->WaitForExit(10s).ok());
  EXPECT_EQ(staging_folders(), first) << "a killed process cannot clean up";

  StartIngest(dir, {}, {{"TMPDIR", temp.string()}});
  ASSERT_TRUE(churn::testing::WaitForServing(process_->grpc_target(), 30s).ok());
  const std::vector<fs::path> second = staging_folders();
  ASSERT_EQ(second.size(), 1u) << "the abandoned folder is removed";
  EXPECT_NE(second[0], first[0]);

  EXPECT_EQ(process_->Terminate(10s).value_or(-1), 0);
  EXPECT_TRUE(staging_folders().empty());
}

// With uploads_dir set, the folder is the operator's: it stays, the files staged in it do not.
TEST_F(IngestServiceTest, AConfiguredUploadsDirKeepsOnlyWhatWasThereBefore) {
  const churn::testing::ScratchDir scratch;
  const fs::path uploads = scratch / "uploads";
  fs::create_directories(uploads);
  churn::testing::WriteFileAtomically(uploads / "operator-note.txt", "mine\n");
  StartIngest(churn::testing::WriteDataFolder("configured_uploads"),
              {"--uploads_dir=" + uploads.string()});
  ASSERT_TRUE(churn::testing::WaitForServing(process_->grpc_target(), 30s).ok());
  const Uploaded uploaded = Upload(v1::TABLE_KIND_FEATURE_USAGE, "usage.csv", kGoodUsage);
  ASSERT_TRUE(uploaded.status.ok()) << uploaded.status.error_message();
  ASSERT_TRUE(uploaded.response.published());
  EXPECT_EQ(process_->Terminate(10s).value_or(-1), 0);
  std::set<std::string> left;
  for (const fs::directory_entry& entry : fs::directory_iterator(uploads)) {
    if (entry.is_regular_file()) left.insert(entry.path().filename().string());
  }
  EXPECT_EQ(left, std::set<std::string>{"operator-note.txt"});
}

TEST_F(IngestServiceTest, LoadDataFolderAsOfAndOlderVersions) {
  const std::string first = churn::testing::WriteDataFolder(UniqueName("ingest_load_first"));
  const std::string second = churn::testing::WriteDataFolder(UniqueName("ingest_load_second"),
                                                             {{"feature_usage.csv", kGoodUsage}});
  const std::string broken = churn::testing::WriteDataFolder(
      UniqueName("ingest_load_broken"), {{"feature_usage.csv", kBadDateUsage}});
  // The three folders share a parent: the data root callers may load from.
  StartIngest(first, {"--data_root=" + std::filesystem::path(first).parent_path().string()});
  ASSERT_TRUE(churn::testing::WaitForServing(process_->grpc_target(), 30s).ok());

  v1::LoadDataFolderRequest request;
  v1::LoadDataFolderResponse response;
  // Outside the data root, however written, nothing is read and the folder stays unnamed.
  for (const std::string& outside : {std::string("/etc"), first + "/../../..", std::string("..")}) {
    request.set_data_dir(outside);
    grpc::Status refused = stub_->LoadDataFolder(Context().get(), request, &response);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::PERMISSION_DENIED) << outside;
    EXPECT_THAT(refused.error_message(), Not(HasSubstr(std::filesystem::path(first).parent_path().string())));
  }
  request.set_data_dir(second);
  grpc::Status status = stub_->LoadDataFolder(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(response.published());
  EXPECT_EQ(response.snapshot().version(), 2);
  EXPECT_EQ(response.snapshot().source_dir(), second);

  // Again: same content, no new version.
  status = stub_->LoadDataFolder(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.published());
  EXPECT_EQ(response.snapshot().version(), 2);

  request.set_data_dir(broken);
  status = stub_->LoadDataFolder(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("feature_usage.csv:3:9: usage_date"));

  request.set_data_dir(second);
  request.set_usage_as_of("2025-01-01");
  status = stub_->LoadDataFolder(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("support_as_of"));
  request.set_support_as_of("2025-01-01");
  status = stub_->LoadDataFolder(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.snapshot().version(), 3);
  EXPECT_EQ(response.snapshot().usage_window_end(), "2025-01-01");
  EXPECT_EQ(response.snapshot().support_window_end(), "2025-01-01");

  // Versions 1..3 are held (the default keeps 3); an unknown one is NOT_FOUND.
  Streamed old = StreamSignals(1);
  ASSERT_TRUE(old.status.ok()) << old.status.error_message();
  EXPECT_EQ(old.messages[0].snapshot().version(), 1);
  EXPECT_EQ(old.messages[0].snapshot().usage_window_end(), "2024-12-31");
  EXPECT_EQ(old.signals.size(), 2u);
  EXPECT_EQ(StreamSignals(42).status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(StreamSignals(0, -1).status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(IngestServiceTest, TicketTextSetsFromTheFolderAndUploads) {
  const std::string dir = churn::testing::WriteDataFolder(UniqueName("ingest_tickets_data"));
  const churn::testing::ScratchDir scratch;
  const fs::path tickets = scratch / "tickets";
  fs::create_directories(tickets);
  churn::testing::WriteFileAtomically(
      tickets / "linked.csv",
      "ticket_id,account_id,submitted_at,subject,body\n"
      "T-1,A-1,2024-12-30,Renewal,\"We may cancel, the quote is over budget\"\n"
      "T-2,A-9,2024-12-29,Other,Unknown account\n");
  StartIngest(dir, {"--tickets_dir=" + tickets.string()});
  ASSERT_TRUE(churn::testing::WaitForServing(process_->grpc_target(), 30s).ok());

  const std::string demo = "id,Ticket Description\n1,Where is my invoice?\n2,Too slow\n3,Thanks\n";
  Uploaded uploaded =
      Upload(v1::TABLE_KIND_TICKET_TEXT, "demo_export.csv", demo, 0, 1024, true, "demo");
  ASSERT_TRUE(uploaded.status.ok()) << uploaded.status.error_message();
  EXPECT_EQ(uploaded.response.ticket_set().name(), "demo");
  EXPECT_TRUE(uploaded.response.ticket_set().uploaded());
  EXPECT_FALSE(uploaded.response.ticket_set().linked());
  EXPECT_EQ(uploaded.response.ticket_set().rows(), 3);
  EXPECT_EQ(Info().snapshot().version(), 1) << "a ticket set is not a table";

  v1::ListTicketTextSetsResponse list;
  grpc::Status status = stub_->ListTicketTextSets(Context().get(), {}, &list);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(list.sets_size(), 2);
  EXPECT_EQ(list.sets(0).name(), "linked.csv");
  EXPECT_EQ(list.sets(0).key_column(), "account_id");
  EXPECT_TRUE(list.sets(0).linked());
  EXPECT_EQ(list.sets(0).text_columns(), "subject + body");
  ASSERT_EQ(list.sets(0).warnings_size(), 1);
  EXPECT_THAT(list.sets(0).warnings(0).message(), HasSubstr("1 of 2 tickets"));
  EXPECT_EQ(list.sets(1).name(), "demo");

  auto stream = [&](const std::string& name, bool synthetic) {
    v1::StreamTicketTextsRequest request;
    request.set_set_name(name);
    request.set_synthetic_mapping(synthetic);
    request.set_chunk_size(2);
    auto context = Context();
    auto reader = stub_->StreamTicketTexts(context.get(), request);
    std::vector<v1::TicketText> texts;
    v1::StreamTicketTextsResponse message;
    while (reader->Read(&message)) {
      for (const v1::TicketText& text : message.tickets()) texts.push_back(text);
    }
    EXPECT_TRUE(reader->Finish().ok());
    return texts;
  };
  // A real key links through the account; an unknown account stays unlinked.
  std::vector<v1::TicketText> linked = stream("linked.csv", false);
  ASSERT_EQ(linked.size(), 2u);
  EXPECT_EQ(linked[0].customer_id(), "S-1");
  EXPECT_FALSE(linked[0].synthetic());
  EXPECT_THAT(linked[0].text(), HasSubstr("We may cancel"));
  EXPECT_EQ(linked[0].submitted_at(), "2024-12-30");
  EXPECT_EQ(linked[1].customer_id(), "");

  // A demo set is linked to nobody unless the synthetic mapping is asked for.
  for (const v1::TicketText& text : stream("demo", false)) EXPECT_EQ(text.customer_id(), "");
  std::vector<v1::TicketText> mapped = stream("demo", true);
  ASSERT_EQ(mapped.size(), 3u);
  const std::vector<std::string> sorted_customers = {"S-1", "S-2"};
  for (const v1::TicketText& text : mapped) {
    EXPECT_TRUE(text.synthetic());
    EXPECT_EQ(text.customer_id(),
              sorted_customers[snapshots::StableHash(text.ticket_id()) % sorted_customers.size()]);
  }

  v1::StreamTicketTextsRequest missing;
  missing.set_set_name("nope");
  auto context = Context();
  auto reader = stub_->StreamTicketTexts(context.get(), missing);
  v1::StreamTicketTextsResponse ignored;
  while (reader->Read(&ignored)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(IngestServiceTest, AClientCancellingAStreamLeavesTheServiceHealthy) {
  std::string subscriptions = churn::testing::DefaultTables().at("subscriptions.csv");
  for (int i = 0; i < 3000; ++i) {
    subscriptions += "X-" + std::to_string(i) +
                     ",A-1,2024-01-01,,Pro,1,10,120,False,False,False,"
                     "False,monthly,True\n";
  }
  const std::string dir = churn::testing::WriteDataFolder(UniqueName("ingest_cancel"),
                                                          {{"subscriptions.csv", subscriptions}});
  StartIngest(dir);
  ASSERT_TRUE(churn::testing::WaitForServing(process_->grpc_target(), 30s).ok());
  for (int round = 0; round < 5; ++round) {
    v1::StreamSignalsRequest request;
    request.set_chunk_size(1);
    auto context = Context();
    auto reader = stub_->StreamSignals(context.get(), request);
    v1::StreamSignalsResponse message;
    ASSERT_TRUE(reader->Read(&message));
    EXPECT_EQ(message.snapshot().customer_count(), 3002);
    context->TryCancel();
    while (reader->Read(&message)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  Streamed full = StreamSignals();
  ASSERT_TRUE(full.status.ok()) << full.status.error_message();
  EXPECT_EQ(full.signals.size(), 3002u);
  EXPECT_EQ(full.messages.size(), 7u) << "500 customers per message by default";
  absl::StatusOr<int> exit_code = process_->Terminate(10s);
  ASSERT_TRUE(exit_code.ok()) << exit_code.status();
  EXPECT_EQ(*exit_code, 0);
}

// Exit code of the binary run to completion with `args` (output discarded).
int RunToExit(const std::string& args) {
  const int status =
      std::system((std::string(CHURN_INGEST_BINARY) + " " + args + " >/dev/null 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(IngestBinary, HelpAndBadConfiguration) {
  EXPECT_EQ(RunToExit("--help"), 0);
  EXPECT_EQ(RunToExit("--config=" + kConfigFile + " --stream_chunk_size=0"), 2);
  EXPECT_EQ(RunToExit("--config=" + kConfigFile + " --as_of=yesterday"), 2);
  EXPECT_EQ(RunToExit("--config=" + kConfigFile + " --no_such_key=1"), 2);
}

TEST_F(IngestServiceTest, RavenstackSampleStreamsExactlyTheOfflineSignals) {
  if (!fs::exists(kRavenstackDir)) CHURN_SKIP_UNLESS_CI("no sample data at " << kRavenstackDir);
  absl::StatusOr<SignalSnapshot> offline = BuildSignalsFromFolder(kRavenstackDir, {});
  ASSERT_TRUE(offline.ok()) << offline.status();
  StartIngest(kRavenstackDir);
  ASSERT_TRUE(churn::testing::WaitForServing(process_->grpc_target(), 60s).ok());
  Streamed streamed = StreamSignals();
  ASSERT_TRUE(streamed.status.ok()) << streamed.status.error_message();
  ASSERT_EQ(streamed.signals.size(), offline->customers.size());
  EXPECT_EQ(streamed.messages.size(), (offline->customers.size() + 499) / 500);
  for (size_t i = 0; i < offline->customers.size(); ++i) {
    v1::CustomerSignals expected;
    convert::ToProto(offline->customers[i], &expected);
    ASSERT_EQ(streamed.signals[i].SerializeAsString(), expected.SerializeAsString())
        << "customer " << i << " " << expected.customer_id();
  }
  EXPECT_EQ(streamed.messages[0].snapshot().usage_window_end(),
            dataset::FormatDate(*offline->usage_window_end));
}

}  // namespace
}  // namespace churn
