// The gateway's snapshot watch against servers that do not serve WatchSnapshots: an ingest
// without the RPC is asked once, an ingest that is down is asked again with a growing backoff,
// and Stop() ends the watch at once, mid-backoff included. (The watch against the real ingest:
// incremental_refresh_system_test.)
#include "ingest_snapshot_watch.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "integration/port_reservation.h"

namespace churn::gateway {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::shared_ptr<grpc::Channel> ChannelTo(int port) {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
}

TEST(IngestSnapshotWatch, AnIngestWithoutTheRpcIsAskedOnce) {
  // The generated service's base class answers every method UNIMPLEMENTED, as an ingest from
  // before WatchSnapshots answers that one.
  v1::IngestService::Service older_ingest;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&older_ingest);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  std::atomic<int> heard{0};
  IngestSnapshotWatch watch(ChannelTo(port), 200ms, [&] { ++heard; });
  watch.Start();
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(watch.streams_opened(), 1);
  EXPECT_EQ(heard.load(), 0);
  watch.Stop();
  server->Shutdown();
}

TEST(IngestSnapshotWatch, AnIngestThatIsDownIsAskedAgainWithABackoff) {
  testing::PortReservation nobody;  // reserved, nothing serves it
  ASSERT_NE(nobody.port(), 0);
  std::atomic<int> heard{0};
  IngestSnapshotWatch watch(ChannelTo(nobody.port()), 400ms, [&] { ++heard; });
  watch.Start();
  // Pauses of 200, 400, 400, 400 ms after the first failures: a handful of streams in 2 s,
  // not hundreds.
  std::this_thread::sleep_for(2s);
  const int64_t opened = watch.streams_opened();
  EXPECT_GE(opened, 3);
  EXPECT_LE(opened, 10);
  // Stopped in the middle of a pause: at once.
  const auto stopping = Clock::now();
  watch.Stop();
  EXPECT_LT(Clock::now() - stopping, 300ms);
  EXPECT_EQ(heard.load(), 0);
}

TEST(IngestSnapshotWatch, StopWithoutStartAndTwice) {
  IngestSnapshotWatch watch(ChannelTo(1), 100ms, [] {});
  watch.Stop();
  watch.Stop();
  EXPECT_EQ(watch.streams_opened(), 0);
}

}  // namespace
}  // namespace churn::gateway
