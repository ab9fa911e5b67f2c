// Soak: the real churn-ingest, churn-scoring, churn-enrichment (with the fake model, answers
// slowed by markers) and churn-gateway on loopback, on a fresh generated data folder, under
// minutes of mixed HTTP traffic. Checks that nothing leaks and latency stays steady.
//
//   soak_bench [--duration_s=600] [--warmup_s=60] [--sample_s=30] [--clients=8]
//              [--accounts=500] [--out=REPORT.json]
//
// --clients threads run a weighted mix against the gateway's HTTP API: executive, drivers,
// at-risk (random filters and sort, following next_page_token), customer briefs, outcome writes
// and ticket analyses (slowed 300-800 ms by the model, some slowed past their timeout_ms so the
// fallback answers). Another thread POSTs /api/v1/refresh about every 30 s and every third time
// first rewrites support_tickets.csv (one row fewer, or back), so ingest loads a changed snapshot;
// during the warm-up it changes that file four times, so ingest holds its full window of kept
// snapshot versions (versions_kept, 3) before the first measured sample.
//
// Every --sample_s it records per service VmRSS (/proc/PID/status), open fds (/proc/PID/fd) and
// threads, and per request kind the count, errors and p50/p99 latency of that interval. Checks,
// on the samples from --warmup_s on (--duration_s includes the warm-up):
//   - each service's max RSS stays within 10% of its first post-warm-up sample;
//   - open fds do not grow: last <= first + kFdSlack (requests in flight hold a few);
//   - the views' p99 (executive, drivers, at-risk, brief) over the last third of the post-warm-up
//     intervals is at most 2x that of the first third (p99s under kP99NoiseFloorMs always pass:
//     on a shared machine a few ms are scheduling noise, not a trend);
//   - every service is still running at every sample.
// Exit code: 0 when every check passes, 1 when one fails (with the reason), 2 on bad flags or
// when the services cannot be started. The services share the cores with the clients: the
// latencies are for the whole machine.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "bench_flags.h"
#include "concurrency/mutex.h"
#include "integration/port_reservation.h"
#include "integration/process.h"
#include "integration/run_command.h"
#include "integration/service_probe.h"
#include "nlohmann/json.hpp"
#include "status/status_macros.h"

