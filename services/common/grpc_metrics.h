#pragma once
// The standard gRPC server metrics, named and labelled exactly as Go's grpc-prometheus
// (github.com/grpc-ecosystem/go-grpc-prometheus) so the usual dashboards and alerts work:
//   grpc_server_started_total{grpc_type,grpc_service,grpc_method}
//   grpc_server_handled_total{grpc_type,grpc_service,grpc_method,grpc_code}
//   grpc_server_msg_received_total / grpc_server_msg_sent_total{grpc_type,grpc_service,grpc_method}
//   grpc_server_handling_seconds{grpc_type,grpc_service,grpc_method} (histogram, default buckets)
// grpc_type is unary, client_stream, server_stream or bidi_stream; grpc_code the Go code name
// ("OK", "InvalidArgument", ...). As grpc-prometheus does when initialised with the server, every
// series of every registered method is created at 0, so rates and alerts work from the start.

#include <grpcpp/support/server_interceptor.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "concurrency/mutex.h"

namespace prometheus {
class Counter;
class Histogram;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace churn::service {

class GrpcServerMetrics {
 public:
  explicit GrpcServerMetrics(prometheus::Registry& registry);
  ~GrpcServerMetrics();
  GrpcServerMetrics(const GrpcServerMetrics&) = delete;
  GrpcServerMetrics& operator=(const GrpcServerMetrics&) = delete;

  // Pre-creates the series of every method of a service found in the generated descriptor pool
  // ("churn.v1.ScoringService"). False when the service is not linked into the binary.
  bool PreRegisterService(std::string_view full_service_name);

  // The interceptor factory to hand to ServerBuilder; `this` must outlive the server.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeInterceptorFactory();

  // RPCs started and not yet torn down (any service, any type).
  int64_t calls_in_flight() const { return calls_in_flight_.load(std::memory_order_acquire); }

  // The series of one method; created on first use when not pre-registered.
  struct MethodSeries;
  MethodSeries& SeriesFor(std::string_view full_method, std::string_view grpc_type);
  void CallStarted() { calls_in_flight_.fetch_add(1, std::memory_order_acq_rel); }
  void CallEnded() { calls_in_flight_.fetch_sub(1, std::memory_order_acq_rel); }

 private:
  prometheus::Family<prometheus::Counter>& started_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Counter>& msg_received_;
  prometheus::Family<prometheus::Counter>& msg_sent_;
  prometheus::Family<prometheus::Histogram>& handling_seconds_;

  std::atomic<int64_t> calls_in_flight_{0};
  concurrency::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<MethodSeries>> series_ ABSL_GUARDED_BY(mu_);
};

}  // namespace churn::service
