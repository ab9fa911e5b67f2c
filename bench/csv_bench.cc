// Throughput of the CSV reader on a feature-usage-like table, next to two baselines run in
// the same process: counting lines with memchr (the floor for any parser) and
// std::getline + splitting on ',' (what a naive reader does).

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "benchmark/benchmark.h"
#include "csv/reader.h"

namespace {

constexpr size_t kTableBytes = size_t{64} << 20;
constexpr size_t kChunkBytes = size_t{1} << 20;
constexpr char kRavenstackUsagePath[] = "/work/shared/data/ravenstack/ravenstack_feature_usage.csv";

// Rows shaped like ravenstack_feature_usage.csv, from a fixed-seed generator so every run
// measures the same bytes.
std::string MakeUsageTable(size_t min_bytes) {
  std::string text =
      "usage_id,subscription_id,usage_date,feature_name,usage_count,usage_duration_secs,"
      "error_count,is_beta_feature\n";
  text.reserve(min_bytes + 128);
  uint64_t state = 0x5eed;
  char row[128];
  while (text.size() < min_bytes) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const auto bits = static_cast<uint32_t>(state >> 32);
    const int length =
        std::snprintf(row, sizeof row, "U-%06x,S-%06x,2023-%02u-%02u,feature_%u,%u,%u,%u,%s\n",
                      bits & 0xffffff, (bits >> 8) & 0xffffff, 1 + bits % 12, 1 + (bits >> 4) % 28,
                      1 + (bits >> 9) % 40, (bits >> 3) % 20, (bits >> 11) % 9000,
                      (bits >> 5) % 3 == 0 ? 1u : 0u, (bits >> 7) % 4 == 0 ? "True" : "False");
    text.append(row, static_cast<size_t>(length));
  }
  return text;
}

// The generated table on disk; removed when the benchmark exits.
class TableFile {
 public:
  TableFile()
      : path_((std::filesystem::temp_directory_path() /
               ("csv_bench_" + std::to_string(::getpid()) + ".csv"))
                  .string()) {
    const std::string text = MakeUsageTable(kTableBytes);
    std::ofstream out(path_, std::ios::binary);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    size_ = static_cast<int64_t>(text.size());
  }
  ~TableFile() { std::remove(path_.c_str()); }
  TableFile(const TableFile&) = delete;
  TableFile& operator=(const TableFile&) = delete;

  const std::string& path() const { return path_; }
  int64_t size() const { return size_; }

 private:
  std::string path_;
  int64_t size_ = 0;
};

const TableFile& Table() {
  static const TableFile table;
  return table;
}

// Reads every record, touching each field, and returns the bytes read.
int64_t ReadAllFields(const std::string& path, benchmark::State& state) {
  auto reader = churn::csv::Reader::OpenFile(path);
  if (!reader.ok()) {
    state.SkipWithError(std::string(reader.status().message()).c_str());
    return 0;
  }
  size_t field_bytes = 0;
  for (;;) {
    absl::StatusOr<bool> more = (*reader)->Next();
    if (!more.ok()) {
      state.SkipWithError(std::string(more.status().message()).c_str());
      return 0;
    }
    if (!*more) break;
    for (std::string_view field : (*reader)->fields()) field_bytes += field.size();
  }
  benchmark::DoNotOptimize(field_bytes);
  return (*reader)->bytes_read();
}

void BM_CsvReaderFile(benchmark::State& state) {
  const TableFile& table = Table();
  for (auto _ : state) {
    if (ReadAllFields(table.path(), state) != table.size()) return;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * table.size());
}
BENCHMARK(BM_CsvReaderFile)->Unit(benchmark::kMillisecond);

void BM_BaselineLineScan(benchmark::State& state) {
  const TableFile& table = Table();
  std::unique_ptr<char[]> chunk(new char[kChunkBytes]);
  for (auto _ : state) {
    const int fd = ::open(table.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      state.SkipWithError("cannot open the generated table");
      return;
    }
    size_t lines = 0;
    ssize_t count;
    while ((count = ::read(fd, chunk.get(), kChunkBytes)) > 0) {
      const char* p = chunk.get();
      const char* const end = p + count;
      while (const void* newline = std::memchr(p, '\n', static_cast<size_t>(end - p))) {
        ++lines;
        p = static_cast<const char*>(newline) + 1;
      }
    }
    ::close(fd);
    benchmark::DoNotOptimize(lines);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * table.size());
}
BENCHMARK(BM_BaselineLineScan)->Unit(benchmark::kMillisecond);

void BM_BaselineGetlineSplit(benchmark::State& state) {
  const TableFile& table = Table();
  for (auto _ : state) {
    std::ifstream in(table.path(), std::ios::binary);
    std::string line;
    std::vector<std::string_view> fields;
    size_t field_bytes = 0;
    // No quote handling at all: this is the floor a naive line splitter gets.
    while (std::getline(in, line)) {
      fields.clear();
      std::string_view rest = line;
      for (size_t comma; (comma = rest.find(',')) != std::string_view::npos;) {
        fields.push_back(rest.substr(0, comma));
        rest.remove_prefix(comma + 1);
      }
      fields.push_back(rest);
      for (std::string_view field : fields) field_bytes += field.size();
    }
    benchmark::DoNotOptimize(field_bytes);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * table.size());
}
BENCHMARK(BM_BaselineGetlineSplit)->Unit(benchmark::kMillisecond);

void BM_CsvReaderRavenstackUsage(benchmark::State& state) {
  std::error_code error;
  const auto size = std::filesystem::file_size(kRavenstackUsagePath, error);
  if (error) {
    state.SkipWithError("ravenstack_feature_usage.csv not present");
    return;
  }
  for (auto _ : state) {
    if (ReadAllFields(kRavenstackUsagePath, state) != static_cast<int64_t>(size)) return;
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(size));
}
BENCHMARK(BM_CsvReaderRavenstackUsage)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
