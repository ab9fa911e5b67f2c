// unary_floor_bench: the open-loop unary Score latency of unary_floor_server (gRPC 1.51 and an
// echo, nothing of churn-scoring), driven exactly as scoring_load_bench's phase 5 drives
// churn-scoring: the floor that the machine's scheduling and gRPC put under Score's latency.
//
//   unary_floor_bench [--server_binary=PATH] [--api=queue|callback] [--threads=N]
//                     [--open_client=queue|callback] [--unary_rate=R] [--seconds=S]
//                     [--warmup=S] [--deadline_ms=MS] [--service_cpus=L --client_cpus=L]
//
// Prints the latency from the scheduled send (p50/p90/p99/p99.9/max), the sender's lag, and
// the CPU and context switches per call of the server and of this client. Exit code 0 when
// every call succeeded, 1 otherwise, 2 on bad flags.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench_flags.h"
#include "churn/v1/scoring.grpc.pb.h"
#include "integration/process.h"
#include "scoring_load/cpu_pinning.h"
#include "scoring_load/open_loop_score.h"
#include "scoring_load/process_stats.h"

#ifndef UNARY_FLOOR_SERVER_BINARY
#define UNARY_FLOOR_SERVER_BINARY ""
#endif

namespace {

namespace v1 = churn::v1;
namespace bench = churn::bench;

constexpr const char* kUsage =
    "usage: unary_floor_bench [--server_binary=PATH] [--api=queue|callback] [--threads=N]\n"
    "                         [--open_client=queue|callback] [--unary_rate=R] [--seconds=S]\n"
    "                         [--warmup=S] [--deadline_ms=MS] [--service_cpus=L --client_cpus=L]\n"
    "                         [--default_health=0|1] [--reflection=0|1]\n"
    "  --api/--threads: how unary_floor_server answers (completion-queue threads or gRPC's\n"
    "  callback threads); --open_client: who takes the answers here (as scoring_load_bench);\n"
    "  --default_health/--reflection: add gRPC's default health service (a callback service)\n"
    "  or the reflection service (a sync service) to the server, never called.\n";

struct Flags {
  std::string server_binary = UNARY_FLOOR_SERVER_BINARY;
  std::string api = "queue";
  int threads = 2;
  std::string open_client = "queue";
  double unary_rate = 5000;
  double seconds = 5;
  double warmup = 2;
  int deadline_ms = 5000;
  std::string service_cpus;
  std::string client_cpus;
  int default_health = 0;
  int reflection = 0;
};

std::string Ms(double us) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, us >= 1000 ? "%.2f ms" : "%.0f us",
                us >= 1000 ? us / 1000 : us);
  return buffer;
}