namespace {

using churn::testing::PortReservation;
using churn::testing::ServiceProcess;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr double kRssTolerance = 0.10;
constexpr int kFdSlack = 8;
constexpr double kP99Growth = 2.0;
constexpr double kP99NoiseFloorMs = 20.0;
constexpr auto kRefreshEvery = 30s;
constexpr int kDataChangeEveryNthRefresh = 3;
constexpr int kWarmupDataChanges = 4;  // more than ingest's versions_kept (3)

// ---------------------------------------------------------------------------------------------
// Flags

struct Flags {
  int duration_s = 600;
  int warmup_s = 60;
  int sample_s = 30;
  int clients = 8;
  int accounts = 500;
  std::string out;
};

constexpr const char* kUsage =
    "usage: soak_bench [--duration_s=600] [--warmup_s=60] [--sample_s=30] [--clients=8]\n"
    "                  [--accounts=500] [--out=REPORT.json]\n";

// std::nullopt to run, else the exit code (BenchFlags::Parse).
std::optional<int> ParseFlags(int argc, char** argv, Flags* flags) {
  churn::bench::BenchFlags parser("soak_bench", kUsage);
  parser.Int("duration_s", &flags->duration_s, 1);
  parser.Int("warmup_s", &flags->warmup_s, 0);
  parser.Int("sample_s", &flags->sample_s, 1);
  parser.Int("clients", &flags->clients, 1);
  parser.Int("accounts", &flags->accounts, 1);
  parser.String("out", &flags->out);
  if (std::optional<int> exit_code = parser.Parse(argc, argv)) return exit_code;
  if (flags->warmup_s + 3 * flags->sample_s > flags->duration_s) {
    std::fprintf(stderr,
                 "soak_bench: --duration_s must leave at least three --sample_s intervals after "
                 "--warmup_s\n");
    return 2;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Process resources

struct Resources {
  bool running = false;
  int64_t rss_kb = 0;
  int fds = 0;
  int threads = 0;
};

Resources SampleProcess(pid_t pid) {
  Resources resources;
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  for (std::string line; std::getline(status, line);) {
    std::istringstream fields(line);
    std::string name;
    fields >> name;
    if (name == "State:") {
      std::string state;
      fields >> state;
      resources.running = state != "Z" && state != "X";
    } else if (name == "VmRSS:") {
      fields >> resources.rss_kb;
    } else if (name == "Threads:") {
      fields >> resources.threads;
    }
  }
  std::error_code error;
  for (std::filesystem::directory_iterator it(absl::StrCat("/proc/", pid, "/fd"), error), end;
       !error && it != end; it.increment(error)) {
    ++resources.fds;
  }
  return resources;
}

// ---------------------------------------------------------------------------------------------
// Request kinds and their per-interval latencies

enum Kind {
  kExecutive,
  kDrivers,
  kAtRisk,
  kBrief,
  kOutcome,
  kAnalyze,
  kAnalyzeTimeout,
  kRefresh,
  kKinds
};
constexpr const char* kKindNames[kKinds] = {"executive", "drivers", "at_risk",         "brief",
                                            "outcome",   "analyze", "analyze_timeout", "refresh"};
bool IsView(int kind) { return kind <= kBrief; }

// How one request ended. Refused: an answer the API documents for this load (429 while the
// analysis slots are taken, 400 for a page token of views a refresh replaced), not an error.
enum class Outcome { kOk, kRefused, kError };

struct KindInterval {
  std::vector<double> latencies_ms;  // of every request but the refused ones
  int64_t errors = 0;
  int64_t refused = 0;
  int64_t fallbacks = 0;  // analyses answered by the rule-based fallback
  std::map<std::string, int64_t> error_reasons;
};

class Recorder {
 public:
  void Record(Kind kind, double ms, Outcome outcome, const std::string& error_reason = "",
              bool fallback = false) {
    churn::concurrency::MutexLock lock(mu_);
    KindInterval& interval = current_[kind];
    if (outcome == Outcome::kRefused) {
      ++interval.refused;
      return;
    }
    interval.latencies_ms.push_back(ms);
    if (outcome == Outcome::kError) {
      ++interval.errors;
      ++interval.error_reasons[error_reason];
    }
    if (fallback) ++interval.fallbacks;
  }
  // The interval so far; the next one starts empty.
  std::vector<KindInterval> Take() {
    churn::concurrency::MutexLock lock(mu_);
    std::vector<KindInterval> taken(kKinds);
    taken.swap(current_);
    return taken;
  }

 private:
  churn::concurrency::Mutex mu_;
  std::vector<KindInterval> current_ ABSL_GUARDED_BY(mu_) = std::vector<KindInterval>(kKinds);
};

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t rank = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(rank, values.size() - 1)];
}

// ---------------------------------------------------------------------------------------------
// The service set

struct Service {
  std::string name;
  std::unique_ptr<ServiceProcess> process;
};

struct ServiceSet {
  std::unique_ptr<ServiceProcess> model;  // fake-ollama: not measured, it is the bench's own
  std::vector<Service> services;          // ingest, scoring, enrichment, gateway
  int http_port = 0;
};

std::string Loopback(int port) { return absl::StrCat("127.0.0.1:", port); }

absl::StatusOr<std::unique_ptr<ServiceProcess>> StartProcess(const std::string& binary,
                                                             std::vector<std::string> args) {
  ServiceProcess::Options options;
  options.args = std::move(args);
  options.start_timeout = 60s;  // a loaded machine
  return ServiceProcess::Start(binary, std::move(options));
}

absl::StatusOr<ServiceSet> StartServices(const std::filesystem::path& work_dir) {
  ServiceSet set;
  // The gateway is configured with its neighbours' addresses up front.
  PortReservation ingest_port, scoring_port, enrichment_port, http_port;
  if (ingest_port.port() == 0 || scoring_port.port() == 0 || enrichment_port.port() == 0 ||
      http_port.port() == 0) {
    return absl::InternalError("no free loopback ports");
  }
  CHURN_ASSIGN_OR_RETURN(auto model, StartProcess(FAKE_OLLAMA_BINARY, {}));
  set.model = std::move(model);

  const std::string data_dir = (work_dir / "data").string();
  const std::vector<std::pair<std::string, std::pair<std::string, std::vector<std::string>>>> plan =
      {
          {"ingest",
           {CHURN_INGEST_BINARY,
            {"--grpc_address=" + Loopback(ingest_port.port()), "--data_dir=" + data_dir,
             "--tickets_dir=" + data_dir + "/tickets", "--watch_interval_ms=1000"}}},
          {"scoring",
           {CHURN_SCORING_BINARY,
            {"--grpc_address=" + Loopback(scoring_port.port()), "--rules_file="}}},
          {"enrichment",
           {CHURN_ENRICHMENT_BINARY,
            {"--grpc_address=" + Loopback(enrichment_port.port()),
             "--ollama_url=http://127.0.0.1:" + std::to_string(set.model->grpc_port()),
             "--warm_up=false",
             "--cache_path=" + (work_dir / "enrichment-cache.sqlite").string()}}},
          {"gateway",
           {CHURN_GATEWAY_BINARY,
            {"--grpc_address=127.0.0.1:0", "--http_address=" + Loopback(http_port.port()),
             "--ingest_address=" + Loopback(ingest_port.port()),
             "--scoring_address=" + Loopback(scoring_port.port()),
             "--enrichment_address=" + Loopback(enrichment_port.port()),
             "--refresh_interval_ms=1000",
             "--outcomes_db=" + (work_dir / "outcomes.sqlite").string(),
             "--history_db=" + (work_dir / "risk-history.sqlite").string(),
             "--web_root=" + std::string(CHURN_SOURCE_DIR) + "/web"}}},
      };
  for (const auto& [name, binary_and_args] : plan) {
    std::vector<std::string> args = binary_and_args.second;
    args.push_back("--metrics_address=127.0.0.1:0");
    args.push_back("--log_level=error");
    auto process = StartProcess(binary_and_args.first, std::move(args));
    if (!process.ok()) {
      return absl::Status(process.status().code(),
                          absl::StrCat(name, ": ", process.status().message()));
    }
    set.services.push_back({name, *std::move(process)});
  }
  set.http_port = http_port.port();
  // SERVING once the gateway's first views exist.
  CHURN_RETURN_IF_ERROR(churn::testing::WaitForServing(set.services.back().process->grpc_target(),
                                                       std::chrono::milliseconds(120s)));
  return set;
}

// ---------------------------------------------------------------------------------------------
// Traffic

// Written aside and renamed: the ingest watcher never reads half a file.
void ReplaceFile(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
  }
  std::filesystem::rename(tmp, path);
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class Traffic {
 public:
  Traffic(int http_port, std::vector<std::string> customer_ids, Recorder* recorder)
      : http_port_(http_port), customer_ids_(std::move(customer_ids)), recorder_(recorder) {}

  // One client: a browser-like keep-alive connection, replaced every 100 requests.
  void RunClient(int index, const std::atomic<bool>& stop) {
    std::mt19937 random(1000 + index);
    // executive, drivers, at-risk, brief, outcome, analyze, analyze past its timeout
    std::discrete_distribution<int> pick({24, 12, 30, 24, 6, 3, 1});
    std::unique_ptr<httplib::Client> client;
    for (int64_t n = 0; !stop.load(); ++n) {
      if (n % 100 == 0) client = NewClient();
      switch (pick(random)) {
        case 0: View(*client, kExecutive, "/api/v1/executive"); break;
        case 1: {
          static const char* kSegments[] = {"plan_tier", "industry", "country"};
          View(*client, kDrivers,
               absl::StrCat("/api/v1/drivers?segment=", kSegments[random() % 3]));
          break;
        }
        case 2: AtRiskPages(*client, random); break;
        case 3:
          View(*client, kBrief,
               "/api/v1/customers/" + customer_ids_[random() % customer_ids_.size()]);
          break;
        case 4: WriteOutcome(*client, random, n); break;
        case 5: Analyze(*client, random, index, n, /*past_timeout=*/false); break;
        case 6: Analyze(*client, random, index, n, /*past_timeout=*/true); break;
      }
    }
  }

  // The warm-up changes the tickets table kWarmupDataChanges times (each followed by a refresh),
  // so ingest holds its full window of kept snapshot versions before the first measured sample;
  // then POST /api/v1/refresh every kRefreshEvery, every kDataChangeEveryNthRefresh-th time after
  // a change (a row fewer, or back again), so the refresh sees a new snapshot.
  void RunRefresher(const std::filesystem::path& tickets_csv, std::chrono::seconds warmup,
                    const std::atomic<bool>& stop) {
    const std::string original = ReadFile(tickets_csv);
    std::string shorter = original;
    if (shorter.size() > 1) shorter.erase(shorter.rfind('\n', shorter.size() - 2) + 1);
    bool shortened = false;
    std::unique_ptr<httplib::Client> client = NewClient();
    auto sleep = [&](std::chrono::milliseconds duration) {
      const auto wake = Clock::now() + duration;
      while (!stop.load() && Clock::now() < wake) std::this_thread::sleep_for(100ms);
      return !stop.load();
    };
    auto change_and_refresh = [&](bool change) {
      if (change) {
        shortened = !shortened;
        ReplaceFile(tickets_csv, shortened ? shorter : original);
        ++data_changes_;
        std::this_thread::sleep_for(2500ms);  // the watcher debounces one poll (1 s) then loads
      }
      Timed(
          *client, kRefresh,
          [&](httplib::Client& c) { return c.Post("/api/v1/refresh", "{}", "application/json"); },
          429);
    };
    if (warmup.count() > 0) {
      // Spaced so that the last load is done well before the warm-up ends.
      const auto warm_end = Clock::now() + warmup;
      const auto spacing = std::chrono::milliseconds(warmup) / (kWarmupDataChanges + 2);
      for (int i = 0; i < kWarmupDataChanges; ++i) {
        if (!sleep(spacing)) return;
        change_and_refresh(true);
      }
      const auto rest =
          std::chrono::duration_cast<std::chrono::milliseconds>(warm_end - Clock::now());
      if (rest.count() > 0 && !sleep(rest)) return;
    }
    for (int round = 1; sleep(kRefreshEvery); ++round) {
      change_and_refresh(round % kDataChangeEveryNthRefresh == 0);
    }
  }

  int data_changes() const { return data_changes_.load(); }

 private:
  std::unique_ptr<httplib::Client> NewClient() const {
    auto client = std::make_unique<httplib::Client>("127.0.0.1", http_port_);
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);  // as browsers do: a POST's head and body leave at once
    client->set_connection_timeout(5);
    client->set_read_timeout(30);
    client->set_write_timeout(5);
    return client;
  }

