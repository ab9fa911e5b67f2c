#pragma once
// The four services as the gateway system tests run them: ingest on a data folder, scoring with
// the built-in rules, enrichment without a model and the gateway in front of them, each started
// with ServiceProcess::StartQuiet on loopback (gRPC and metrics ephemeral, the gateway's HTTP on a
// reserved port), the SQLite files in the test's work folder. Header-only: the binaries' paths
// are the including test's CHURN_*_BINARY macros (churn_use_binaries).
//
//   GatewayStack stack;
//   ASSERT_TRUE(stack.Start({.data_dir = data, .work_dir = scratch.path(),
//                            .gateway_args = {"--refresh_interval_ms=200"}}).ok());
//   httplib::Client http("127.0.0.1", stack.http_port());

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "integration/port_reservation.h"
#include "integration/process.h"
#include "integration/service_probe.h"
#include "status/status_macros.h"

namespace churn::testing {

struct GatewayStackOptions {
  std::string data_dir;                   // ingest's --data_dir
  std::filesystem::path work_dir;         // enrichment cache, outcome log, risk history
  std::vector<std::string> ingest_args;   // added flags, e.g. --tickets_dir, --watch_interval_ms=0
  std::vector<std::string> scoring_args;  // e.g. --model_file
  std::vector<std::string> gateway_args;  // e.g. --refresh_interval_ms, --web_root
  // Waits until ingest and scoring are SERVING before starting the others (the gateway's first
  // refresh needs ingest's first snapshot, which a model makes slower).
  bool ingest_and_scoring_first = false;
  std::chrono::milliseconds timeout{60000};  // for each start and each wait
};

class GatewayStack {
 public:
  // Starts the four and waits until the gateway is SERVING (it has its first views).
  absl::Status Start(const GatewayStackOptions& options) {
    const std::string loopback = "--grpc_address=127.0.0.1:0";
    std::vector<std::string> ingest = {loopback, "--data_dir=" + options.data_dir};
    ingest.insert(ingest.end(), options.ingest_args.begin(), options.ingest_args.end());
    CHURN_ASSIGN_OR_RETURN(ingest_, ServiceProcess::StartQuiet(CHURN_INGEST_BINARY,
                                                               std::move(ingest), options.timeout));
    // An empty rules_file means the built-in rules: the same ones churnctl uses offline.
    std::vector<std::string> scoring = {loopback, "--rules_file="};
    scoring.insert(scoring.end(), options.scoring_args.begin(), options.scoring_args.end());
    CHURN_ASSIGN_OR_RETURN(
        scoring_,
        ServiceProcess::StartQuiet(CHURN_SCORING_BINARY, std::move(scoring), options.timeout));
    if (options.ingest_and_scoring_first) {
      for (const ServiceProcess* process : {ingest_.get(), scoring_.get()}) {
        CHURN_RETURN_IF_ERROR(WaitForServing(process->grpc_target(), options.timeout));
      }
    }
    CHURN_ASSIGN_OR_RETURN(
        enrichment_,
        ServiceProcess::StartQuiet(CHURN_ENRICHMENT_BINARY,
                                   {loopback, "--use_model=false", "--warm_up=false",
                                    "--cache_path=" + (options.work_dir / "cache.sqlite").string()},
                                   options.timeout));
    std::vector<std::string> gateway = {
        loopback,
        absl::StrCat("--http_address=127.0.0.1:", http_port()),
        "--ingest_address=" + ingest_->grpc_target(),
        "--scoring_address=" + scoring_->grpc_target(),
        "--enrichment_address=" + enrichment_->grpc_target(),
        "--outcomes_db=" + (options.work_dir / "outcomes.sqlite").string(),
        "--history_db=" + (options.work_dir / "risk-history.sqlite").string()};
    gateway.insert(gateway.end(), options.gateway_args.begin(), options.gateway_args.end());
    CHURN_ASSIGN_OR_RETURN(
        gateway_,
        ServiceProcess::StartQuiet(CHURN_GATEWAY_BINARY, std::move(gateway), options.timeout));
    return WaitForServing(gateway_->grpc_target(), options.timeout);
  }

  ServiceProcess& ingest() { return *ingest_; }
  ServiceProcess& scoring() { return *scoring_; }
  ServiceProcess& enrichment() { return *enrichment_; }
  ServiceProcess& gateway() { return *gateway_; }
  int http_port() const { return http_reservation_.port(); }

 private:
  PortReservation http_reservation_;
  // Stopped in reverse order: the gateway first.
  std::unique_ptr<ServiceProcess> ingest_;
  std::unique_ptr<ServiceProcess> scoring_;
  std::unique_ptr<ServiceProcess> enrichment_;
  std::unique_ptr<ServiceProcess> gateway_;
};

}  // namespace churn::testing
