#include "common/sync_health_service.h"

#include <optional>

namespace churn::service {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

void SyncHealthService::SetServingStatus(const std::string& service, bool serving) {
  concurrency::MutexLock lock(mu_);
  if (shut_down_) return;
  serving_[service] = serving;
  changed_.NotifyAll();
}

void SyncHealthService::SetServingStatus(bool serving) {
  concurrency::MutexLock lock(mu_);
  if (shut_down_) return;
  serving_[""] = serving;
  for (auto& [name, value] : serving_) value = serving;
  changed_.NotifyAll();
}

void SyncHealthService::Shutdown() {
  concurrency::MutexLock lock(mu_);
  for (auto& [name, value] : serving_) value = false;
  shut_down_ = true;
  changed_.NotifyAll();
}

SyncHealthService::ServingStatus SyncHealthService::StatusOf(const std::string& service) const {
  auto it = serving_.find(service);
  if (it == serving_.end()) return HealthCheckResponse::SERVICE_UNKNOWN;
  return it->second ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING;
}

grpc::Status SyncHealthService::Check(grpc::ServerContext* /*context*/,
                                      const HealthCheckRequest* request,
                                      HealthCheckResponse* response) {
  concurrency::MutexLock lock(mu_);
  const ServingStatus status = StatusOf(request->service());
  if (status == HealthCheckResponse::SERVICE_UNKNOWN) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service");
  }
  response->set_status(status);
  return grpc::Status::OK;
}

grpc::Status SyncHealthService::Watch(grpc::ServerContext* context,
                                      const HealthCheckRequest* request,
                                      grpc::ServerWriter<HealthCheckResponse>* writer) {
  {
    concurrency::MutexLock lock(mu_);
    if (watchers_ >= kMaxWatchers) {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "too many health watchers");
    }
    ++watchers_;
  }
  const std::string& service = request->service();
  std::optional<ServingStatus> sent;
  grpc::Status end;
  while (true) {
    ServingStatus now;
    bool shut_down = false;
    {
      concurrency::MutexLock lock(mu_);
      changed_.WaitFor(mu_, watch_poll_, [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return shut_down_ || !sent || StatusOf(service) != *sent;
      });
      now = StatusOf(service);
      shut_down = shut_down_;
    }
    if (context->IsCancelled()) {
      end = grpc::Status(grpc::StatusCode::CANCELLED, "watch cancelled");
      break;
    }
    if (!sent || now != *sent) {
      HealthCheckResponse response;
      response.set_status(now);
      if (!writer->Write(response)) {
        end = grpc::Status(grpc::StatusCode::CANCELLED, "watch closed by the client");
        break;
      }
      sent = now;
    }
    if (shut_down) {
      // NOT_SERVING was sent: the stream ends instead of holding the server's drain.
      end = grpc::Status(grpc::StatusCode::UNAVAILABLE, "server shutting down");
      break;
    }
  }
  concurrency::MutexLock lock(mu_);
  --watchers_;
  return end;
}

}  // namespace churn::service