  // Sends one request, times it and records how it ended; the parsed body when it was a 2xx.
  // `refused_status` (0 = none) counts as refused rather than an error when its body says
  // `refused_text`.
  template <typename Send>
  std::optional<nlohmann::json> Timed(httplib::Client& client, Kind kind, Send send,
                                      int refused_status = 0,
                                      const std::string& refused_text = "") {
    const auto started = Clock::now();
    httplib::Result result = send(client);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
    if (!result) {
      recorder_->Record(kind, ms, Outcome::kError, httplib::to_string(result.error()));
      return std::nullopt;
    }
    if (result->status == refused_status && result->body.find(refused_text) != std::string::npos) {
      recorder_->Record(kind, ms, Outcome::kRefused);
      return std::nullopt;
    }
    if (result->status / 100 != 2) {
      recorder_->Record(kind, ms, Outcome::kError, absl::StrCat("HTTP ", result->status));
      return std::nullopt;
    }
    nlohmann::json body = nlohmann::json::parse(result->body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) {
      recorder_->Record(kind, ms, Outcome::kError, "body is not JSON");
      return std::nullopt;
    }
    const bool fallback =
        body.contains("analysis") && body["analysis"].value("source", "") == "fallback";
    recorder_->Record(kind, ms, Outcome::kOk, "", fallback);
    return body;
  }

