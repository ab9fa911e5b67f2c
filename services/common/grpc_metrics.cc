#include "common/grpc_metrics.h"

#include <google/protobuf/descriptor.h>

#include <array>
#include <chrono>

#include "common/absl_compat.h"
#include "common/grpc_code_name.h"
#include "common/grpc_status.h"
#include "common/metric_registrar.h"

namespace churn::service {

// grpc::StatusCode values 0 (OK) .. 16 (UNAUTHENTICATED).
constexpr int kCodeCount = 17;

struct GrpcServerMetrics::MethodSeries {
  prometheus::Counter* started = nullptr;
  prometheus::Counter* msg_received = nullptr;
  prometheus::Counter* msg_sent = nullptr;
  prometheus::Histogram* handling_seconds = nullptr;
  std::array<prometheus::Counter*, kCodeCount> handled{};
};

namespace {

// prometheus.DefBuckets, which grpc-prometheus uses for the handling-time histogram.
const prometheus::Histogram::BucketBoundaries& DefaultBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *buckets;
}

std::string_view GrpcTypeName(grpc::experimental::ServerRpcInfo::Type type) {
  using Type = grpc::experimental::ServerRpcInfo::Type;
  switch (type) {
    case Type::UNARY: return "unary";
    case Type::CLIENT_STREAMING: return "client_stream";
    case Type::SERVER_STREAMING: return "server_stream";
    case Type::BIDI_STREAMING: return "bidi_stream";
  }
  return "unary";
}

std::string_view GrpcTypeName(const google::protobuf::MethodDescriptor& method) {
  if (method.client_streaming() && method.server_streaming()) return "bidi_stream";
  if (method.client_streaming()) return "client_stream";
  if (method.server_streaming()) return "server_stream";
  return "unary";
}

// "/pkg.Service/Method" -> ("pkg.Service", "Method").
std::pair<std::string, std::string> SplitMethod(std::string_view full_method) {
  if (!full_method.empty() && full_method.front() == '/') full_method.remove_prefix(1);
  size_t slash = full_method.rfind('/');
  if (slash == std::string_view::npos) return {"unknown", std::string(full_method)};
  return {std::string(full_method.substr(0, slash)), std::string(full_method.substr(slash + 1))};
}

class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(GrpcServerMetrics& metrics, GrpcServerMetrics::MethodSeries& series)
      : metrics_(metrics), series_(series), start_(std::chrono::steady_clock::now()) {
    metrics_.CallStarted();
    series_.started->Increment();
  }

  ~MetricsInterceptor() override {
    // A call torn down without sending a status was cancelled (client gone, server shutdown).
    if (!handled_) Record(grpc::StatusCode::CANCELLED);
    metrics_.CallEnded();
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using Hook = grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(Hook::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() != nullptr) {
      series_.msg_received->Increment();
    }
    if (methods->QueryInterceptionHookPoint(Hook::PRE_SEND_MESSAGE)) {
      series_.msg_sent->Increment();
    }
    if (methods->QueryInterceptionHookPoint(Hook::PRE_SEND_STATUS) && !handled_) {
      Record(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  void Record(grpc::StatusCode code) {
    handled_ = true;
    int index = static_cast<int>(code);
    if (index < 0 || index >= kCodeCount) index = static_cast<int>(grpc::StatusCode::UNKNOWN);
    series_.handled[index]->Increment();
    std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
    series_.handling_seconds->Observe(elapsed.count());
  }

  GrpcServerMetrics& metrics_;
  GrpcServerMetrics::MethodSeries& series_;
  const std::chrono::steady_clock::time_point start_;
  bool handled_ = false;
};

class MetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(GrpcServerMetrics& metrics) : metrics_(metrics) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(metrics_,
                                  metrics_.SeriesFor(info->method(), GrpcTypeName(info->type())));
  }

 private:
  GrpcServerMetrics& metrics_;
};

}  // namespace

GrpcServerMetrics::GrpcServerMetrics(prometheus::Registry& registry)
    : started_(MetricRegistrar(registry).CounterFamily(
          "grpc_server_started_total", "Total number of RPCs started on the server.")),
      handled_(MetricRegistrar(registry).CounterFamily(
          "grpc_server_handled_total",
          "Total number of RPCs completed on the server, regardless of success or "
          "failure.")),
      msg_received_(MetricRegistrar(registry).CounterFamily(
          "grpc_server_msg_received_total",
          "Total number of RPC stream messages received on the server.")),
      msg_sent_(MetricRegistrar(registry).CounterFamily(
          "grpc_server_msg_sent_total",
          "Total number of gRPC stream messages sent by the server.")),
      handling_seconds_(MetricRegistrar(registry).HistogramFamily(
          "grpc_server_handling_seconds",
          "Histogram of response latency (seconds) of gRPC that had been "
          "application-level handled by the server.")) {}

GrpcServerMetrics::~GrpcServerMetrics() = default;

GrpcServerMetrics::MethodSeries& GrpcServerMetrics::SeriesFor(std::string_view full_method,
                                                              std::string_view grpc_type) {
  concurrency::MutexLock lock(mu_);
  // Looked up by view: every call asks, so the hit path allocates nothing.
  auto it = series_.find(ToAbsl(full_method));
  if (it != series_.end()) return *it->second;
  std::string key(full_method);

  auto [service, method] = SplitMethod(full_method);
  const prometheus::Labels labels = {
      {"grpc_type", std::string(grpc_type)}, {"grpc_service", service}, {"grpc_method", method}};
  auto series = std::make_unique<MethodSeries>();
  series->started = &started_.Add(labels);
  series->msg_received = &msg_received_.Add(labels);
  series->msg_sent = &msg_sent_.Add(labels);
  series->handling_seconds = &handling_seconds_.Add(labels, DefaultBuckets());
  for (int code = 0; code < kCodeCount; ++code) {
    prometheus::Labels with_code = labels;
    with_code["grpc_code"] = GrpcCodeName(static_cast<grpc::StatusCode>(code));
    series->handled[code] = &handled_.Add(with_code);
  }
  MethodSeries& result = *series;
  series_.emplace(std::move(key), std::move(series));
  return result;
}

bool GrpcServerMetrics::PreRegisterService(std::string_view full_service_name) {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          std::string(full_service_name));
  if (service == nullptr) return false;
  for (int i = 0; i < service->method_count(); ++i) {
    const google::protobuf::MethodDescriptor& method = *service->method(i);
    SeriesFor("/" + service->full_name() + "/" + method.name(), GrpcTypeName(method));
  }
  return true;
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
GrpcServerMetrics::MakeInterceptorFactory() {
  return std::make_unique<MetricsInterceptorFactory>(*this);
}

}  // namespace churn::service