std::string PerCall(std::optional<double> total, int64_t calls, double scale) {
  if (!total || calls <= 0) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", scale * *total / static_cast<double>(calls));
  return buffer;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  bench::BenchFlags parser("unary_floor_bench", kUsage);
  parser.String("server_binary", &flags.server_binary);
  auto one_of = [](std::string* out, const std::string& a, const std::string& b) {
    return [out, a, b](const std::string& value) {
      *out = value;
      return value == a || value == b;
    };
  };
  parser.Custom("api", one_of(&flags.api, "queue", "callback"));
  parser.Int("threads", &flags.threads, 1);
  parser.Int("default_health", &flags.default_health, 0);
  parser.Int("reflection", &flags.reflection, 0);
  parser.Custom("open_client", one_of(&flags.open_client, "queue", "callback"));
  parser.Double("unary_rate", &flags.unary_rate, 0, /*inclusive_min=*/false);
  parser.Double("seconds", &flags.seconds, 0, /*inclusive_min=*/false);
  parser.Double("warmup", &flags.warmup, 0, /*inclusive_min=*/true);
  parser.Int("deadline_ms", &flags.deadline_ms, 1);
  auto cpus = [](std::string* out) {
    return [out](const std::string& value) {
      cpu_set_t set;
      *out = value;
      return bench::ParseCpuList(value, &set);
    };
  };
  parser.Custom("service_cpus", cpus(&flags.service_cpus));
  parser.Custom("client_cpus", cpus(&flags.client_cpus));
  if (std::optional<int> exit_code = parser.Parse(argc, argv)) return *exit_code;

  // The child inherits this thread's CPUs at the spawn.
  if (!flags.service_cpus.empty()) {
    if (absl::Status pinned = bench::PinProcess(0, flags.service_cpus); !pinned.ok()) {
      std::fprintf(stderr, "unary_floor_bench: %s\n", pinned.ToString().c_str());
      return 1;
    }
  }
  auto server = churn::testing::ServiceProcess::Start(
      flags.server_binary, {"--grpc_address=127.0.0.1:0", "--api=" + flags.api,
                            absl::StrCat("--threads=", flags.threads),
                            absl::StrCat("--default_health=", flags.default_health),
                            absl::StrCat("--reflection=", flags.reflection)});
  if (!server.ok()) {
    std::fprintf(stderr, "unary_floor_bench: %s\n", server.status().ToString().c_str());
    return 1;
  }
  if (!flags.client_cpus.empty() || !flags.service_cpus.empty()) {
    const std::string all = absl::StrCat("0-", std::thread::hardware_concurrency() - 1);
    if (absl::Status pinned =
            bench::PinProcess(0, flags.client_cpus.empty() ? all : flags.client_cpus);
        !pinned.ok()) {
      std::fprintf(stderr, "unary_floor_bench: %s\n", pinned.ToString().c_str());
      return 1;
    }
  }
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateChannel((*server)->grpc_target(), grpc::InsecureChannelCredentials());
  if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5))) {
    std::fprintf(stderr, "unary_floor_bench: cannot connect to %s\n",
                 (*server)->grpc_target().c_str());
    return 1;
  }
  std::unique_ptr<v1::ScoringService::Stub> stub = v1::ScoringService::NewStub(channel);

  // Requests of about the size of scoring_load_bench's (one customer's signals).
  std::vector<v1::ScoreRequest> requests(1000);
  for (size_t n = 0; n < requests.size(); ++n) {
    v1::CustomerSignals* s = requests[n].mutable_signals();
    s->set_customer_id(absl::StrCat("S-", n));
    s->set_account_id(absl::StrCat("A-", n / 3));
    s->set_account_name(absl::StrCat("Account ", n / 3));
    s->set_industry("Software");
    s->set_country("DE");
    s->set_plan_tier("Pro");
    s->set_arr(12000);
    s->set_usage_30d(400);
    s->set_usage_prev30d(1000);
    s->set_usage_drop_pct(0.6);
    s->set_tickets_30d(3);
  }

  std::optional<bench::ScoreQueueClient> queue_client;
  bench::StartScore start_score = bench::CallbackStartScore(*stub);
  if (flags.open_client == "queue") {
    queue_client.emplace(*stub);
    start_score = queue_client->AsStartScore();
  }
  const bench::OpenLoopResult o =
      bench::RunOpenLoopScore(start_score, requests, flags.unary_rate, flags.warmup, flags.seconds,
                              std::chrono::milliseconds(flags.deadline_ms), (*server)->pid());
  queue_client.reset();

  auto at = [](const std::vector<double>& values, double p) {
    return Ms(bench::PercentileOf(values, p));
  };
  auto per_call_count = [&o](std::optional<int64_t> count) {
    return PerCall(count ? std::optional<double>(static_cast<double>(*count)) : std::nullopt,
                   o.completed, 1);
  };
  std::printf(
      "unary floor (server --api=%s --threads=%d, client %s) at %.0f calls/s: %lld sent, %lld "
      "answered, %lld errors\n"
      "  latency from the scheduled send: p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n"
      "  sender lag: p50 %s  p99 %s  max %s\n"
      "  server %s us CPU and %s context switches per call (%s voluntary); client %s context "
      "switches per call (%s voluntary); load average %s\n",
      flags.api.c_str(), flags.threads, flags.open_client.c_str(), o.rate,
      static_cast<long long>(o.scheduled), static_cast<long long>(o.completed),
      static_cast<long long>(o.errors), at(o.latencies_us, 50).c_str(),
      at(o.latencies_us, 90).c_str(), at(o.latencies_us, 99).c_str(),
      at(o.latencies_us, 99.9).c_str(), at(o.latencies_us, 100).c_str(),
      at(o.send_lags_us, 50).c_str(), at(o.send_lags_us, 99).c_str(),
      at(o.send_lags_us, 100).c_str(), PerCall(o.server_cpu, o.completed, 1e6).c_str(),
      per_call_count(o.server_switches).c_str(),
      per_call_count(o.server_voluntary_switches).c_str(),
      per_call_count(o.client_switches).c_str(),
      per_call_count(o.client_voluntary_switches).c_str(), bench::LoadAverage().c_str());
  if (o.errors > 0) std::printf("  first error: %s\n", o.first_error.c_str());
  absl::StatusOr<int> exit_code = (*server)->Terminate(std::chrono::seconds(10));
  return o.errors == 0 && exit_code.value_or(-1) == 0 ? 0 : 1;
}