  void View(httplib::Client& client, Kind kind, const std::string& path) {
    Timed(client, kind, [&](httplib::Client& c) { return c.Get(path); });
  }

  // A random filter and sort, then up to three pages by next_page_token. A token of views a
  // refresh replaced is refused (400), as documented; the dashboard starts over.
  void AtRiskPages(httplib::Client& client, std::mt19937& random) {
    static const char* kTiers[] = {"", "Basic", "Pro", "Enterprise", "Pro,Enterprise"};
    static const char* kLevels[] = {"", "high", "medium", "low", "high,medium"};
    static const char* kSorts[] = {"",
                                   "-risk_score",
                                   "-arr",
                                   "arr",
                                   "customer_id",
                                   "account_name",
                                   "-usage_drop_pct",
                                   "-tickets_30d"};
    static const int kMinArr[] = {0, 0, 5000, 20000};
    static const int kLimits[] = {10, 25, 50, 100};
    std::string path = absl::StrCat("/api/v1/at-risk?limit=", kLimits[random() % 4]);
    if (const char* tier = kTiers[random() % 5]; *tier) absl::StrAppend(&path, "&plan_tier=", tier);
    if (const char* level = kLevels[random() % 5]; *level) {
      absl::StrAppend(&path, "&risk_level=", level);
    }
    if (const char* sort = kSorts[random() % 8]; *sort) absl::StrAppend(&path, "&sort=", sort);
    if (const int min_arr = kMinArr[random() % 4]; min_arr > 0) {
      absl::StrAppend(&path, "&min_arr=", min_arr);
    }
    if (random() % 5 == 0) absl::StrAppend(&path, "&churned=true");
    std::string token;
    const int pages = 1 + static_cast<int>(random() % 3);
    for (int page = 0; page < pages; ++page) {
      const std::string url = token.empty() ? path : path + "&page_token=" + token;
      std::optional<nlohmann::json> body = Timed(
          client, kAtRisk, [&](httplib::Client& c) { return c.Get(url); }, token.empty() ? 0 : 400,
          "older snapshot");
      if (!body || !(*body)["next_page_token"].is_string()) return;
      token = (*body)["next_page_token"].get<std::string>();
      if (token.empty()) return;
    }
  }

