#pragma once
// The real churn-ingest binary on ephemeral loopback ports for the ingest tests: a fixture that
// starts it on a data folder (watched every 50 ms), a stub to call it and SIGTERM at the end,
// plus the helpers those tests share (an atomic file write, polling for a condition).

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "churn/v1/ingest.grpc.pb.h"
#include "gtest/gtest.h"
#include "integration/process.h"

namespace churn::testing {

inline constexpr std::chrono::seconds kIngestRpcTimeout{10};
inline constexpr std::chrono::seconds kIngestReloadTimeout{15};

// Written aside and renamed, as a careful exporter would; the watcher must cope either way.
inline void WriteFileAtomically(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path tmp = path.string() + ".part";
  std::ofstream(tmp, std::ios::binary | std::ios::trunc) << text;
  std::filesystem::rename(tmp, path);
}

template <typename Condition>
bool PollUntil(Condition condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

class IngestHarness : public ::testing::Test {
 protected:
  void TearDown() override {
    if (process_ && process_->Running()) (void)process_->Terminate(std::chrono::seconds(10));
  }

  // Starts churn-ingest (config/ingest-service.yaml) on `data_dir`; `extra_args` and `env` are
  // added to the defaults.
  void StartIngest(const std::string& data_dir, std::vector<std::string> extra_args = {},
                   std::vector<std::pair<std::string, std::string>> env = {}) {
    ServiceProcess::Options options;
    options.args = {"--config=" + std::string(CHURN_SOURCE_DIR) + "/config/ingest-service.yaml",
                    "--grpc_address=127.0.0.1:0",
                    "--metrics_address=127.0.0.1:0",
                    "--data_dir=" + data_dir,
                    "--watch_interval_ms=50",
                    "--drain_timeout_ms=2000",
                    "--log_level=warn"};
    options.args.insert(options.args.end(), extra_args.begin(), extra_args.end());
    options.env = std::move(env);
    absl::StatusOr<std::unique_ptr<ServiceProcess>> process =
        ServiceProcess::Start(CHURN_INGEST_BINARY, std::move(options));
    ASSERT_TRUE(process.ok()) << process.status();
    process_ = *std::move(process);
    stub_ = v1::IngestService::NewStub(
        grpc::CreateChannel(process_->grpc_target(), grpc::InsecureChannelCredentials()));
  }

  static std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + kIngestRpcTimeout);
    return context;
  }

  v1::GetSnapshotInfoResponse Info() {
    v1::GetSnapshotInfoResponse response;
    grpc::Status status = stub_->GetSnapshotInfo(Context().get(), {}, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  std::unique_ptr<ServiceProcess> process_;
  std::unique_ptr<v1::IngestService::Stub> stub_;
};

}  // namespace churn::testing
