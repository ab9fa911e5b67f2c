// Refresh after a tickets change, on a generated data set (bench/README: `churnctl generate`),
// against a full rebuild measured in the same run:
//
//   refresh_bench --data=DIR [--repeats=10] [--watch_interval_ms=10] [--watch_file_events=true]
//                 [--e2e=true] [--gateway_refresh_ms=20] [--work=DIR]
//
// DIR's tables are linked into a scratch folder (--work, default a fresh temp folder) whose
// support_tickets.csv is rewritten (written aside, renamed into place) with one row fewer, then
// back, --repeats times. Three measurements:
//   1. ingest's libraries, stage by stage: content hashes (TableHashCache), parsing the changed
//      tables (ParsedTables::Refresh) and assembling the signals (after a tickets change from the
//      previous signals, as the snapshot store does), for the first (full) load and
//      for each tickets change;
//   2. file change -> new snapshot in the store: a FolderWatcher (the kernel's file events with
//      --watch_file_events, and a poll every --watch_interval_ms, debounced: one to two
//      intervals) reloading a SnapshotStore, from just before the rename to the publish, split at
//      the moment the watcher starts the reload;
//   3. with --e2e (default true): the real churn-ingest, churn-scoring, churn-enrichment and
//      churn-gateway on loopback: from the rename to ingest serving the new version
//      (GetSnapshotInfo) and to the gateway's views built from it (GetExecutive), with the
//      gateway's own stage times (churn_gateway_refresh_stage_seconds) for the same refreshes, and
//      the risk history's writes after them (churn_gateway_risk_history_write_seconds).
// Prints medians and extremes in milliseconds. Exit 1 when a tickets change parsed another table.
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench_flags.h"
#include "churn/v1/gateway.grpc.pb.h"
#include "churn/v1/ingest.grpc.pb.h"
#include "integration/port_reservation.h"
#include "integration/process.h"
#include "integration/service_probe.h"
#include "signals/parsed_tables.h"
#include "snapshots/folder_watcher.h"
#include "snapshots/snapshot_store.h"
#include "snapshots/table_hash_cache.h"