  void WriteOutcome(httplib::Client& client, std::mt19937& random, int64_t n) {
    static const char* kOutcomeKinds[] = {"contacted", "meeting_scheduled", "no_response"};
    const std::string& customer = customer_ids_[random() % customer_ids_.size()];
    const std::string body =
        nlohmann::json{{"kind", kOutcomeKinds[random() % 3]}, {"notes", absl::StrCat("soak ", n)}}
            .dump();
    Timed(client, kOutcome, [&](httplib::Client& c) {
      return c.Post("/api/v1/customers/" + customer + "/outcomes", body, "application/json");
    });
  }

  // Unique text (no cache hits): the model answers after 300-800 ms, or, past_timeout, after 4 s
  // while the request allows 1.5 s, so enrichment gives up and the fallback answers.
  void Analyze(httplib::Client& client, std::mt19937& random, int index, int64_t n,
               bool past_timeout) {
    const int model_ms = past_timeout ? 4000 : 300 + static_cast<int>(random() % 501);
    const nlohmann::json request = {
        {"subject", "Renewal"},
        {"body", absl::StrCat("Client ", index, " ticket ", n,
                              ": the renewal quote is beyond our budget, we may cancel. "
                              "[[fake:slow=",
                              model_ms, "]]")},
        {"timeout_ms", past_timeout ? 1500 : 10000}};
    const std::string body = request.dump();
    Timed(
        client, past_timeout ? kAnalyzeTimeout : kAnalyze,
        [&](httplib::Client& c) {
          return c.Post("/api/v1/tickets/analyze", body, "application/json");
        },
        429);
  }

  int http_port_;
  std::vector<std::string> customer_ids_;
  Recorder* recorder_;
  std::atomic<int> data_changes_{0};
};

// ---------------------------------------------------------------------------------------------
// Samples, report and verdict

struct Sample {
  double t_s = 0;
  std::vector<Resources> services;
  std::vector<KindInterval> requests;  // completed in (previous sample, this one]
};

struct KindSummary {
  int64_t count = 0;  // every request, refused ones included; p50 and p99 leave those out
  int64_t errors = 0, refused = 0, fallbacks = 0;
  double p50 = 0, p99 = 0;
};

KindSummary Summarise(const std::vector<Sample>& samples, size_t begin, size_t end, int kind) {
  KindSummary summary;
  std::vector<double> all;
  for (size_t i = begin; i < end; ++i) {
    const KindInterval& interval = samples[i].requests[kind];
    all.insert(all.end(), interval.latencies_ms.begin(), interval.latencies_ms.end());
    summary.errors += interval.errors;
    summary.refused += interval.refused;
    summary.fallbacks += interval.fallbacks;
  }
  summary.count = static_cast<int64_t>(all.size()) + summary.refused;
  summary.p50 = Percentile(all, 0.50);
  summary.p99 = Percentile(std::move(all), 0.99);
  return summary;
}

nlohmann::json SummaryJson(const KindSummary& s) {
  return {{"count", s.count},         {"errors", s.errors}, {"refused", s.refused},
          {"fallbacks", s.fallbacks}, {"p50_ms", s.p50},    {"p99_ms", s.p99}};
}

