// ScoringService under concurrent load: ScoreBatch throughput (customers/s) and unary Score
// latency, measured against the real churn-scoring binary on this machine, next to the
// in-process cost of the rules in the same run.
//
//   scoring_load_bench [--scoring_binary=PATH] [--target=HOST:PORT] [--seconds=N] [--threads=K]
//                      [--batch=B] [--warmup=S] [--batch_threads=K] [--unary_threads=K]
//                      [--customers=N] [--deadline_ms=MS] [--unary_rate=R]
//                      [--phases=inprocess,batch,unary,open] [--service_cpus=L --client_cpus=L]
//                      [--open_client=queue|callback]
//
// Without --target it starts churn-scoring (default: the binary built next to this one) on
// 127.0.0.1:0 with the built-in rules and stops it with SIGTERM at the end. With --target it
// loads a running service instead. Phases (each --warmup seconds of warm-up, then --seconds of
// measurement; a call counts when it completes inside the measurement window):
//
//   1a in-process ScoreCustomer over the same signals, one thread: the floor cost of the rules.
//   1b in-process server work per batch, one thread: parse the ScoreBatchRequest bytes,
//      validate + convert every customer, score, fill the response and serialise it. What the
//      service does per call minus gRPC transport.
//   1c in-process ScoreCustomerCompact, one thread: the rules without writing any text.
//   1d 1b in the compact form (request and response on one arena, as the service does).
//   2  ScoreBatch, one client thread, batches of --batch over one channel.
//   3  ScoreBatch, --batch_threads client threads (default 4) over one shared channel.
//   2c, 3c  the same in the compact form (response_form COMPACT, texts already held).
//   3e 3c, and every answer expanded to the full-text form here (CompactResponseExpander).
//   4a unary Score, --unary_threads threads (default 8) in a closed loop, one shared channel.
//   4b the same with one channel (and TCP connection) per thread.
//   5  unary Score in an open loop: --unary_rate calls/s (default 5000) sent on a fixed
//      schedule over one shared channel; latency from the scheduled send (queueing counts),
//      p50/p90/p99/p99.9, beside the latency from the actual send and the sender's lag.
//      --open_client=queue (default): the answers are taken from a completion queue by one
//      thread of the bench's own; callback: by gRPC's callback threads (two, handing polling
//      to each other on every wake-up).
//
// --phases runs only some groups: inprocess (1a-1d), batch (2, 3, 2c, 3c, 3e), unary (4a, 4b),
// open (5). --service_cpus and --client_cpus (e.g. 0 and 1) pin the started service and this
// process, every thread, to separate CPUs, so the client's threads stop preempting the
// service's (and the other way round).
//
// Latencies are per call (a batch for 1b/2/3, one customer for 4), all of them kept and sorted.
// Every RPC has a deadline (--deadline_ms, default 5000). Errors of any phase, including
// warm-up, are counted and must be 0; before phase 2 every prepared batch is scored once over
// gRPC and compared with the in-process result, and once more in the compact form, expanded
// here and compared message for message with the full-text answer. Client and service CPU are
// reported per phase (service CPU only when this process started it): the client shares the cores
// with the service, so the figures are for the whole machine, not the service alone. The
// service's CPU per call (svcus/c) and context switches per call (svcsw/c, every thread's from
// /proc/<pid>/task/*/status) are steadier than the latencies on a shared machine. Exit code: 0
// when every call succeeded and the results matched, 1 otherwise, 2 on bad flags.
#include <google/protobuf/util/message_differencer.h>
#include <grpcpp/grpcpp.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench_flags.h"
#include "scoring_load/cpu_pinning.h"
#include "churn/v1/scoring.grpc.pb.h"
#include "churn/v1/scoring.pb.h"
#include "convert/assessment_convert.h"
#include "convert/compact_assessment_convert.h"
#include "convert/compact_response_expander.h"
#include "convert/signals_convert.h"
#include "integration/process.h"
#include "integration/service_probe.h"
#include "scoring_load/open_loop_score.h"
#include "scoring_load/process_stats.h"
#include "scoring/compact_assessment.h"
#include "scoring/engine.h"
#include "scoring/rule_set.h"
#include "signals/customer_signals.h"

#ifndef CHURN_SCORING_BINARY
#define CHURN_SCORING_BINARY ""
#endif

