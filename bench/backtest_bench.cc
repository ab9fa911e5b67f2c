// The backtest on 100,000 generated accounts (planted mode, 240 days of history, 4 monthly
// as-of dates, 1000 bootstrap replicates): the whole run from the five CSV files, and the part
// after loading (scoring every as-of population and the metrics).
//
// Usage: backtest_bench [--benchmark_...]. Set CHURN_BACKTEST_BENCH_DATA=DIR to reuse a folder
// made by `churnctl generate --mode planted --accounts 100000 --history-days 240`; otherwise
// the data set is generated into a temporary folder and removed at exit.

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "backtest/backtest.h"
#include "benchmark/benchmark.h"
#include "demodata/generator.h"
#include "scoring/rule_set.h"

namespace {

namespace fs = std::filesystem;

struct BenchData {
  std::string dir;
  bool owned = false;
  ~BenchData() {
    if (owned) fs::remove_all(dir);
  }
};

const BenchData& Data() {
  static BenchData data = [] {
    BenchData d;
    if (const char* dir = std::getenv("CHURN_BACKTEST_BENCH_DATA")) {
      d.dir = dir;
      return d;
    }
    d.dir =
        (fs::temp_directory_path() / ("churn_backtest_bench_" + std::to_string(getpid()))).string();
    d.owned = true;
    churn::demodata::GeneratorOptions options;
    options.mode = churn::demodata::GeneratorMode::kPlanted;
    options.accounts = 100'000;
    options.history_days = 240;
    churn::demodata::GeneratedCounts counts;
    if (absl::Status status = churn::demodata::GenerateDemoData(options, d.dir, &counts);
        !status.ok()) {
      std::fprintf(stderr, "generate: %s\n", std::string(status.message()).c_str());
      std::exit(1);
    }
    std::fprintf(
        stderr, "generated %lld accounts, %lld subscriptions, %lld usage rows (%lld MB)\n",
        static_cast<long long>(counts.accounts), static_cast<long long>(counts.subscriptions),
        static_cast<long long>(counts.usage_rows), static_cast<long long>(counts.bytes >> 20));
    return d;
  }();
  return data;
}

churn::backtest::BacktestOptions Options() {
  churn::backtest::BacktestOptions options;
  options.from = *churn::dataset::ParseDate("2024-07-06");
  options.to = *churn::dataset::ParseDate("2024-10-03");
  return options;
}

churn::dataset::DataFiles Files() {
  absl::StatusOr<churn::dataset::DataFiles> files = churn::dataset::FindDataFiles(Data().dir);
  if (!files.ok()) {
    std::fprintf(stderr, "%s\n", std::string(files.status().message()).c_str());
    std::exit(1);
  }
  return *files;
}

void Report(benchmark::State& state, const churn::backtest::BacktestReport& report) {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["rows"] = static_cast<double>(report.rows);
  state.counters["customers"] = static_cast<double>(report.customers);
  state.counters["roc_auc"] = report.rules.roc_auc.value_or(0);
  state.counters["peak_rss_mib"] = static_cast<double>(usage.ru_maxrss / 1024);
}

void BM_BacktestFromFiles(benchmark::State& state) {
  const churn::dataset::DataFiles files = Files();
  for (auto _ : state) {
    absl::StatusOr<churn::backtest::BacktestReport> report =
        churn::backtest::RunBacktest(files, churn::scoring::DefaultRuleSet(), Options());
    if (!report.ok())
      state.SkipWithError(std::string(report.status().message()).c_str());
    else
      Report(state, *report);
  }
}

void BM_BacktestAfterLoading(benchmark::State& state) {
  const churn::backtest::BacktestOptions options = Options();
  absl::StatusOr<churn::SignalHistory> history =
      churn::SignalHistory::Load(Files(), *churn::backtest::AsOfDates(options));
  if (!history.ok()) {
    state.SkipWithError(std::string(history.status().message()).c_str());
    return;
  }
  for (auto _ : state) {
    absl::StatusOr<churn::backtest::BacktestReport> report =
        churn::backtest::RunBacktest(*history, churn::scoring::DefaultRuleSet(), options);
    if (!report.ok())
      state.SkipWithError(std::string(report.status().message()).c_str());
    else
      Report(state, *report);
  }
}

BENCHMARK(BM_BacktestFromFiles)->Unit(benchmark::kSecond)->Iterations(2);
BENCHMARK(BM_BacktestAfterLoading)->Unit(benchmark::kSecond)->Iterations(2);

}  // namespace

BENCHMARK_MAIN();