void PrintTables(const std::vector<std::string>& names, const std::vector<Sample>& samples,
                 size_t first_after_warmup) {
  std::printf("\n== Resources per sample (RSS MiB / open fds / threads; * = warm-up)\n");
  std::printf("%7s", "t_s");
  for (const std::string& name : names) std::printf(" %22s", name.c_str());
  std::printf("\n");
  for (size_t i = 0; i < samples.size(); ++i) {
    std::printf("%6.0f%s", samples[i].t_s, i < first_after_warmup ? "*" : " ");
    for (const Resources& r : samples[i].services) {
      std::printf(" %10.1f /%4d /%4d", static_cast<double>(r.rss_kb) / 1024.0, r.fds, r.threads);
    }
    std::printf("\n");
  }
  std::printf(
      "\n== Requests per interval (count errors p50/p99 ms; p50/p99 leave out refused requests)\n");
  std::printf("%7s", "t_s");
  for (int kind = 0; kind < kKinds; ++kind) std::printf(" %21s", kKindNames[kind]);
  std::printf("\n");
  for (size_t i = 1; i < samples.size(); ++i) {
    std::printf("%6.0f%s", samples[i].t_s, i <= first_after_warmup ? "*" : " ");
    for (int kind = 0; kind < kKinds; ++kind) {
      const KindSummary s = Summarise(samples, i, i + 1, kind);
      std::printf(" %5lld %2lld %5.0f/%6.0f", static_cast<long long>(s.count),
                  static_cast<long long>(s.errors), s.p50, s.p99);
    }
    std::printf("\n");
  }
}