namespace {

namespace v1 = churn::v1;
using churn::bench::CallbackStartScore;
using churn::bench::LoadAverage;
using churn::bench::OpenLoopResult;
using churn::bench::ParseCpuList;
using churn::bench::PercentileOf;
using churn::bench::PinProcess;
using churn::bench::ProcessContextSwitches;
using churn::bench::ProcessCpuSeconds;
using churn::bench::RunOpenLoopScore;
using churn::bench::ScoreQueueClient;
using churn::bench::SelfCpuSeconds;
using churn::bench::StartScore;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------------
// Flags

struct Flags {
  std::string scoring_binary = CHURN_SCORING_BINARY;
  std::string target;  // empty: start churn-scoring
  double seconds = 5;
  double warmup = 1;
  int batch_threads = 4;
  int unary_threads = 8;
  int batch = 1000;
  int customers = 10000;
  int deadline_ms = 5000;
  double unary_rate = 5000;  // calls/s of the open-loop unary phase
  std::string phases = "inprocess,batch,unary,open";
  std::string service_cpus;  // empty: not pinned
  std::string client_cpus;   // empty: not pinned
  std::string open_client = "queue";  // who takes phase 5's answers: queue or callback
};

constexpr const char* kUsage =
    "usage: scoring_load_bench [--scoring_binary=PATH] [--target=HOST:PORT] [--seconds=N]\n"
    "                          [--threads=K] [--batch=B] [--warmup=S] [--batch_threads=K]\n"
    "                          [--unary_threads=K] [--customers=N] [--deadline_ms=MS]\n"
    "                          [--unary_rate=R]\n"
    "                          [--phases=inprocess,batch,unary,open]\n"
    "                          [--service_cpus=LIST] [--client_cpus=LIST]\n"
    "                          [--open_client=queue|callback]\n"
    "  --threads sets both --batch_threads (default 4) and --unary_threads (default 8).\n"
    "  --phases picks the groups to run: inprocess (1a-1d), batch (2, 3, 2c, 3c, 3e),\n"
    "  unary (4a, 4b), open (5); default all.\n"
    "  --service_cpus / --client_cpus pin the started churn-scoring and this bench (every\n"
    "  thread, sched_setaffinity) to CPUs such as 0, 1, 0-1 or 0,2-3.\n"
    "  --open_client: phase 5's answers taken by one thread from a completion queue (queue,\n"
    "  default) or by gRPC's callback threads (callback).\n";

// std::nullopt to run, else the exit code (BenchFlags::Parse).
std::optional<int> ParseFlags(int argc, char** argv, Flags* flags) {
  churn::bench::BenchFlags parser("scoring_load_bench", kUsage);
  parser.String("scoring_binary", &flags->scoring_binary);
  parser.String("target", &flags->target);
  parser.Double("seconds", &flags->seconds, 0, /*inclusive_min=*/false);
  parser.Double("warmup", &flags->warmup, 0, /*inclusive_min=*/true);
  parser.Custom("threads", [flags](const std::string& value) {
    if (!absl::SimpleAtoi(value, &flags->batch_threads) || flags->batch_threads <= 0) return false;
    flags->unary_threads = flags->batch_threads;
    return true;
  });
  parser.Int("batch_threads", &flags->batch_threads, 1);
  parser.Int("unary_threads", &flags->unary_threads, 1);
  parser.Int("batch", &flags->batch, 1);
  parser.Int("customers", &flags->customers, 1);
  parser.Int("deadline_ms", &flags->deadline_ms, 1);
  parser.Double("unary_rate", &flags->unary_rate, 0, /*inclusive_min=*/false);
  parser.Custom("phases", [flags](const std::string& value) {
    for (const std::string& phase : std::vector<std::string>(absl::StrSplit(value, ','))) {
      if (phase != "inprocess" && phase != "batch" && phase != "unary" && phase != "open") {
        return false;
      }
    }
    flags->phases = value;
    return true;
  });
  parser.Custom("service_cpus", [flags](const std::string& value) {
    cpu_set_t set;
    flags->service_cpus = value;
    return ParseCpuList(value, &set);
  });
  parser.Custom("client_cpus", [flags](const std::string& value) {
    cpu_set_t set;
    flags->client_cpus = value;
    return ParseCpuList(value, &set);
  });
  parser.Custom("open_client", [flags](const std::string& value) {
    flags->open_client = value;
    return value == "queue" || value == "callback";
  });
  return parser.Parse(argc, argv);
}

// ---------------------------------------------------------------------------------------------
// Deterministic synthetic signals

uint64_t SplitMix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  double Uniform() { return static_cast<double>(SplitMix64(&state_) >> 11) * 0x1.0p-53; }
  int64_t Between(int64_t lo, int64_t hi) {  // inclusive
    return lo + static_cast<int64_t>(SplitMix64(&state_) % static_cast<uint64_t>(hi - lo + 1));
  }
  bool Chance(double p) { return Uniform() < p; }

 private:
  uint64_t state_;
};

// Customer n: the same values on every run. The mix is chosen so every rule and tier fires for
// some customers and all three risk levels occur.
v1::CustomerSignals SyntheticSignals(int64_t n) {
  static const char* const kIndustries[] = {"Software", "Retail", "Healthcare", "Finance",
                                            "Education"};
  static const char* const kCountries[] = {"US", "DE", "GB", "FR", "JP"};
  static const char* const kPlans[] = {"Basic", "Pro", "Enterprise"};
  Rng rng(0xC0FFEEULL * 1000003ULL + static_cast<uint64_t>(n));
  v1::CustomerSignals s;
  s.set_customer_id(absl::StrCat("S-", n));
  s.set_account_id(absl::StrCat("A-", n / 3));
  s.set_account_name(absl::StrCat("Account ", n / 3));
  s.set_industry(kIndustries[rng.Between(0, 4)]);
  s.set_country(kCountries[rng.Between(0, 4)]);
  s.set_plan_tier(kPlans[rng.Between(0, 2)]);
  s.set_arr(static_cast<double>(rng.Between(10, 990) * 100));
  s.set_churned(rng.Chance(0.05));

  const double u = rng.Uniform();
  double drop = 0;
  if (u < 0.45) {
    drop = rng.Uniform() * 0.19;
  } else if (u < 0.65) {
    drop = 0.20 + rng.Uniform() * 0.19;
  } else if (u < 0.82) {
    drop = 0.40 + rng.Uniform() * 0.19;
  } else {
    drop = 0.60 + rng.Uniform() * 0.35;
  }
  const int64_t prev = rng.Between(100, 10000);
  s.set_usage_prev30d(prev);
  s.set_usage_30d(static_cast<int64_t>(std::llround(static_cast<double>(prev) * (1 - drop))));
  s.set_usage_drop_pct(drop);

  const double e = rng.Uniform();
  s.set_errors_30d(e < 0.6 ? rng.Between(0, 2) : e < 0.85 ? rng.Between(3, 9) : rng.Between(10, 30));

  const double t = rng.Uniform();
  const int64_t tickets =
      t < 0.45 ? 0 : t < 0.75 ? rng.Between(1, 2) : t < 0.92 ? rng.Between(3, 5) : rng.Between(6, 12);
  s.set_tickets_30d(tickets);
  if (tickets > 0) {
    s.set_satisfaction_score(static_cast<double>(rng.Between(10, 50)) / 10.0);
    s.set_avg_first_response_min(static_cast<double>(rng.Between(5, 600)));
    s.set_avg_resolution_hours(static_cast<double>(rng.Between(1, 200)) / 2.0);
    s.set_escalation_flag(rng.Chance(0.25));
    s.set_churn_intent_30d(rng.Chance(0.3) ? rng.Between(1, 2) : 0);
  }
  s.set_downgrade_flag(rng.Chance(0.08));
  s.set_is_trial(rng.Chance(0.10));
  return s;
}