namespace {

namespace fs = std::filesystem;
using churn::dataset::Table;
using churn::testing::PortReservation;
using churn::testing::ServiceProcess;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

struct Flags {
  std::string data;
  std::string work;
  int repeats = 10;
  int watch_interval_ms = 10;
  int gateway_refresh_ms = 20;
  bool e2e = true;
  bool watch_file_events = true;
};

constexpr const char* kUsage =
    "usage: refresh_bench --data=DIR [--repeats=10] [--watch_interval_ms=10]\n"
    "                     [--watch_file_events=true] [--e2e=true] [--gateway_refresh_ms=20]\n"
    "                     [--work=DIR]\n";

double Ms(Clock::duration duration) {
  return std::chrono::duration<double, std::milli>(duration).count();
}

// CPU time of the calling thread: on a machine shared with other work the wall time of a
// one-thread stage stretches with the load, its CPU time much less.
double ThreadCpuMs() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

// CPU time of every thread of the process (the parts read and assembled on other threads).
double ProcessCpuMs() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

struct Summary {
  double median = 0, min = 0, max = 0;
};
Summary Summarize(std::vector<double> values) {
  if (values.empty()) return {};
  std::sort(values.begin(), values.end());
  return {values[values.size() / 2], values.front(), values.back()};
}
void PrintRow(const std::string& name, const std::vector<double>& values) {
  const Summary s = Summarize(values);
  std::printf("  %-44s median %9.1f ms   min %9.1f   max %9.1f   (n=%zu)\n", name.c_str(),
              s.median, s.min, s.max, values.size());
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The scratch folder: the data set's tables linked, the tickets a file of its own.
class Scratch {
 public:
  Scratch(const fs::path& data, const fs::path& dir) : dir_(dir / "data") {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    for (const char* name : {"accounts.csv", "subscriptions.csv", "feature_usage.csv",
                             "churn_events.csv"}) {
      fs::create_symlink(fs::absolute(data / name), dir_ / name);
    }
    original_ = ReadFile(data / "support_tickets.csv");
    std::string without_last = original_.substr(0, original_.size() - 1);
    shorter_ = original_.substr(0, without_last.rfind('\n') + 1);
    Write(original_);
  }
  std::string dir() const { return dir_.string(); }
  // Rewrites the tickets with the other variant; returns the time just before the rename.
  Clock::time_point ChangeTickets() {
    toggled_ = !toggled_;
    const fs::path tmp = dir_ / "support_tickets.csv.part";
    std::ofstream(tmp, std::ios::binary | std::ios::trunc) << (toggled_ ? shorter_ : original_);
    const Clock::time_point at = Clock::now();
    fs::rename(tmp, dir_ / "support_tickets.csv");
    return at;
  }

 private:
  void Write(const std::string& text) {
    std::ofstream(dir_ / "support_tickets.csv", std::ios::binary | std::ios::trunc) << text;
  }
  fs::path dir_;
  std::string original_, shorter_;
  bool toggled_ = false;
};

bool OnlyTickets(const churn::TablesRead& read) {
  return read == churn::TablesRead{false, false, false, false, true};
}

// 1. The libraries, stage by stage.
bool MeasureStages(Scratch& scratch, const Flags& flags) {
  const churn::dataset::DataFiles files = *churn::dataset::FindDataFiles(scratch.dir());
  churn::snapshots::TableHashCache hashes;
  churn::ParsedTables tables;
  std::vector<double> hash_ms, parse_ms, assemble_ms, total_ms, cpu_ms, process_cpu_ms;
  std::vector<double> hash_cpu_ms, parse_cpu_ms, assemble_cpu_ms;  // of all threads
  std::vector<double> changed_customers;  // -1: every customer assembled, the changes unknown
  churn::SignalSnapshot previous;
  size_t customers = 0;
  bool only_tickets = true;
  for (int i = 0; i <= flags.repeats; ++i) {
    if (i > 0) scratch.ChangeTickets();
    const double cpu_start = ThreadCpuMs();
    const double process_cpu_start = ProcessCpuMs();
    const Clock::time_point start = Clock::now();
    absl::StatusOr<churn::snapshots::TableHashes> hashed = hashes.Hash(files);
    const Clock::time_point hashed_at = Clock::now();
    const double hashed_cpu = ProcessCpuMs();
    if (!hashed.ok()) {
      std::fprintf(stderr, "%s\n", std::string(hashed.status().message()).c_str());
      return false;
    }
    absl::StatusOr<churn::TablesRead> read =
        tables.Refresh(files, hashed->of_table, std::nullopt, {});
    const Clock::time_point parsed_at = Clock::now();
    const double parsed_cpu = ProcessCpuMs();
    if (!read.ok()) {
      std::fprintf(stderr, "%s\n", std::string(read.status().message()).c_str());
      return false;
    }
    // As the snapshot store does: from the previous signals when only the tickets changed.
    std::optional<std::vector<uint32_t>> changed;
    churn::SignalSnapshot signals =
        i == 0 ? tables.Signals() : tables.SignalsSince(previous, &changed);
    const Clock::time_point done = Clock::now();
    if (i > 0) changed_customers.push_back(changed ? static_cast<double>(changed->size()) : -1);
    const double cpu = ThreadCpuMs() - cpu_start;
    const double process_cpu = ProcessCpuMs() - process_cpu_start;
    customers = signals.customers.size();
    previous = std::move(signals);
    if (i == 0) {
      std::printf("1. ingest libraries, %zu customers\n", customers);
      std::printf("  full load (every table hashed and parsed): %9.1f ms  (hash %.1f, parse %.1f, "
                  "assemble %.1f)\n",
                  Ms(done - start), Ms(hashed_at - start), Ms(parsed_at - hashed_at),
                  Ms(done - parsed_at));
      continue;
    }
    only_tickets = only_tickets && OnlyTickets(*read) &&
                   !hashed->read[static_cast<int>(Table::kFeatureUsage)];
    hash_cpu_ms.push_back(hashed_cpu - process_cpu_start);
    parse_cpu_ms.push_back(parsed_cpu - hashed_cpu);
    assemble_cpu_ms.push_back(process_cpu_start + process_cpu - parsed_cpu);
    hash_ms.push_back(Ms(hashed_at - start));
    parse_ms.push_back(Ms(parsed_at - hashed_at));
    assemble_ms.push_back(Ms(done - parsed_at));
    total_ms.push_back(Ms(done - start));
    cpu_ms.push_back(cpu);
    process_cpu_ms.push_back(process_cpu);
  }
  std::printf("  tickets change:\n");
  PrintRow("hash (tickets read, the rest by identity)", hash_ms);
  PrintRow("parse support_tickets", parse_ms);
  PrintRow("assemble signals", assemble_ms);
  const Summary changed = Summarize(changed_customers);
  std::printf(
      "  customers known changed (-1: unknown)      median %9.0f      min %9.0f   max %9.0f\n",
      changed.median, changed.min, changed.max);
  PrintRow("total", total_ms);
  PrintRow("total, CPU time of the loading thread", cpu_ms);
  PrintRow("total, CPU time of all threads", process_cpu_ms);
  PrintRow("  hash, CPU time of all threads", hash_cpu_ms);
  PrintRow("  parse, CPU time of all threads", parse_cpu_ms);
  PrintRow("  assemble, CPU time of all threads", assemble_cpu_ms);
  if (!only_tickets) std::printf("  ERROR: a tickets change read another table\n");
  return only_tickets;
}

// 2. File change -> snapshot published by a watched store.
bool MeasureWatchedStore(Scratch& scratch, const Flags& flags) {
  churn::snapshots::SnapshotStore store;
  const Clock::time_point start = Clock::now();
  absl::StatusOr<churn::snapshots::LoadResult> first = store.LoadFolder(scratch.dir(), std::nullopt);
  if (!first.ok()) {
    std::fprintf(stderr, "%s\n", std::string(first.status().message()).c_str());
    return false;
  }
  const double full_ms = Ms(Clock::now() - start);
  std::atomic<int64_t> version{first->snapshot->version};
  std::atomic<int64_t> published_ns{0};
  std::atomic<int64_t> reload_started_ns{0};
  std::atomic<bool> only_tickets{true};
  churn::snapshots::FolderWatcher watcher(
      scratch.dir(),
      churn::snapshots::FolderWatcherOptions{
          .interval = std::chrono::milliseconds(flags.watch_interval_ms),
          .file_events = flags.watch_file_events},
      [&](const std::string& dir) {
        reload_started_ns = Clock::now().time_since_epoch().count();
        absl::StatusOr<churn::snapshots::LoadResult> result = store.LoadFolder(dir, std::nullopt);
        if (!result.ok() || !result->published) return;
        if (!OnlyTickets(result->tables_parsed)) only_tickets = false;
        published_ns = Clock::now().time_since_epoch().count();
        version = result->snapshot->version;
      });
  watcher.Start();
  std::vector<double> latency_ms, debounce_ms, reload_ms;
  for (int i = 0; i < flags.repeats; ++i) {
    const int64_t before = version;
    const Clock::time_point changed_at = scratch.ChangeTickets();
    while (version == before) std::this_thread::sleep_for(1ms);
    const Clock::time_point published(Clock::duration(published_ns.load()));
    const Clock::time_point reload_started(Clock::duration(reload_started_ns.load()));
    latency_ms.push_back(Ms(published - changed_at));
    debounce_ms.push_back(Ms(reload_started - changed_at));
    reload_ms.push_back(Ms(published - reload_started));
  }
  watcher.Stop();
  std::printf(
      "2. file change -> snapshot published (SnapshotStore + FolderWatcher, %d ms polls, "
      "file events %s)\n",
      flags.watch_interval_ms, watcher.using_file_events() ? "on" : "off");
  std::printf("  full load (fresh store, baseline):        %9.1f ms\n", full_ms);
  PrintRow("tickets change", latency_ms);
  PrintRow("  of which the watcher's detection", debounce_ms);
  PrintRow("  of which the reload (hash, parse, publish)", reload_ms);
  const double median = Summarize(latency_ms).median;
  std::printf("  ratio full / tickets change: %.0fx\n", median > 0 ? full_ms / median : 0);
  return only_tickets;
}

// 3. The real services.
std::string Loopback(int port) { return absl::StrCat("127.0.0.1:", port); }

absl::StatusOr<std::unique_ptr<ServiceProcess>> StartProcess(const std::string& binary,
                                                             std::vector<std::string> args) {
  ServiceProcess::Options options;
  args.push_back("--metrics_address=127.0.0.1:0");
  args.push_back("--log_level=warn");
  options.args = std::move(args);
  options.start_timeout = 120s;
  return ServiceProcess::Start(binary, std::move(options));
}

// A histogram family's (sum, count) per value of `label`; absent values (an older binary) are
// left out.
std::map<std::string, std::pair<double, double>> HistogramSums(
    int metrics_port, const std::string& family, const std::string& label,
    const std::vector<std::string>& values) {
  std::map<std::string, std::pair<double, double>> sums;  // value -> (sum, count)
  absl::StatusOr<std::string> text = churn::testing::ScrapeMetrics(metrics_port);
  if (!text.ok()) return sums;
  for (const std::string& value : values) {
    std::optional<double> sum =
        churn::testing::SumSamples(*text, family + "_sum", {{label, value}});
    std::optional<double> count =
        churn::testing::SumSamples(*text, family + "_count", {{label, value}});
    if (sum && count) sums[value] = {*sum, *count};
  }
  return sums;
}

std::map<std::string, std::pair<double, double>> StageSums(int metrics_port) {
  return HistogramSums(metrics_port, "churn_gateway_refresh_stage_seconds", "stage",
                       {"stream_signals", "churn_intent", "score", "build_views"});
}

std::map<std::string, std::pair<double, double>> HistoryWriteSums(int metrics_port) {
  return HistogramSums(metrics_port, "churn_gateway_risk_history_write_seconds", "kind",
                       {"changed_rows", "whole_date"});
}

double WriteCount(const std::map<std::string, std::pair<double, double>>& sums) {
  double count = 0;
  for (const auto& [kind, sum_count] : sums) count += sum_count.second;
  return count;
}

bool MeasureServices(Scratch& scratch, const Flags& flags, const fs::path& work) {
  PortReservation ingest_port, scoring_port, enrichment_port, http_port;
  const std::vector<std::pair<std::string, std::vector<std::string>>> plan = {
      {CHURN_SCORING_BINARY, {"--grpc_address=" + Loopback(scoring_port.port()), "--rules_file="}},
      {CHURN_ENRICHMENT_BINARY,
       {"--grpc_address=" + Loopback(enrichment_port.port()), "--ollama_url=http://127.0.0.1:9",
        "--warm_up=false", "--cache_path=" + (work / "enrichment-cache.sqlite").string()}},
      {CHURN_INGEST_BINARY,
       {"--grpc_address=" + Loopback(ingest_port.port()), "--data_dir=" + scratch.dir(),
        absl::StrCat("--watch_interval_ms=", flags.watch_interval_ms),
        absl::StrCat("--watch_file_events=", flags.watch_file_events ? "true" : "false")}},
      {CHURN_GATEWAY_BINARY,
       {"--grpc_address=127.0.0.1:0", "--http_address=" + Loopback(http_port.port()),
        "--ingest_address=" + Loopback(ingest_port.port()),
        "--scoring_address=" + Loopback(scoring_port.port()),
        "--enrichment_address=" + Loopback(enrichment_port.port()),
        absl::StrCat("--refresh_interval_ms=", flags.gateway_refresh_ms),
        "--outcomes_db=" + (work / "outcomes.sqlite").string(),
        "--history_db=" + (work / "risk-history.sqlite").string(),
        // The backfill replays past dates (each a full read of the tables): not a refresh.
        "--history_backfill_days=0", "--web_root=" + std::string(CHURN_SOURCE_DIR) + "/web"}},
  };
  std::vector<std::unique_ptr<ServiceProcess>> processes;
  const Clock::time_point start = Clock::now();
  for (const auto& [binary, args] : plan) {
    absl::StatusOr<std::unique_ptr<ServiceProcess>> process = StartProcess(binary, args);
    if (!process.ok()) {
      std::fprintf(stderr, "%s: %s\n", binary.c_str(),
                   std::string(process.status().message()).c_str());
      return false;
    }
    processes.push_back(*std::move(process));
  }
  ServiceProcess& ingest = *processes[2];
  ServiceProcess& gateway = *processes[3];
  if (!churn::testing::WaitForServing(gateway.grpc_target(), std::chrono::milliseconds(600s))
           .ok()) {
    std::fprintf(stderr, "the gateway never served its first views\n");
    return false;
  }
  const double first_views_ms = Ms(Clock::now() - start);
  auto ingest_stub = churn::v1::IngestService::NewStub(
      grpc::CreateChannel(ingest.grpc_target(), grpc::InsecureChannelCredentials()));
  auto gateway_stub = churn::v1::GatewayService::NewStub(
      grpc::CreateChannel(gateway.grpc_target(), grpc::InsecureChannelCredentials()));
  auto ingest_version = [&] {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    churn::v1::GetSnapshotInfoResponse response;
    return ingest_stub->GetSnapshotInfo(&context, {}, &response).ok()
               ? response.snapshot().version()
               : int64_t{-1};
  };
  auto views_version = [&] {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + 10s);
    churn::v1::GetExecutiveResponse response;
    return gateway_stub->GetExecutive(&context, {}, &response).ok()
               ? response.freshness().snapshot_version()
               : int64_t{-1};
  };
  // Wait until the views are current and the gateway idle.
  while (views_version() != ingest_version()) std::this_thread::sleep_for(10ms);
  std::this_thread::sleep_for(2s);

  std::vector<double> ingest_ms, views_ms;
  const auto stages_before = StageSums(gateway.metrics_port());
  // The first views' write (whole) has landed: the history is written once per publish.
  for (int wait = 0; wait < 600; ++wait) {
    const auto sums = HistoryWriteSums(gateway.metrics_port());
    if (sums.empty() || WriteCount(sums) >= 1) break;
    std::this_thread::sleep_for(100ms);
  }
  const auto history_before = HistoryWriteSums(gateway.metrics_port());
  for (int i = 0; i < flags.repeats; ++i) {
    const int64_t target = ingest_version() + 1;
    const Clock::time_point changed_at = scratch.ChangeTickets();
    std::optional<double> ingest_at;
    while (true) {
      if (!ingest_at && ingest_version() >= target) ingest_at = Ms(Clock::now() - changed_at);
      if (views_version() >= target) break;
      if (Clock::now() - changed_at > 120s) {
        std::fprintf(stderr, "no new views within 120 s\n");
        return false;
      }
      std::this_thread::sleep_for(2ms);
    }
    views_ms.push_back(Ms(Clock::now() - changed_at));
    ingest_ms.push_back(ingest_at.value_or(views_ms.back()));
    std::this_thread::sleep_for(500ms);  // the risk history write after a publish settles
  }
  const auto stages_after = StageSums(gateway.metrics_port());
  // The last refresh's history write (after its publish, on a thread of its own).
  for (int wait = 0; wait < 300 && !history_before.empty() &&
                     WriteCount(HistoryWriteSums(gateway.metrics_port())) <
                         WriteCount(history_before) + flags.repeats;
       ++wait) {
    std::this_thread::sleep_for(100ms);
  }
  const auto history_after = HistoryWriteSums(gateway.metrics_port());
  std::printf("3. real services on loopback (ingest watch %d ms, gateway refresh every %d ms)\n",
              flags.watch_interval_ms, flags.gateway_refresh_ms);
  std::printf("  start -> first views:                     %9.1f ms\n", first_views_ms);
  PrintRow("file change -> ingest serves the new version", ingest_ms);
  PrintRow("file change -> gateway views swapped", views_ms);
  std::printf("  gateway stages (mean per rebuild, churn_gateway_refresh_stage_seconds):\n");
  for (const auto& [stage, after] : stages_after) {
    const auto before = stages_before.at(stage);
    const double count = after.second - before.second;
    std::printf("    %-16s %9.1f ms\n", stage.c_str(),
                count > 0 ? (after.first - before.first) / count * 1000 : 0.0);
  }
  if (history_after.empty()) {
    std::printf(
        "  risk history writes: not measured (no churn_gateway_risk_history_write_seconds)\n");
  } else {
    std::printf(
        "  risk history writes after these refreshes (mean, "
        "churn_gateway_risk_history_write_seconds):\n");
    for (const auto& [kind, after] : history_after) {
      const auto before =
          history_before.count(kind) ? history_before.at(kind) : std::pair<double, double>{0, 0};
      const double count = after.second - before.second;
      if (count <= 0) continue;
      std::printf("    %-16s %9.1f ms   (n=%.0f)\n", kind.c_str(),
                  (after.first - before.first) / count * 1000, count);
    }
  }
  for (auto it = processes.rbegin(); it != processes.rend(); ++it) (void)(*it)->Terminate(30s);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags;
  churn::bench::BenchFlags parser("refresh_bench", kUsage);
  parser.String("data", &flags.data);
  parser.String("work", &flags.work);
  parser.Int("repeats", &flags.repeats, 1);
  parser.Int("watch_interval_ms", &flags.watch_interval_ms, 1);
  parser.Int("gateway_refresh_ms", &flags.gateway_refresh_ms, 1);
  parser.Custom("e2e", [&](const std::string& value) {
    if (value != "true" && value != "false") return false;
    flags.e2e = value == "true";
    return true;
  });
  parser.Custom("watch_file_events", [&](const std::string& value) {
    if (value != "true" && value != "false") return false;
    flags.watch_file_events = value == "true";
    return true;
  });
  if (std::optional<int> exit_code = parser.Parse(argc, argv)) return *exit_code;
  if (flags.data.empty()) {
    std::fprintf(stderr, "%s", kUsage);
    return 2;
  }
  const fs::path work = flags.work.empty()
                            ? fs::temp_directory_path() / absl::StrCat("refresh-bench-", getpid())
                            : fs::path(flags.work);
  Scratch scratch(flags.data, work);
  double load[3] = {0, 0, 0};
  if (getloadavg(load, 3) > 0) std::printf("load average %.2f %.2f %.2f\n", load[0], load[1], load[2]);
  bool ok = MeasureStages(scratch, flags);
  ok = MeasureWatchedStore(scratch, flags) && ok;
  if (flags.e2e) ok = MeasureServices(scratch, flags, work) && ok;
  if (flags.work.empty()) fs::remove_all(work);
  return ok ? 0 : 1;
}
