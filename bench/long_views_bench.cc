// The cost of ingest's long views (setting long_views): a snapshot load of a data folder without
// them (the baseline) and with them, alternating in the same run, through the same SnapshotStore
// ingest uses. Reports the median load time of each and their ratio, the StreamSignals bytes per
// customer (the proto messages ingest streams) and, per mode, the peak resident memory.
//
// Usage: long_views_bench DATA_DIR [REPEATS] [off|on|both]
// Peak memory only grows within a process: run `off` and `on` as separate processes to compare
// it (scripts/bench-long-views.sh does both).

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "churn/v1/common.pb.h"
#include "convert/signals_convert.h"
#include "snapshots/snapshot_store.h"

namespace {

using Clock = std::chrono::steady_clock;

long PeakRssKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

struct Mode {
  bool long_views = false;
  std::vector<double> seconds;
  size_t proto_bytes = 0;
  size_t customers = 0;
  size_t with_views = 0;
};

void LoadOnce(const std::string& dir, Mode* mode) {
  // A fresh store each time: an identical reload would publish nothing and cost only the hash.
  churn::snapshots::SnapshotStoreOptions options;
  options.long_views = mode->long_views;
  churn::snapshots::SnapshotStore store(options);
  const Clock::time_point start = Clock::now();
  auto loaded = store.LoadFolder(dir, std::nullopt);
  mode->seconds.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s\n", loaded.status().ToString().c_str());
    std::exit(1);
  }
  mode->proto_bytes = 0;
  mode->with_views = 0;
  const auto& customers = loaded->snapshot->signals.customers;
  mode->customers = customers.size();
  for (const churn::CustomerSignals& c : customers) {
    churn::v1::CustomerSignals proto;
    churn::convert::ToProto(c, &proto);
    mode->proto_bytes += proto.ByteSizeLong();
    if (c.long_views) ++mode->with_views;
  }
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DATA_DIR [REPEATS] [off|on|both]\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  const int repeats = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  const std::string which = argc > 3 ? argv[3] : "both";
  std::vector<Mode> modes;
  for (const bool on : {false, true}) {
    if (which == (on ? "off" : "on")) continue;
    modes.emplace_back();
    modes.back().long_views = on;
  }
  for (int r = 0; r < repeats; ++r) {
    for (Mode& mode : modes) LoadOnce(dir, &mode);  // alternating: the same load on the machine
  }
  for (const Mode& mode : modes) {
    std::printf("long_views=%-3s load median %.3f s over %d, %zu customers (%zu with long views), "
                "StreamSignals %.0f bytes/customer\n",
                mode.long_views ? "on" : "off", Median(mode.seconds), repeats, mode.customers,
                mode.with_views, static_cast<double>(mode.proto_bytes) / mode.customers);
  }
  if (modes.size() == 2) {
    std::printf("ratio on/off: load time %.2f, StreamSignals bytes %.2f\n",
                Median(modes[1].seconds) / Median(modes[0].seconds),
                static_cast<double>(modes[1].proto_bytes) / modes[0].proto_bytes);
  }
  std::printf("peak RSS %ld KiB (%s)\n", PeakRssKiB(), which.c_str());
  return 0;
}
