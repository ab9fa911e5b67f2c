// End-to-end throughput: data folder -> signals -> scored at-risk list, against a baseline
// measured in the same run (a bare CSV parse of the same files, the floor for any loader).
//
// Usage: pipeline_bench DATA_DIR [REPEATS]
// Prints rows/s and MB/s for both, their ratio, and the process's peak resident memory.

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "csv/reader.h"
#include "dataset/loader.h"
#include "scoring/rule_set.h"
#include "signals/signal_builder.h"
#include "reports/scored_customer.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

long PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

struct Pass {
  double seconds = 0;
  int64_t rows = 0;
  int64_t bytes = 0;
};

// Baseline: parse every table with the CSV reader and touch each field, nothing else.
Pass ParseOnly(const churn::dataset::DataFiles& files) {
  Pass pass;
  const Clock::time_point start = Clock::now();
  size_t checksum = 0;
  for (const std::string& path : files.paths) {
    auto reader = churn::csv::Reader::OpenFile(path);
    if (!reader.ok()) {
      std::fprintf(stderr, "%s\n", std::string(reader.status().message()).c_str());
      std::exit(1);
    }
    while (true) {
      absl::StatusOr<bool> more = (*reader)->Next();
      if (!more.ok() || !*more) break;
      for (std::string_view field : (*reader)->fields()) checksum += field.size();
      ++pass.rows;
    }
    pass.bytes += (*reader)->bytes_read();
  }
  pass.seconds = Seconds(start);
  if (checksum == 0) std::fprintf(stderr, "empty input\n");
  return pass;
}

Pass Pipeline(const churn::dataset::DataFiles& files, size_t* customers, size_t* retained,
              int* high) {
  Pass pass;
  const Clock::time_point start = Clock::now();
  absl::StatusOr<churn::SignalSnapshot> snapshot = churn::BuildSignals(files, {});
  if (!snapshot.ok()) {
    std::fprintf(stderr, "%s\n", std::string(snapshot.status().message()).c_str());
    std::exit(1);
  }
  for (const churn::dataset::TableStats& table : snapshot->report.tables) {
    pass.rows += table.rows;
    pass.bytes += table.bytes;
  }
  *retained = snapshot->usage_entries_retained;
  std::vector<churn::reports::ScoredCustomer> scored =
      churn::reports::ScoreAll(churn::scoring::DefaultRuleSet(), std::move(snapshot->customers));
  pass.seconds = Seconds(start);
  *customers = scored.size();
  *high = 0;
  for (const auto& customer : scored) {
    *high += customer.assessment.risk_level == churn::scoring::RiskLevel::kHigh;
  }
  return pass;
}

void Print(const char* name, const Pass& pass) {
  std::printf("%-22s %8.3f s  %12lld rows  %10.0f rows/s  %8.1f MB/s\n", name, pass.seconds,
              static_cast<long long>(pass.rows), pass.rows / pass.seconds,
              pass.bytes / pass.seconds / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: pipeline_bench DATA_DIR [REPEATS]\n");
    return 2;
  }
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 1;
  absl::StatusOr<churn::dataset::DataFiles> files = churn::dataset::FindDataFiles(argv[1]);
  if (!files.ok()) {
    std::fprintf(stderr, "%s\n", std::string(files.status().message()).c_str());
    return 1;
  }
  // The baseline runs first so the peak memory printed after it is the parser's alone.
  Pass best_parse, best_pipeline;
  for (int i = 0; i < repeats; ++i) {
    Pass parse = ParseOnly(*files);
    if (i == 0 || parse.seconds < best_parse.seconds) best_parse = parse;
  }
  const long parse_rss = PeakRssMiB();
  size_t customers = 0, retained = 0;
  int high = 0;
  for (int i = 0; i < repeats; ++i) {
    Pass pipeline = Pipeline(*files, &customers, &retained, &high);
    if (i == 0 || pipeline.seconds < best_pipeline.seconds) best_pipeline = pipeline;
  }
  std::printf("data: %s (%.1f MB, best of %d)\n", argv[1], best_parse.bytes / 1e6, repeats);
  Print("baseline: csv parse", best_parse);
  Print("pipeline: load+score", best_pipeline);
  std::printf("pipeline / baseline throughput: %.2f\n", best_parse.seconds / best_pipeline.seconds);
  std::printf("customers scored: %zu (%d High); usage cells held: %zu\n", customers, high, retained);
  std::printf("peak RSS: %ld MiB after baseline, %ld MiB after pipeline\n", parse_rss, PeakRssMiB());
  return 0;
}
