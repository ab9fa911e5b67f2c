// unary_floor_server: the least a gRPC 1.51 server does for one unary call, as a floor for
// churn-scoring's Score latency on this machine. It serves churn.v1.ScoringService/Score only and
// answers with the request's customer id (no rules, no conversion, no health, reflection,
// interceptor or /metrics), through gRPC's async API on --threads completion-queue threads
// (--api=queue) or through the callback API on gRPC's own callback threads (--api=callback).
// Started by unary_floor_bench:
//
//   unary_floor_server [--grpc_address=127.0.0.1:0] [--port_file=PATH] [--api=queue|callback]
//                      [--threads=N] [--default_health=0|1] [--reflection=0|1]
//
// --default_health adds gRPC's default health service (a callback service: it starts gRPC's
// callback threads), --reflection the reflection service (a sync service), to see what each
// costs the other methods' calls.
//
// Writes "grpc_port=N\nmetrics_port=0\n" to --port_file once it serves; SIGTERM/SIGINT stop it.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_flags.h"
#include "churn/v1/scoring.grpc.pb.h"
#include "common/completion_queue_server.h"
#include "common/unary_completion_queue_method.h"

namespace {

namespace v1 = churn::v1;

constexpr const char* kUsage =
    "usage: unary_floor_server [--grpc_address=HOST:PORT] [--port_file=PATH]\n"
    "                          [--api=queue|callback] [--threads=N]\n"
    "                          [--default_health=0|1] [--reflection=0|1]\n";

struct Flags {
  std::string grpc_address = "127.0.0.1:0";
  std::string port_file;
  std::string api = "queue";
  int threads = 2;
  int default_health = 0;
  int reflection = 0;
};

grpc::Status Echo(const v1::ScoreRequest& request, v1::ScoreResponse* response) {
  response->mutable_assessment()->set_customer_id(request.signals().customer_id());
  return grpc::Status::OK;
}

// --api=callback: Score on gRPC's callback threads; the other methods are never called.
class CallbackScore final : public v1::ScoringService::CallbackService {
 public:
  grpc::ServerUnaryReactor* Score(grpc::CallbackServerContext* context,
                                  const v1::ScoreRequest* request,
                                  v1::ScoreResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(Echo(*request, response));
    return reactor;
  }
};

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  churn::bench::BenchFlags parser("unary_floor_server", kUsage);
  parser.String("grpc_address", &flags.grpc_address);
  parser.String("port_file", &flags.port_file);
  parser.Custom("api", [&flags](const std::string& value) {
    flags.api = value;
    return value == "queue" || value == "callback";
  });
  parser.Int("threads", &flags.threads, 1);
  parser.Int("default_health", &flags.default_health, 0);
  parser.Int("reflection", &flags.reflection, 0);
  if (std::optional<int> exit_code = parser.Parse(argc, argv)) return *exit_code;

  // Before any thread starts, so every thread inherits the mask and sigwait gets the signal.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  v1::ScoringService::AsyncService async_service;  // only Score is ever requested
  CallbackScore callback_service;
  churn::service::CompletionQueueServer queue_server("floor", flags.threads);
  churn::service::UnaryCompletionQueueMethod<v1::ScoreRequest, v1::ScoreResponse> score(
      queue_server,
      [&async_service](grpc::ServerContext* context, v1::ScoreRequest* request,
                       grpc::ServerAsyncResponseWriter<v1::ScoreResponse>* writer,
                       grpc::ServerCompletionQueue* cq, void* tag) {
        async_service.RequestScore(context, request, writer, cq, cq, tag);
      },
      [](grpc::ServerContext&, const v1::ScoreRequest& request, v1::ScoreResponse* response) {
        return Echo(request, response);
      });

  grpc::EnableDefaultHealthCheckService(flags.default_health != 0);
  if (flags.reflection != 0) grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(flags.grpc_address, grpc::InsecureServerCredentials(), &port);
  if (flags.api == "queue") {
    builder.RegisterService(&async_service);
    queue_server.AddTo(builder);
  } else {
    builder.RegisterService(&callback_service);
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::fprintf(stderr, "unary_floor_server: cannot serve on %s\n", flags.grpc_address.c_str());
    queue_server.Stop();
    return 1;
  }
  if (flags.api == "queue") queue_server.Start();
  if (!flags.port_file.empty()) {
    const std::string tmp = flags.port_file + ".tmp";
    std::ofstream(tmp) << "grpc_port=" << port << "\nmetrics_port=0\n";
    std::rename(tmp.c_str(), flags.port_file.c_str());
  }
  int signal_number = 0;
  while (sigwait(&stop_signals, &signal_number) != 0) {
  }
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server->Wait();
  queue_server.Stop();
  return 0;
}