int Run(const Flags& flags) {
  char dir_template[] = "/tmp/soak_bench.XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) {
    std::perror("soak_bench: mkdtemp");
    return 2;
  }
  const std::filesystem::path work_dir = dir_template;
  struct RemoveOnExit {
    std::filesystem::path dir;
    ~RemoveOnExit() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  } remove_on_exit{work_dir};

  int exit_code = 0;
  churn::testing::RunCommand(
      absl::StrCat(CHURNCTL_BINARY, " generate --out ", (work_dir / "data").string(),
                   " --accounts ", flags.accounts, " --seed 17 2>&1"),
      &exit_code);
  if (exit_code != 0) {
    std::fprintf(stderr, "soak_bench: churnctl generate failed\n");
    return 2;
  }
  absl::StatusOr<ServiceSet> set = StartServices(work_dir);
  if (!set.ok()) {
    std::fprintf(stderr, "soak_bench: cannot start the services: %s\n",
                 std::string(set.status().message()).c_str());
    return 2;
  }
  std::vector<std::string> names;
  for (const Service& service : set->services) names.push_back(service.name);

  // The customers the briefs and outcomes pick from.
  std::vector<std::string> customer_ids;
  {
    httplib::Client client("127.0.0.1", set->http_port);
    client.set_read_timeout(30);
    httplib::Result list = client.Get("/api/v1/at-risk?limit=1000");
    if (list && list->status == 200) {
      nlohmann::json body = nlohmann::json::parse(list->body, nullptr, false);
      if (body.is_object() && body["customers"].is_array()) {
        for (const nlohmann::json& customer : body["customers"]) {
          customer_ids.push_back(customer["signals"]["customer_id"].get<std::string>());
        }
      }
    }
    if (customer_ids.empty()) {
      std::fprintf(stderr, "soak_bench: the at-risk list is empty or unreadable\n");
      return 2;
    }
  }
  std::printf(
      "soak_bench: %d s (%d s warm-up), samples every %d s, %d clients, %d accounts "
      "(%zu customers), data in %s\n",
      flags.duration_s, flags.warmup_s, flags.sample_s, flags.clients, flags.accounts,
      customer_ids.size(), work_dir.c_str());
  std::fflush(stdout);

  Recorder recorder;
  Traffic traffic(set->http_port, customer_ids, &recorder);
  std::atomic<bool> stop{false};
  auto sample_now = [&](double t_s) {
    Sample sample;
    sample.t_s = t_s;
    for (const Service& service : set->services) {
      sample.services.push_back(SampleProcess(service.process->pid()));
    }
    sample.requests = recorder.Take();
    return sample;
  };
  std::vector<Sample> samples = {sample_now(0)};
  const auto started = Clock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < flags.clients; ++i) {
    threads.emplace_back([&, i] { traffic.RunClient(i, stop); });
  }
  threads.emplace_back([&] {
    traffic.RunRefresher(work_dir / "data" / "support_tickets.csv",
                         std::chrono::seconds(flags.warmup_s), stop);
  });
  for (int k = 1; k * flags.sample_s <= flags.duration_s; ++k) {
    std::this_thread::sleep_until(started + std::chrono::seconds(k * flags.sample_s));
    samples.push_back(sample_now(k * flags.sample_s));
    const Sample& s = samples.back();
    int64_t done = 0;
    for (const KindInterval& interval : s.requests) {
      done += static_cast<int64_t>(interval.latencies_ms.size()) + interval.refused;
    }
    std::printf("t=%4.0f s: %lld requests;", s.t_s, static_cast<long long>(done));
    for (size_t i = 0; i < names.size(); ++i) {
      std::printf(" %s %.1f MiB %d fds %d thr%s", names[i].c_str(),
                  static_cast<double>(s.services[i].rss_kb) / 1024.0, s.services[i].fds,
                  s.services[i].threads, s.services[i].running ? "" : " EXITED");
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  stop = true;
  for (std::thread& thread : threads) thread.join();

  // --- the checks, on samples taken from the end of the warm-up on ---
  size_t first = 0;  // first sample at or after the warm-up
  while (first < samples.size() && samples[first].t_s < flags.warmup_s) ++first;
  const size_t last = samples.size() - 1;
  // Latency intervals after the warm-up: those ending after samples[first].
  const size_t intervals = last - first;
  const size_t third = std::max<size_t>(1, intervals / 3);
  const size_t first_third_begin = first + 1, first_third_end = first + 1 + third;
  const size_t last_third_begin = last + 1 - third, last_third_end = last + 1;

  PrintTables(names, samples, first);
  std::vector<std::string> failures;
  nlohmann::json report = {{"duration_s", flags.duration_s},
                           {"warmup_s", flags.warmup_s},
                           {"sample_s", flags.sample_s},
                           {"clients", flags.clients},
                           {"accounts", flags.accounts},
                           {"customers", customer_ids.size()},
                           {"data_changes", traffic.data_changes()}};

  std::printf("\n== Services after warm-up (t >= %d s)\n", flags.warmup_s);
  std::printf("%-11s %10s %10s %10s %9s %9s %8s %8s %8s\n", "service", "rss_first", "rss_last",
              "rss_max", "fds_first", "fds_last", "thr_first", "thr_last", "thr_max");
  for (size_t s = 0; s < names.size(); ++s) {
    int64_t rss_max = 0;
    int threads_max = 0;
    bool always_running = true;
    for (size_t i = first; i <= last; ++i) {
      rss_max = std::max(rss_max, samples[i].services[s].rss_kb);
      threads_max = std::max(threads_max, samples[i].services[s].threads);
      always_running = always_running && samples[i].services[s].running;
    }
    const Resources& a = samples[first].services[s];
    const Resources& b = samples[last].services[s];
    std::printf("%-11s %7.1f MiB %6.1f MiB %6.1f MiB %9d %9d %8d %8d %8d\n", names[s].c_str(),
                static_cast<double>(a.rss_kb) / 1024, static_cast<double>(b.rss_kb) / 1024,
                static_cast<double>(rss_max) / 1024, a.fds, b.fds, a.threads, b.threads,
                threads_max);
    report["services"][names[s]] = {{"rss_kb_first", a.rss_kb},  {"rss_kb_last", b.rss_kb},
                                    {"rss_kb_max", rss_max},     {"fds_first", a.fds},
                                    {"fds_last", b.fds},         {"threads_first", a.threads},
                                    {"threads_last", b.threads}, {"threads_max", threads_max}};
    if (!always_running) failures.push_back(names[s] + " exited during the soak");
    if (static_cast<double>(rss_max) > static_cast<double>(a.rss_kb) * (1 + kRssTolerance)) {
      failures.push_back(absl::StrCat(names[s], " RSS grew from ", a.rss_kb, " kB to a max of ",
                                      rss_max, " kB (more than ", kRssTolerance * 100, "%)"));
    }
    if (b.fds > a.fds + kFdSlack) {
      failures.push_back(absl::StrCat(names[s], " open fds grew from ", a.fds, " to ", b.fds,
                                      " (slack ", kFdSlack, ")"));
    }
  }

  std::printf("\n== Requests, first third (t %.0f-%.0f s) vs last third (t %.0f-%.0f s)\n",
              samples[first_third_begin - 1].t_s, samples[first_third_end - 1].t_s,
              samples[last_third_begin - 1].t_s, samples[last_third_end - 1].t_s);
  std::printf("%-16s %7s %8s %8s | %7s %8s %8s | %6s %7s %9s\n", "kind", "count", "p50_ms",
              "p99_ms", "count", "p50_ms", "p99_ms", "errors", "refused", "fallbacks");
  for (int kind = 0; kind < kKinds; ++kind) {
    const KindSummary early = Summarise(samples, first_third_begin, first_third_end, kind);
    const KindSummary late = Summarise(samples, last_third_begin, last_third_end, kind);
    const KindSummary whole = Summarise(samples, first + 1, last + 1, kind);
    std::printf("%-16s %7lld %8.1f %8.1f | %7lld %8.1f %8.1f | %6lld %7lld %9lld\n",
                kKindNames[kind], static_cast<long long>(early.count), early.p50, early.p99,
                static_cast<long long>(late.count), late.p50, late.p99,
                static_cast<long long>(whole.errors), static_cast<long long>(whole.refused),
                static_cast<long long>(whole.fallbacks));
    std::map<std::string, int64_t> reasons;
    for (size_t i = 1; i <= last; ++i) {
      for (const auto& [reason, n] : samples[i].requests[kind].error_reasons) reasons[reason] += n;
    }
    for (const auto& [reason, n] : reasons) {
      std::printf("%-16s   error (whole run): %s x%lld\n", "", reason.c_str(),
                  static_cast<long long>(n));
    }
    report["requests"][kKindNames[kind]] = {{"first_third", SummaryJson(early)},
                                            {"last_third", SummaryJson(late)},
                                            {"after_warmup", SummaryJson(whole)},
                                            {"error_reasons", reasons}};
    if (IsView(kind) && late.p99 > kP99NoiseFloorMs && late.p99 > kP99Growth * early.p99) {
      failures.push_back(absl::StrCat(kKindNames[kind], " p99 grew from ", early.p99,
                                      " ms (first third) to ", late.p99, " ms (last third)"));
    }
  }

  nlohmann::json timeline = nlohmann::json::array();
  for (const Sample& sample : samples) {
    nlohmann::json row = {{"t_s", sample.t_s}};
    for (size_t s = 0; s < names.size(); ++s) {
      const Resources& r = sample.services[s];
      row["services"][names[s]] = {
          {"rss_kb", r.rss_kb}, {"fds", r.fds}, {"threads", r.threads}, {"running", r.running}};
    }
    for (int kind = 0; kind < kKinds; ++kind) {
      const KindInterval& interval = sample.requests[kind];
      row["requests"][kKindNames[kind]] = {
          {"count", static_cast<int64_t>(interval.latencies_ms.size()) + interval.refused},
          {"refused", interval.refused},
          {"errors", interval.errors},
          {"p50_ms", Percentile(interval.latencies_ms, 0.50)},
          {"p99_ms", Percentile(interval.latencies_ms, 0.99)}};
    }
    timeline.push_back(std::move(row));
  }
  report["samples"] = std::move(timeline);
  report["failures"] = failures;
  report["verdict"] = failures.empty() ? "pass" : "fail";

  // SIGTERM, as an orchestrator would: a clean exit is part of a healthy soak.
  for (auto it = set->services.rbegin(); it != set->services.rend(); ++it) {
    absl::StatusOr<int> code = it->process->Terminate(std::chrono::milliseconds(15s));
    if (!code.ok() || *code != 0) {
      failures.push_back(absl::StrCat(
          it->name, " did not exit cleanly on SIGTERM: ",
          code.ok() ? absl::StrCat("exit ", *code) : std::string(code.status().message())));
    }
  }
  report["failures"] = failures;
  report["verdict"] = failures.empty() ? "pass" : "fail";
  if (!flags.out.empty()) {
    std::ofstream out(flags.out, std::ios::trunc);
    out << report.dump(2) << "\n";
    if (!out.flush()) std::fprintf(stderr, "soak_bench: cannot write %s\n", flags.out.c_str());
  }

  std::printf(
      "\n%d data changes reloaded; checks: RSS max <= first +%.0f%%, fds last <= first "
      "+%d, views' last-third p99 <= %.0fx first-third (or under %.0f ms)\n",
      traffic.data_changes(), kRssTolerance * 100, kFdSlack, kP99Growth, kP99NoiseFloorMs);
  if (failures.empty()) {
    std::printf("VERDICT: pass\n");
    return 0;
  }
  for (const std::string& failure : failures) std::printf("FAIL: %s\n", failure.c_str());
  std::printf("VERDICT: fail\n");
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  if (std::optional<int> exit_code = ParseFlags(argc, argv, &flags)) return *exit_code;
  return Run(flags);
}
