#pragma once
// grpc.health.v1.Health on gRPC's sync API, for a process that must not start gRPC's callback
// threads: gRPC 1.51's default health service is a callback service, and its two callback threads
// then take part in every hand-off of the poller, a wake-up and a context switch per call for
// every other method of the process (see bench/scoring_load/README.md). Answers like gRPC's
// default service: Check gives SERVING / NOT_SERVING for "" and every named service, NOT_FOUND for
// an unknown name; Watch sends the status now and at every change (SERVICE_UNKNOWN while a name is
// unknown). After Shutdown() every status is NOT_SERVING for good and open Watch streams end.
//
// A Watch stream holds one of the server's sync threads while it is open (the sync API blocks),
// so at most kMaxWatchers are open at once; more are refused with RESOURCE_EXHAUSTED.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "concurrency/mutex.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace churn::service {

class SyncHealthService final : public grpc::health::v1::Health::Service {
 public:
  static constexpr int kMaxWatchers = 8;

  // How often an idle Watch looks whether its client went away (the sync API does not say).
  explicit SyncHealthService(std::chrono::milliseconds watch_poll = std::chrono::milliseconds(500))
      : watch_poll_(watch_poll) {}

  // `service` "" is the whole server. Ignored after Shutdown().
  void SetServingStatus(const std::string& service, bool serving);
  // Every known service, "" included.
  void SetServingStatus(bool serving);
  // NOT_SERVING for every service from now on; ends the Watch streams.
  void Shutdown();

  grpc::Status Check(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::health::v1::HealthCheckResponse* response) override;
  grpc::Status Watch(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::ServerWriter<grpc::health::v1::HealthCheckResponse>* writer) override;

 private:
  using ServingStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;
  // SERVICE_UNKNOWN when the name was never set.
  ServingStatus StatusOf(const std::string& service) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::chrono::milliseconds watch_poll_;
  mutable concurrency::Mutex mu_;
  concurrency::CondVar changed_;
  absl::flat_hash_map<std::string, bool> serving_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  int watchers_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace churn::service