// ---------------------------------------------------------------------------------------------
// The closed-loop driver

// One call of a worker: the customers it handled, or -1 (and *error set) on failure.
using Worker = std::function<int64_t(uint64_t iteration, std::string* error)>;
using WorkerFactory = std::function<Worker(int thread)>;

struct PhaseResult {
  std::string name;
  int threads = 0;
  double elapsed = 0;          // measurement window, seconds
  int64_t calls = 0;           // completed inside the window
  int64_t customers = 0;       // ditto
  int64_t errors = 0;          // during warm-up and measurement
  std::string first_error;
  std::vector<double> latencies_us;  // sorted, calls inside the window
  double client_cpu = 0;             // seconds during the window
  std::optional<double> server_cpu;  // ditto
  std::optional<int64_t> server_switches;  // the service's context switches, ditto

  double CallsPerSecond() const { return elapsed > 0 ? static_cast<double>(calls) / elapsed : 0; }
  double CustomersPerSecond() const {
    return elapsed > 0 ? static_cast<double>(customers) / elapsed : 0;
  }
  // Nearest rank.
  double Percentile(double p) const {
    if (latencies_us.empty()) return 0;
    size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(latencies_us.size())));
    rank = std::clamp<size_t>(rank, 1, latencies_us.size());
    return latencies_us[rank - 1];
  }
};

PhaseResult RunPhase(const std::string& name, int threads, double warmup, double seconds,
                     pid_t server_pid, const WorkerFactory& factory) {
  PhaseResult result;
  result.name = name;
  result.threads = threads;

  std::vector<Worker> workers;
  for (int t = 0; t < threads; ++t) workers.push_back(factory(t));

  const auto start = Clock::now() + std::chrono::milliseconds(20);
  const auto measure_start =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(warmup));
  const auto measure_end = measure_start + std::chrono::duration_cast<Clock::duration>(
                                               std::chrono::duration<double>(seconds));

  struct PerThread {
    int64_t calls = 0, customers = 0, errors = 0;
    std::string first_error;
    std::vector<double> latencies_us;
  };
  std::vector<PerThread> per_thread(threads);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      PerThread& mine = per_thread[t];
      mine.latencies_us.reserve(1 << 16);
      std::this_thread::sleep_until(start);
      std::string error;
      for (uint64_t iteration = 0;; ++iteration) {
        const auto call_start = Clock::now();
        if (call_start >= measure_end) break;
        const int64_t handled = workers[t](iteration, &error);
        const auto call_end = Clock::now();
        if (handled < 0) {
          if (mine.errors++ == 0) mine.first_error = error;
          continue;
        }
        if (call_end >= measure_start && call_end <= measure_end) {
          ++mine.calls;
          mine.customers += handled;
          mine.latencies_us.push_back(
              std::chrono::duration<double, std::micro>(call_end - call_start).count());
        }
      }
    });
  }
  // The main thread only takes the CPU readings at the window edges.
  std::this_thread::sleep_until(measure_start);
  const double client_cpu_start = SelfCpuSeconds();
  const std::optional<double> server_cpu_start = ProcessCpuSeconds(server_pid);
  const std::optional<int64_t> switches_start = ProcessContextSwitches(server_pid);
  std::this_thread::sleep_until(measure_end);
  const double client_cpu_end = SelfCpuSeconds();
  const std::optional<double> server_cpu_end = ProcessCpuSeconds(server_pid);
  const std::optional<int64_t> switches_end = ProcessContextSwitches(server_pid);
  for (std::thread& thread : pool) thread.join();

  result.elapsed = seconds;
  result.client_cpu = client_cpu_end - client_cpu_start;
  if (server_cpu_start && server_cpu_end) result.server_cpu = *server_cpu_end - *server_cpu_start;
  if (switches_start && switches_end) result.server_switches = *switches_end - *switches_start;
  for (PerThread& mine : per_thread) {
    result.calls += mine.calls;
    result.customers += mine.customers;
    result.errors += mine.errors;
    if (result.first_error.empty()) result.first_error = mine.first_error;
    result.latencies_us.insert(result.latencies_us.end(), mine.latencies_us.begin(),
                               mine.latencies_us.end());
  }
  std::sort(result.latencies_us.begin(), result.latencies_us.end());
  return result;
}

std::string FormatLatency(double us) {
  char buffer[32];
  if (us >= 10000) {
    std::snprintf(buffer, sizeof buffer, "%.1f ms", us / 1000);
  } else if (us >= 1000) {
    std::snprintf(buffer, sizeof buffer, "%.2f ms", us / 1000);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.0f us", us);
  }
  return buffer;
}

std::string FormatRate(double per_second) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.0f", per_second);
  return buffer;
}

std::string FormatCpu(std::optional<double> cpu_seconds, double window) {
  if (!cpu_seconds || window <= 0) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.0f%%", 100.0 * *cpu_seconds / window);
  return buffer;
}

// The service's CPU per call in microseconds: with the machine shared, a steadier figure than
// the latencies.
std::string FormatCpuPerCall(std::optional<double> cpu_seconds, int64_t calls) {
  if (!cpu_seconds || calls <= 0) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.0f", 1e6 * *cpu_seconds / static_cast<double>(calls));
  return buffer;
}

std::string FormatPerCall(std::optional<int64_t> count, int64_t calls) {
  if (!count || calls <= 0) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f",
                static_cast<double>(*count) / static_cast<double>(calls));
  return buffer;
}

