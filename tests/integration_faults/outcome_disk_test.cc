// The outcome log's file system full, then read-only (a tmpfs mounted for the test): outcome
// writes get a clear error naming the cause (HTTP 507 / gRPC RESOURCE_EXHAUSTED when full, 503 /
// UNAVAILABLE when read-only, never a server path), the gateway keeps serving views, earlier
// outcomes stay intact, SQLite finds the file sound, and writes succeed again once space is freed
// or the file system is writable again.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/strings/str_cat.h"
#include "churn/v1/gateway.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration/service_probe.h"
#include "integration_faults/fault_test_folder.h"
#include "integration_faults/gateway_http.h"
#include "integration_faults/outcome_log_file.h"
#include "integration_faults/restartable_service_set.h"
#include "integration_faults/tmpfs_mount.h"
#include "nlohmann/json.hpp"

namespace churn::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;

class OutcomeDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = MakeFaultTestFolder();
    absl::Status mounted = mount_.Mount(folder_.work / "outcomes-fs", "2m");
    if (!mounted.ok()) {
      if (RunningInCi()) FAIL() << "CI=true and no tmpfs for the outcome log: " << mounted;
      GTEST_SKIP() << "cannot mount a tmpfs for the outcome log (not root?): " << mounted;
    }
    db_ = (folder_.work / "outcomes-fs" / "outcomes.sqlite").string();
    ServiceSetConfig config = ConfigFor(folder_);
    config.outcomes_db = db_;
    services_ = std::make_unique<RestartableServiceSet>(config);
    ASSERT_TRUE(services_->StartAll().ok());
    const HttpReply page = HttpGet(port(), "/api/v1/at-risk?limit=1");
    ASSERT_EQ(page.status, 200) << page.body;
    customer_ = nlohmann::json::parse(page.body)["customers"][0]["signals"]["customer_id"];
  }
  void TearDown() override {
    services_.reset();  // before the unmount
  }

  int port() const { return services_->http_port(); }

  HttpReply Record(const std::string& note) {
    return HttpPostJson(port(), "/api/v1/customers/" + customer_ + "/outcomes",
                        nlohmann::json{{"kind", "contacted"}, {"notes", note}}.dump());
  }

  grpc::Status RecordOverGrpc(const std::string& note) {
    auto stub = v1::GatewayService::NewStub(
        grpc::CreateChannel(services_->gateway_grpc_target(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 5s);
    v1::RecordOutcomeRequest request;
    request.set_customer_id(customer_);
    request.set_kind(v1::OUTCOME_KIND_CONTACTED);
    request.set_notes(note);
    v1::RecordOutcomeResponse response;
    return stub->RecordOutcome(&context, request, &response);
  }

  // The notes the API lists, newest first.
  std::vector<std::string> ListedNotes() {
    const HttpReply listed = HttpGet(port(), "/api/v1/outcomes?page_size=1000");
    EXPECT_EQ(listed.status, 200) << listed.body;
    std::vector<std::string> notes;
    if (listed.status != 200) return notes;
    const nlohmann::json body = nlohmann::json::parse(listed.body);
    for (const nlohmann::json& outcome : body["outcomes"]) notes.push_back(outcome["notes"]);
    return notes;
  }

  void ExpectViewsServed() {
    EXPECT_EQ(HttpGet(port(), "/api/v1/executive").status, 200);
    EXPECT_EQ(HttpGet(port(), "/readyz").status, 200);
  }

  void ExpectSoundFileWith(const std::vector<std::string>& notes) {
    absl::StatusOr<std::string> integrity = IntegrityCheck(db_);
    ASSERT_TRUE(integrity.ok()) << integrity.status();
    EXPECT_EQ(*integrity, "ok");
    absl::StatusOr<std::map<std::string, int>> rows = RowsByNote(db_);
    ASSERT_TRUE(rows.ok()) << rows.status();
    for (const std::string& note : notes) EXPECT_EQ((*rows)[note], 1) << note;
  }

  FaultTestFolder folder_;
  TmpfsMount mount_;
  std::string db_;
  std::unique_ptr<RestartableServiceSet> services_;
  std::string customer_;
};

TEST_F(OutcomeDiskTest, FullDiskRefusesWritesClearlyAndWritesResumeOnceSpaceIsFreed) {
  std::vector<std::string> earlier;
  for (int i = 0; i < 20; ++i) {
    earlier.push_back(absl::StrCat("before-", i));
    ASSERT_EQ(Record(earlier.back()).status, 201);
  }
  // Fill what is left of the file system.
  const std::filesystem::path filler = folder_.work / "outcomes-fs" / "filler";
  {
    std::FILE* out = std::fopen(filler.c_str(), "wb");
    ASSERT_NE(out, nullptr);
    const std::string block(64 << 10, 'x');
    while (std::fwrite(block.data(), 1, block.size(), out) == block.size() &&
           std::fflush(out) == 0) {
    }
    std::fclose(out);
  }

  const HttpReply refused = Record("while-full");
  std::printf("[ faults ] disk full: HTTP %d %s\n", refused.status, refused.body.c_str());
  EXPECT_EQ(refused.status, 507) << refused.body;
  EXPECT_THAT(refused.body, HasSubstr("full"));
  EXPECT_THAT(refused.body, Not(HasSubstr(folder_.work.string())));
  const grpc::Status over_grpc = RecordOverGrpc("while-full-grpc");
  std::printf("[ faults ] disk full: gRPC %d %s\n", over_grpc.error_code(),
              over_grpc.error_message().c_str());
  EXPECT_EQ(over_grpc.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(over_grpc.error_message(), HasSubstr("full"));
  EXPECT_THAT(over_grpc.error_message(), Not(HasSubstr("/")));

  ExpectViewsServed();
  std::vector<std::string> listed = ListedNotes();
  EXPECT_EQ(listed.size(), earlier.size());

  std::filesystem::remove(filler);
  EXPECT_EQ(Record("after-freeing").status, 201);
  earlier.push_back("after-freeing");
  EXPECT_EQ(ListedNotes().size(), earlier.size());
  ASSERT_TRUE(services_->process(Service::kGateway)->Terminate(10s).ok());
  ExpectSoundFileWith(earlier);
}

// A file system cannot turn read-only under a process writing to it (EBUSY), so the gateway is
// stopped first: cleanly (the WAL is folded into the file and removed) and by SIGKILL (the WAL
// stays), and started on the read-only file system.
TEST_F(OutcomeDiskTest, ReadOnlyFileSystemRefusesWritesClearlyWhileViewsAreServed) {
  std::vector<std::string> earlier;
  for (bool clean_stop : {true, false}) {
    const std::string how = clean_stop ? "stopped" : "killed";
    for (int i = 0; i < 5; ++i) {
      earlier.push_back(absl::StrCat(how, "-before-", i));
      ASSERT_EQ(Record(earlier.back()).status, 201);
    }
    if (clean_stop) {
      ASSERT_TRUE(services_->process(Service::kGateway)->Terminate(10s).ok());
    } else {
      services_->Kill(Service::kGateway);
    }
    ASSERT_TRUE(mount_.Remount(/*read_only=*/true).ok());
    ASSERT_TRUE(services_->Start(Service::kGateway).ok())
        << how << ": the gateway does not start on a read-only outcome log";
    ASSERT_TRUE(WaitForServing(services_->gateway_grpc_target(), 30s).ok()) << how;
    ExpectViewsServed();

    const HttpReply refused = Record(how + "-while-read-only");
    std::printf("[ faults ] read-only (gateway %s before): HTTP %d %s\n", how.c_str(),
                refused.status, refused.body.c_str());
    EXPECT_EQ(refused.status, 503) << refused.body;
    EXPECT_THAT(refused.body, HasSubstr("read-only"));
    EXPECT_THAT(refused.body, Not(HasSubstr(folder_.work.string())));
    const grpc::Status over_grpc = RecordOverGrpc(how + "-while-read-only-grpc");
    EXPECT_EQ(over_grpc.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_THAT(over_grpc.error_message(), HasSubstr("read-only"));
    ExpectViewsServed();

    // Writable again: the running gateway records without a restart.
    ASSERT_TRUE(mount_.Remount(/*read_only=*/false).ok());
    const HttpReply resumed = Record(how + "-after");
    EXPECT_EQ(resumed.status, 201) << resumed.body;
    earlier.push_back(how + "-after");
    EXPECT_EQ(ListedNotes().size(), earlier.size());
  }
  ASSERT_TRUE(services_->process(Service::kGateway)->Terminate(10s).ok());
  ExpectSoundFileWith(earlier);
}

}  // namespace
}  // namespace churn::testing
