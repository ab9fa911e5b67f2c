// The risk history's costs after a publish, in process, on a real SQLite file:
//
//   risk_history_bench [CUSTOMERS=101000] [DATES=8] [CHANGED=100] [REPEATS=5]
//
// A history of CUSTOMERS customers over DATES weekly snapshot dates (the backfill's shape) is
// written into a fresh file, then, REPEATS times each, medians printed:
//   - a whole rewrite of the newest date (a store that wrote nothing yet: every row deleted and
//     inserted again, what every publish cost before rows were compared): the baseline;
//   - a rewrite of the same date by the store that wrote it last, with CHANGED customers'
//     scores changed (only those rows written), and with none changed;
//   - reading the movements the views use (RiskHistoryStore::Movements).
// Wall and CPU milliseconds of this thread, with the ratios to the whole rewrite.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "riskhistory/history_store.h"

namespace {

namespace fs = std::filesystem;
using churn::riskhistory::HistoryEntry;
using churn::riskhistory::RiskHistoryStore;
using churn::scoring::RiskLevel;

double ThreadCpuMs() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return usage.ru_utime.tv_sec * 1e3 + usage.ru_utime.tv_usec / 1e3 + usage.ru_stime.tv_sec * 1e3 +
         usage.ru_stime.tv_usec / 1e3;
}

struct Timing {
  double wall_ms;
  double cpu_ms;
};

Timing Time(const std::function<void()>& work) {
  const double cpu = ThreadCpuMs();
  const auto start = std::chrono::steady_clock::now();
  work();
  return {
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count(),
      ThreadCpuMs() - cpu};
}

Timing Median(std::vector<Timing> timings) {
  auto middle = [&](auto field) {
    std::vector<double> values;
    for (const Timing& timing : timings) values.push_back(timing.*field);
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
  };
  return {middle(&Timing::wall_ms), middle(&Timing::cpu_ms)};
}

std::vector<HistoryEntry> Population(int customers, std::mt19937& random) {
  const std::vector<std::string> rules = {"usage_drop", "support_load", "trial", "errors"};
  std::vector<HistoryEntry> entries(static_cast<size_t>(customers));
  for (int i = 0; i < customers; ++i) {
    HistoryEntry& entry = entries[static_cast<size_t>(i)];
    entry.customer_id = "S-" + std::to_string(1000000 + i);
    entry.score = static_cast<int>(random() % 101);
    entry.level = entry.score >= 60   ? RiskLevel::kHigh
                  : entry.score >= 30 ? RiskLevel::kMedium
                                      : RiskLevel::kLow;
    for (const std::string& rule : rules) {
      if (random() % 3 == 0) entry.fired_rules.push_back(rule);
    }
  }
  return entries;
}

std::unique_ptr<RiskHistoryStore> Open(const std::string& path) {
  auto store = RiskHistoryStore::Open(path, churn::riskhistory::HistoryStoreOptions{0});
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    std::exit(1);
  }
  return *std::move(store);
}

void Check(const absl::Status& status) {
  if (!status.ok()) {
    std::fprintf(stderr, "%s\n", status.ToString().c_str());
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int customers = argc > 1 ? std::atoi(argv[1]) : 101000;
  const int dates = argc > 2 ? std::atoi(argv[2]) : 8;
  const int changed = argc > 3 ? std::atoi(argv[3]) : 100;
  const int repeats = argc > 4 ? std::atoi(argv[4]) : 5;
  if (customers < 1 || dates < 1 || changed < 0 || changed > customers || repeats < 1) {
    std::fprintf(stderr,
                 "usage: risk_history_bench [CUSTOMERS=101000] [DATES=8] [CHANGED=100] "
                 "[REPEATS=5]\n");
    return 2;
  }
  const fs::path dir =
      fs::temp_directory_path() / ("risk_history_bench_" + std::to_string(getpid()));
  fs::remove_all(dir);
  const std::string path = (dir / "history.sqlite").string();
  std::mt19937 random(11);
  std::vector<HistoryEntry> entries = Population(customers, random);
  const churn::dataset::Day newest = 20000;
  {
    auto store = Open(path);
    for (int d = dates - 1; d >= 0; --d) Check(store->WriteSnapshot(newest - 7 * d, entries));
  }
  std::printf("risk history of %d customers over %d dates (%s)\n", customers, dates, path.c_str());

  std::vector<Timing> whole, some, none, movements;
  for (int r = 0; r < repeats; ++r) {
    // A store without fingerprints: the date rewritten whole, as every publish did before.
    auto store = Open(path);
    whole.push_back(Time([&] { Check(store->WriteSnapshot(newest, entries)); }));
    for (int k = 0; k < changed; ++k) {
      HistoryEntry& entry = entries[random() % entries.size()];
      entry.score = (entry.score + 1) % 101;
    }
    some.push_back(Time([&] { Check(store->WriteSnapshot(newest, entries)); }));
    none.push_back(Time([&] { Check(store->WriteSnapshot(newest, entries)); }));
    movements.push_back(Time([&] {
      absl::StatusOr<churn::riskhistory::RiskMovements> read = store->Movements();
      Check(read.status());
    }));
  }
  const Timing base = Median(whole);
  auto print = [&](const char* what, const Timing& timing) {
    std::printf("  %-44s wall %9.1f ms  cpu %9.1f ms  (%.3fx the whole rewrite's cpu)\n", what,
                timing.wall_ms, timing.cpu_ms, base.cpu_ms > 0 ? timing.cpu_ms / base.cpu_ms : 0);
  };
  print("whole rewrite of the newest date (baseline)", base);
  const std::string some_label = "rewrite, " + std::to_string(changed) + " rows changed";
  print(some_label.c_str(), Median(some));
  print("rewrite, nothing changed", Median(none));
  print("movements read (RiskHistoryStore::Movements)", Median(movements));
  fs::remove_all(dir);
  return 0;
}