void PrintTable(const std::vector<PhaseResult>& phases) {
  std::printf("\n%-44s %4s %9s %11s %9s %9s %9s %9s %6s %6s %6s %8s %7s\n", "phase", "thr",
              "calls/s", "customers/s", "p50", "p90", "p99", "max", "errors", "cliCPU", "svcCPU",
              "svcus/c", "svcsw/c");
  for (const PhaseResult& p : phases) {
    std::printf("%-44s %4d %9s %11s %9s %9s %9s %9s %6lld %6s %6s %8s %7s\n", p.name.c_str(),
                p.threads, FormatRate(p.CallsPerSecond()).c_str(),
                FormatRate(p.CustomersPerSecond()).c_str(), FormatLatency(p.Percentile(50)).c_str(),
                FormatLatency(p.Percentile(90)).c_str(), FormatLatency(p.Percentile(99)).c_str(),
                FormatLatency(p.latencies_us.empty() ? 0 : p.latencies_us.back()).c_str(),
                static_cast<long long>(p.errors), FormatCpu(p.client_cpu, p.elapsed).c_str(),
                FormatCpu(p.server_cpu, p.elapsed).c_str(),
                FormatCpuPerCall(p.server_cpu, p.calls).c_str(),
                FormatPerCall(p.server_switches, p.calls).c_str());
  }
  for (const PhaseResult& p : phases) {
    if (p.errors > 0) {
      std::printf("  %s: %lld errors, first: %s\n", p.name.c_str(),
                  static_cast<long long>(p.errors), p.first_error.c_str());
    }
  }
}

// ---------------------------------------------------------------------------------------------
// gRPC helpers

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target, bool own_connection) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  // Channels with equal arguments share one subchannel (one TCP connection) through the global
  // pool; a local pool gives this channel a connection of its own.
  if (own_connection) args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

std::string StatusText(const grpc::Status& status) {
  return absl::StrCat("code ", static_cast<int>(status.error_code()), ": ",
                      status.error_message());
}

bool SameAssessment(const v1::RiskAssessment& a, const v1::RiskAssessment& b) {
  return a.customer_id() == b.customer_id() && a.risk_score() == b.risk_score() &&
         a.risk_level() == b.risk_level() && a.top_reasons() == b.top_reasons() &&
         a.recommended_actions() == b.recommended_actions() &&
         a.fired_rules_size() == b.fired_rules_size();
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (std::optional<int> exit_code = ParseFlags(argc, argv, &flags)) return *exit_code;
  const auto deadline = std::chrono::milliseconds(flags.deadline_ms);
  auto call_deadline = [&] { return std::chrono::system_clock::now() + deadline; };

  // --- the service ---
  std::unique_ptr<churn::testing::ServiceProcess> process;
  std::string target = flags.target;
  if (!flags.target.empty() && !flags.service_cpus.empty()) {
    std::fprintf(stderr,
                 "scoring_load_bench: --service_cpus needs the bench to start the service "
                 "(no --target)\n");
    return 2;
  }
  // The child inherits this thread's CPUs at the spawn; its threads inherit them from it.
  if (!flags.service_cpus.empty()) {
    if (absl::Status pinned = PinProcess(0, flags.service_cpus); !pinned.ok()) {
      std::fprintf(stderr, "scoring_load_bench: %s\n", pinned.ToString().c_str());
      return 1;
    }
  }
  if (target.empty()) {
    if (flags.scoring_binary.empty()) {
      std::fprintf(stderr, "scoring_load_bench: --scoring_binary or --target is required\n");
      return 2;
    }
    churn::testing::ServiceProcess::Options options;
    options.args = {"--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
                    "--rules_file=",  // the built-in rules (config/scoring.yaml at build time)
                    absl::StrCat("--max_batch=", std::max(10000, flags.batch)),
                    "--log_level=warn"};
    auto started = churn::testing::ServiceProcess::Start(flags.scoring_binary, std::move(options));
    if (!started.ok()) {
      std::fprintf(stderr, "scoring_load_bench: %s\n", started.status().ToString().c_str());
      return 1;
    }
    process = *std::move(started);
    target = process->grpc_target();
  }
  // The bench's own threads (and gRPC's, started from them) on the client's CPUs; unpinned again
  // when only the service is pinned.
  if (!flags.client_cpus.empty() || !flags.service_cpus.empty()) {
    const std::string all = absl::StrCat("0-", std::thread::hardware_concurrency() - 1);
    const std::string client = flags.client_cpus.empty() ? all : flags.client_cpus;
    if (absl::Status pinned = PinProcess(0, client); !pinned.ok()) {
      std::fprintf(stderr, "scoring_load_bench: %s\n", pinned.ToString().c_str());
      return 1;
    }
  }
  const std::vector<std::string> wanted_phases = absl::StrSplit(flags.phases, ',');
  auto wants = [&wanted_phases](std::string_view group) {
    for (const std::string& phase : wanted_phases) {
      if (phase == group) return true;
    }
    return false;
  };
  if (absl::Status serving = churn::testing::WaitForServing(target); !serving.ok()) {
    std::fprintf(stderr, "scoring_load_bench: %s not serving: %s\n", target.c_str(),
                 serving.ToString().c_str());
    return 1;
  }
  const pid_t server_pid = process ? process->pid() : -1;

  std::shared_ptr<grpc::Channel> shared_channel = MakeChannel(target, false);
  if (!shared_channel->WaitForConnected(call_deadline())) {
    std::fprintf(stderr, "scoring_load_bench: cannot connect to %s\n", target.c_str());
    return 1;
  }
  std::unique_ptr<v1::ScoringService::Stub> shared_stub =
      v1::ScoringService::NewStub(shared_channel);

  // The rules in force, parsed here too so the in-process baseline uses exactly the same rules.
  v1::GetRulesResponse rules_response;
  {
    grpc::ClientContext context;
    context.set_deadline(call_deadline());
    grpc::Status status = shared_stub->GetRules(&context, v1::GetRulesRequest(), &rules_response);
    if (!status.ok()) {
      std::fprintf(stderr, "scoring_load_bench: GetRules: %s\n", StatusText(status).c_str());
      return 1;
    }
  }
  absl::StatusOr<churn::scoring::RuleSet> parsed_rules =
      churn::scoring::ParseRuleSet(rules_response.yaml(), "GetRules");
  if (!parsed_rules.ok()) {
    std::fprintf(stderr, "scoring_load_bench: rules from GetRules: %s\n",
                 parsed_rules.status().ToString().c_str());
    return 1;
  }
  const churn::scoring::RuleSet rules = *std::move(parsed_rules);

  // --- the signals: a pool of customers, the prepared batches and unary requests ---
  const int batch = flags.batch;
  const int pool_size = std::max(flags.customers, batch);
  std::vector<v1::CustomerSignals> pool_protos;
  std::vector<churn::CustomerSignals> pool_signals;
  pool_protos.reserve(pool_size);
  pool_signals.reserve(pool_size);
  for (int n = 0; n < pool_size; ++n) {
    pool_protos.push_back(SyntheticSignals(n));
    absl::StatusOr<churn::CustomerSignals> converted =
        churn::convert::FromProto(pool_protos.back(), "signals");
    if (!converted.ok()) {
      std::fprintf(stderr, "scoring_load_bench: synthetic customer %d invalid: %s\n", n,
                   converted.status().ToString().c_str());
      return 1;
    }
    pool_signals.push_back(*std::move(converted));
  }
  // Up to 8 distinct batches (more when the pool allows), each a slice of the pool.
  const int batch_count = std::clamp(pool_size / batch, 1, 8);
  std::vector<v1::ScoreBatchRequest> batch_requests(batch_count);
  std::vector<std::string> batch_request_bytes(batch_count);
  std::vector<std::vector<int>> batch_indices(batch_count);
  for (int b = 0; b < batch_count; ++b) {
    for (int j = 0; j < batch; ++j) {
      const int index = static_cast<int>((static_cast<int64_t>(b) * batch + j) % pool_size);
      batch_indices[b].push_back(index);
      *batch_requests[b].add_customers() = pool_protos[index];
    }
    batch_requests[b].SerializeToString(&batch_request_bytes[b]);
  }
  std::vector<v1::ScoreRequest> unary_requests(pool_size);
  for (int n = 0; n < pool_size; ++n) *unary_requests[n].mutable_signals() = pool_protos[n];

  // What the pool looks like under these rules.
  int64_t levels[3] = {0, 0, 0};
  int64_t fired_total = 0;
  std::vector<std::string> fired_kinds;
  for (const churn::CustomerSignals& signals : pool_signals) {
    churn::scoring::Assessment assessment = churn::scoring::ScoreCustomer(rules, signals);
    ++levels[static_cast<int>(assessment.risk_level)];
    fired_total += static_cast<int64_t>(assessment.fired_rules.size());
    for (const churn::scoring::FiredRule& fired : assessment.fired_rules) {
      std::string kind = fired.rule.str() + "/" + fired.tier.str();
      if (std::find(fired_kinds.begin(), fired_kinds.end(), kind) == fired_kinds.end()) {
        fired_kinds.push_back(kind);
      }
    }
  }

  std::printf("scoring_load_bench\n");
  std::printf("  target       %s (%s)\n", target.c_str(),
              process ? absl::StrCat("started ", flags.scoring_binary, ", pid ", process->pid())
                            .c_str()
                      : "given by --target");
  std::printf("  machine      %u hardware threads, load average %s\n",
              std::thread::hardware_concurrency(), LoadAverage().c_str());
  std::printf("  rules        version %d, %d rules, source %s, sha256 %.12s\n",
              rules_response.rules().version(), rules_response.rules().rule_count(),
              rules_response.rules().source().c_str(), rules_response.rules().sha256().c_str());
  std::printf("  customers    %d synthetic (S-0..S-%d): Low %lld / Medium %lld / High %lld, "
              "%.2f rules fired per customer, %zu distinct rule/tier fired\n",
              pool_size, pool_size - 1, static_cast<long long>(levels[0]),
              static_cast<long long>(levels[1]), static_cast<long long>(levels[2]),
              static_cast<double>(fired_total) / pool_size, fired_kinds.size());
  std::printf("  batches      %d prepared ScoreBatch requests of %d customers (%zu bytes each)\n",
              batch_count, batch, batch_request_bytes[0].size());
  std::printf("  timing       %.1f s warm-up + %.1f s measured per phase, deadline %d ms per RPC\n",
              flags.warmup, flags.seconds, flags.deadline_ms);
  std::printf("  cpus         service %s, client %s; phases %s\n",
              flags.service_cpus.empty() ? "unpinned" : flags.service_cpus.c_str(),
              flags.client_cpus.empty() ? "unpinned" : flags.client_cpus.c_str(),
              flags.phases.c_str());
  std::fflush(stdout);

  std::vector<PhaseResult> phases;
  std::atomic<int64_t> sink{0};

  // --- 1a: in-process ScoreCustomer ---
  if (wants("inprocess")) {
    phases.push_back(RunPhase(
        "1a in-process ScoreCustomer", 1, flags.warmup, flags.seconds, server_pid,
        [&](int) -> Worker {
          return [&](uint64_t iteration, std::string*) -> int64_t {
            const std::vector<int>& indices = batch_indices[iteration % batch_count];
            int64_t local = 0;
            for (int index : indices) {
              local += churn::scoring::ScoreCustomer(rules, pool_signals[index]).risk_score;
            }
            sink.fetch_add(local, std::memory_order_relaxed);
            return static_cast<int64_t>(indices.size());
          };
        }));

    // --- 1b: in-process server work per batch, bytes to bytes ---
    phases.push_back(RunPhase(
        "1b in-process parse+convert+score+serialise", 1, flags.warmup, flags.seconds, server_pid,
        [&](int) -> Worker {
          auto request = std::make_shared<v1::ScoreBatchRequest>();
          auto response = std::make_shared<v1::ScoreBatchResponse>();
          auto out = std::make_shared<std::string>();
          return [&, request, response, out](uint64_t iteration, std::string* error) -> int64_t {
            if (!request->ParseFromString(batch_request_bytes[iteration % batch_count])) {
              *error = "cannot parse the request bytes";
              return -1;
            }
            response->Clear();
            response->mutable_assessments()->Reserve(request->customers_size());
            int64_t counts[3] = {0, 0, 0};
            for (int i = 0; i < request->customers_size(); ++i) {
              absl::StatusOr<churn::CustomerSignals> signals = churn::convert::FromProto(
                  request->customers(i), absl::StrCat("customers[", i, "]"));
              if (!signals.ok()) {
                *error = signals.status().ToString();
                return -1;
              }
              churn::scoring::Assessment assessment =
                  churn::scoring::ScoreCustomer(rules, *signals);
              ++counts[static_cast<int>(assessment.risk_level)];
              churn::convert::ToProto(assessment, response->add_assessments());
            }
            response->mutable_level_counts()->set_low(counts[0]);
            response->mutable_level_counts()->set_medium(counts[1]);
            response->mutable_level_counts()->set_high(counts[2]);
            response->SerializeToString(out.get());
            return request->customers_size();
          };
        }));

    // --- 1c: in-process ScoreCustomerCompact: the rules without writing any text ---
    phases.push_back(RunPhase(
        "1c in-process ScoreCustomerCompact", 1, flags.warmup, flags.seconds, server_pid,
        [&](int) -> Worker {
          return [&](uint64_t iteration, std::string*) -> int64_t {
            const std::vector<int>& indices = batch_indices[iteration % batch_count];
            int64_t local = 0;
            for (int index : indices) {
              local += churn::scoring::ScoreCustomerCompact(rules, pool_signals[index]).risk_score;
            }
            sink.fetch_add(local, std::memory_order_relaxed);
            return static_cast<int64_t>(indices.size());
          };
        }));

    // --- 1d: in-process server work per batch in the compact form, bytes to bytes ---
    const churn::scoring::RulesTexts rules_texts = churn::scoring::BuildRulesTexts(rules);
    phases.push_back(RunPhase(
        "1d in-process compact parse+convert+score+ser.", 1, flags.warmup, flags.seconds,
        server_pid, [&](int) -> Worker {
          auto arena = std::make_shared<google::protobuf::Arena>();
          auto out = std::make_shared<std::string>();
          return [&, arena, out](uint64_t iteration, std::string* error) -> int64_t {
            arena->Reset();
            auto* request =
                google::protobuf::Arena::CreateMessage<v1::ScoreBatchRequest>(arena.get());
            auto* response =
                google::protobuf::Arena::CreateMessage<v1::ScoreBatchResponse>(arena.get());
            if (!request->ParseFromString(batch_request_bytes[iteration % batch_count])) {
              *error = "cannot parse the request bytes";
              return -1;
            }
            int64_t counts[3] = {0, 0, 0};
            v1::CompactAssessments* compact = response->mutable_compact();
            for (int i = 0; i < request->customers_size(); ++i) {
              absl::StatusOr<churn::CustomerSignals> signals =
                  churn::convert::FromProto(request->customers(i), "");
              if (!signals.ok()) {
                *error = signals.status().ToString();
                return -1;
              }
              churn::scoring::CompactAssessment assessment =
                  churn::scoring::ScoreCustomerCompact(rules, *signals);
              ++counts[static_cast<int>(assessment.risk_level)];
              churn::convert::AppendToProto(assessment, rules_texts, compact);
            }
            response->mutable_level_counts()->set_low(counts[0]);
            response->mutable_level_counts()->set_medium(counts[1]);
            response->mutable_level_counts()->set_high(counts[2]);
            response->SerializeToString(out.get());
            return request->customers_size();
          };
        }));
  }

  // --- correctness: every prepared batch once over gRPC against the in-process result ---
  int64_t compared = 0, mismatches = 0;
  int64_t check_errors = 0;
  size_t full_response_bytes = 0;
  for (int b = 0; b < batch_count; ++b) {
    grpc::ClientContext context;
    context.set_deadline(call_deadline());
    v1::ScoreBatchResponse response;
    grpc::Status status = shared_stub->ScoreBatch(&context, batch_requests[b], &response);
    if (!status.ok() || response.assessments_size() != batch) {
      ++check_errors;
      std::printf("  check: batch %d failed: %s (%d assessments)\n", b, StatusText(status).c_str(),
                  response.assessments_size());
      continue;
    }
    for (int j = 0; j < batch; ++j) {
      v1::RiskAssessment expected;
      churn::convert::ToProto(
          churn::scoring::ScoreCustomer(rules, pool_signals[batch_indices[b][j]]), &expected);
      ++compared;
      if (!SameAssessment(expected, response.assessments(j))) ++mismatches;
    }
    full_response_bytes = response.ByteSizeLong();
  }
  std::printf("  check        %lld assessments over gRPC compared with in-process: %lld "
              "mismatches, %lld failed calls\n",
              static_cast<long long>(compared), static_cast<long long>(mismatches),
              static_cast<long long>(check_errors));
  std::fflush(stdout);

  // --- correctness of the compact form: every prepared batch, full and compact over gRPC, the
  // compact one expanded on this side, must be equal message for message ---
  churn::convert::CompactResponseExpander check_expander;
  int64_t compact_compared = 0, compact_mismatches = 0;
  for (int b = 0; b < batch_count; ++b) {
    v1::ScoreBatchResponse full, compact, expanded;
    v1::ScoreBatchRequest request = batch_requests[b];
    check_expander.PrepareRequest(&request);
    grpc::ClientContext full_context, compact_context;
    full_context.set_deadline(call_deadline());
    compact_context.set_deadline(call_deadline());
    grpc::Status full_status = shared_stub->ScoreBatch(&full_context, batch_requests[b], &full);
    grpc::Status compact_status = shared_stub->ScoreBatch(&compact_context, request, &compact);
    if (!full_status.ok() || !compact_status.ok()) {
      ++check_errors;
      std::printf("  check: compact batch %d failed: %s / %s\n", b, StatusText(full_status).c_str(),
                  StatusText(compact_status).c_str());
      continue;
    }
    ++compact_compared;
    absl::Status expand_status = check_expander.Expand(request, compact, &expanded);
    if (!expand_status.ok() ||
        !google::protobuf::util::MessageDifferencer::Equals(full, expanded)) {
      ++compact_mismatches;
      std::printf("  check: compact batch %d differs after expansion: %s\n", b,
                  expand_status.ToString().c_str());
    }
  }
  mismatches += compact_mismatches;
  // The compact requests of the measured phases: the texts are held, so answers carry numbers.
  std::vector<v1::ScoreBatchRequest> compact_requests = batch_requests;
  for (v1::ScoreBatchRequest& request : compact_requests) check_expander.PrepareRequest(&request);
  {
    v1::ScoreBatchResponse sample;
    grpc::ClientContext context;
    context.set_deadline(call_deadline());
    shared_stub->ScoreBatch(&context, compact_requests[0], &sample);
    std::printf(
        "  check        %lld batches full vs compact over gRPC, compact expanded here: %lld "
        "differ; response %zu bytes full, %zu bytes compact (texts held)\n",
        static_cast<long long>(compact_compared), static_cast<long long>(compact_mismatches),
        full_response_bytes, sample.ByteSizeLong());
  }
  std::fflush(stdout);

  // --- 2 and 3: ScoreBatch over one shared channel ---
  auto score_batch_worker = [&](int thread) -> Worker {
    auto response = std::make_shared<v1::ScoreBatchResponse>();
    return [&, thread, response](uint64_t iteration, std::string* error) -> int64_t {
      const int b = static_cast<int>((iteration + static_cast<uint64_t>(thread)) % batch_count);
      const v1::ScoreBatchRequest& request = batch_requests[b];
      grpc::ClientContext context;
      context.set_deadline(call_deadline());
      grpc::Status status = shared_stub->ScoreBatch(&context, request, response.get());
      if (!status.ok()) {
        *error = StatusText(status);
        return -1;
      }
      if (response->assessments_size() != request.customers_size() ||
          response->assessments(0).customer_id() != request.customers(0).customer_id()) {
        *error = absl::StrCat("expected ", request.customers_size(), " assessments in order, got ",
                              response->assessments_size());
        return -1;
      }
      return request.customers_size();
    };
  };
  if (wants("batch")) {
    phases.push_back(RunPhase(absl::StrCat("2  gRPC ScoreBatch x", batch, ", 1 channel"), 1,
                              flags.warmup, flags.seconds, server_pid, score_batch_worker));
    phases.push_back(RunPhase(absl::StrCat("3  gRPC ScoreBatch x", batch, ", 1 shared channel"),
                              flags.batch_threads, flags.warmup, flags.seconds, server_pid,
                              score_batch_worker));
  }

  // --- 2c, 3c: the same in the compact form; 3e also expands every answer to full texts here ---
  auto compact_worker = [&](bool expand) -> WorkerFactory {
    return [&, expand](int thread) -> Worker {
      auto response = std::make_shared<v1::ScoreBatchResponse>();
      auto expanded = std::make_shared<v1::ScoreBatchResponse>();
      auto expander = std::make_shared<churn::convert::CompactResponseExpander>(check_expander);
      return [&, thread, expand, response, expanded, expander](uint64_t iteration,
                                                               std::string* error) -> int64_t {
        const int b = static_cast<int>((iteration + static_cast<uint64_t>(thread)) % batch_count);
        const v1::ScoreBatchRequest& request = compact_requests[b];
        grpc::ClientContext context;
        context.set_deadline(call_deadline());
        grpc::Status status = shared_stub->ScoreBatch(&context, request, response.get());
        if (!status.ok()) {
          *error = StatusText(status);
          return -1;
        }
        if (response->compact().risk_scores_size() != request.customers_size()) {
          *error = absl::StrCat("expected ", request.customers_size(), " compact assessments, got ",
                                response->compact().risk_scores_size());
          return -1;
        }
        if (expand) {
          if (absl::Status expanded_status = expander->Expand(request, *response, expanded.get());
              !expanded_status.ok()) {
            *error = expanded_status.ToString();
            return -1;
          }
        }
        return request.customers_size();
      };
    };
  };
  if (wants("batch")) {
    phases.push_back(RunPhase(absl::StrCat("2c gRPC ScoreBatch x", batch, " compact, 1 channel"), 1,
                              flags.warmup, flags.seconds, server_pid, compact_worker(false)));
    phases.push_back(RunPhase(absl::StrCat("3c gRPC ScoreBatch x", batch, " compact, shared"),
                              flags.batch_threads, flags.warmup, flags.seconds, server_pid,
                              compact_worker(false)));
    phases.push_back(RunPhase(absl::StrCat("3e 3c + expand to full texts here"),
                              flags.batch_threads, flags.warmup, flags.seconds, server_pid,
                              compact_worker(true)));
  }

  // --- 4: unary Score, shared channel and one channel per thread ---
  auto unary_worker = [&](bool own_channel) -> WorkerFactory {
    return [&, own_channel](int thread) -> Worker {
      std::shared_ptr<v1::ScoringService::Stub> stub;
      if (own_channel) {
        std::shared_ptr<grpc::Channel> channel = MakeChannel(target, true);
        channel->WaitForConnected(call_deadline());
        stub = v1::ScoringService::NewStub(channel);
      } else {
        stub = v1::ScoringService::NewStub(shared_channel);
      }
      auto response = std::make_shared<v1::ScoreResponse>();
      return [&, thread, stub, response](uint64_t iteration, std::string* error) -> int64_t {
        const size_t n = static_cast<size_t>((iteration * 7919 + static_cast<uint64_t>(thread) * 104729) %
                                             unary_requests.size());
        const v1::ScoreRequest& request = unary_requests[n];
        grpc::ClientContext context;
        context.set_deadline(call_deadline());
        grpc::Status status = stub->Score(&context, request, response.get());
        if (!status.ok()) {
          *error = StatusText(status);
          return -1;
        }
        if (response->assessment().customer_id() != request.signals().customer_id()) {
          *error = absl::StrCat("answer for ", response->assessment().customer_id(), ", asked ",
                                request.signals().customer_id());
          return -1;
        }
        return 1;
      };
    };
  };
  if (wants("unary")) {
    phases.push_back(RunPhase("4a gRPC Score (unary), 1 shared channel", flags.unary_threads,
                              flags.warmup, flags.seconds, server_pid, unary_worker(false)));
    phases.push_back(RunPhase("4b gRPC Score (unary), 1 channel per thread", flags.unary_threads,
                              flags.warmup, flags.seconds, server_pid, unary_worker(true)));
  }

  // --- 5: unary Score at a fixed rate (open loop) ---
  std::optional<OpenLoopResult> open_loop;
  if (wants("open")) {
    std::optional<ScoreQueueClient> queue_client;
    StartScore start_score = CallbackStartScore(*shared_stub);
    if (flags.open_client == "queue") {
      queue_client.emplace(*shared_stub);
      start_score = queue_client->AsStartScore();
    }
    open_loop = RunOpenLoopScore(start_score, unary_requests, flags.unary_rate, flags.warmup,
                                 flags.seconds, deadline, server_pid);
  }

  PrintTable(phases);
  if (open_loop) {
    const OpenLoopResult& o = *open_loop;
    auto at = [](const std::vector<double>& values, double p) {
      return FormatLatency(PercentileOf(values, p));
    };
    std::printf(
        "\n5  gRPC Score (unary), open loop at %.0f calls/s, 1 shared channel, answers taken by "
        "%s: %lld sent, %lld answered, %lld errors\n"
        "   latency from the scheduled send: p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n"
        "   latency from the actual send:    p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n"
        "   sender lag (actual - scheduled): p50 %s  p99 %s  max %s; %lld sends over 1 ms late\n"
        "   cliCPU %s svcCPU %s; service %s us CPU and %s context switches per call (%s "
        "voluntary); client %s context switches per call (%s voluntary)\n",
        o.rate, flags.open_client == "queue" ? "a completion queue" : "gRPC's callback threads",
        static_cast<long long>(o.scheduled), static_cast<long long>(o.completed),
        static_cast<long long>(o.errors), at(o.latencies_us, 50).c_str(),
        at(o.latencies_us, 90).c_str(), at(o.latencies_us, 99).c_str(),
        at(o.latencies_us, 99.9).c_str(), at(o.latencies_us, 100).c_str(),
        at(o.sent_latencies_us, 50).c_str(), at(o.sent_latencies_us, 90).c_str(),
        at(o.sent_latencies_us, 99).c_str(), at(o.sent_latencies_us, 99.9).c_str(),
        at(o.sent_latencies_us, 100).c_str(), at(o.send_lags_us, 50).c_str(),
        at(o.send_lags_us, 99).c_str(), at(o.send_lags_us, 100).c_str(),
        static_cast<long long>(std::count_if(o.send_lags_us.begin(), o.send_lags_us.end(),
                                             [](double lag) { return lag > 1000; })),
        FormatCpu(o.client_cpu, o.seconds).c_str(), FormatCpu(o.server_cpu, o.seconds).c_str(),
        FormatCpuPerCall(o.server_cpu, o.completed).c_str(),
        FormatPerCall(o.server_switches, o.completed).c_str(),
        FormatPerCall(o.server_voluntary_switches, o.completed).c_str(),
        FormatPerCall(o.client_switches, o.completed).c_str(),
        FormatPerCall(o.client_voluntary_switches, o.completed).c_str());
    if (o.errors > 0) std::printf("   first error: %s\n", o.first_error.c_str());
  }

  // --- ratios (of the phases that ran) ---
  auto find = [&phases](std::string_view prefix) -> const PhaseResult* {
    for (const PhaseResult& p : phases) {
      if (p.name.compare(0, prefix.size(), prefix) == 0) return &p;
    }
    return nullptr;
  };
  auto print_ratio = [&find](const char* label, std::string_view a, std::string_view b) {
    const PhaseResult* pa = find(a);
    const PhaseResult* pb = find(b);
    if (pa == nullptr || pb == nullptr || pb->CustomersPerSecond() <= 0) return;
    std::printf("  %-52s %.3f\n", label, pa->CustomersPerSecond() / pb->CustomersPerSecond());
  };
  std::printf("\nratios (customers/s)\n");
  print_ratio("1b server work in-process / 1a ScoreCustomer", "1b", "1a");
  print_ratio("1c ScoreCustomerCompact / 1a ScoreCustomer", "1c", "1a");
  print_ratio("1d compact server work / 1b full server work", "1d", "1b");
  for (const PhaseResult& p : phases) {
    if (p.name[0] == '1') continue;
    const std::string name(p.name.substr(0, 2));
    print_ratio(absl::StrCat(p.name, " / 1a").c_str(), name, "1a");
    print_ratio(absl::StrCat(p.name, " / 1b").c_str(), name, "1b");
  }
  print_ratio("2c compact / 2 full, 1 channel", "2c", "2 ");
  print_ratio("3c compact / 3 full, shared channel", "3c", "3 ");
  std::printf("  load average at the end: %s\n", LoadAverage().c_str());

  int64_t total_errors = check_errors + (open_loop ? open_loop->errors : 0);
  for (const PhaseResult& p : phases) total_errors += p.errors;

  int exit_code_of_service = 0;
  if (process) {
    absl::StatusOr<int> exit_code = process->Terminate(std::chrono::seconds(10));
    exit_code_of_service = exit_code.value_or(-1);
    std::printf("  churn-scoring stopped with SIGTERM: exit code %d\n", exit_code_of_service);
  }
  std::printf("  errors: %lld, result mismatches: %lld (sink %lld)\n",
              static_cast<long long>(total_errors), static_cast<long long>(mismatches),
              static_cast<long long>(sink.load() % 10));
  return (total_errors == 0 && mismatches == 0 && exit_code_of_service == 0) ? 0 : 1;
}
