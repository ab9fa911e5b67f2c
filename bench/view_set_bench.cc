// The gateway's views build (viewsets::ViewSet::Build) on a real data folder's scored customers:
// what a refresh spends after scoring. Prints the median and extremes over REPEATS builds; the
// copy of the inputs each build consumes is not timed. Then the same for ViewSet::Update with one
// customer rescored (a tickets change): the refresh's build when few customers changed.
//
// Usage: view_set_bench DATA_DIR RULES_YAML [REPEATS] [BUILD_REPEATS]
// (BUILD_REPEATS, default REPEATS: the timed builds; 0 times only the updates.)
// For a profile: perf record --call-graph dwarf view_set_bench DATA_DIR config/scoring.yaml 30

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "reports/scored_customer.h"
#include "scoring/rule_set.h"
#include "signals/signal_builder.h"
#include "viewsets/view_set.h"

namespace {

using Clock = std::chrono::steady_clock;

// The process's CPU time (all threads), in ms: on a loaded machine the wall time of one update
// mostly says how long it waited for a core.
double CpuMs() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: view_set_bench DATA_DIR RULES_YAML [REPEATS] [BUILD_REPEATS]\n");
    return 2;
  }
  const int repeats = argc > 3 ? std::max(1, std::atoi(argv[3])) : 10;
  const int build_repeats = argc > 4 ? std::max(0, std::atoi(argv[4])) : repeats;
  absl::StatusOr<churn::scoring::RuleSet> rules = churn::scoring::LoadRuleSetFile(argv[2]);
  if (!rules.ok()) {
    std::fprintf(stderr, "%s\n", rules.status().ToString().c_str());
    return 1;
  }
  absl::StatusOr<churn::SignalSnapshot> snapshot =
      churn::BuildSignalsFromFolder(argv[1], churn::SignalOptions());
  if (!snapshot.ok()) {
    std::fprintf(stderr, "%s\n", snapshot.status().ToString().c_str());
    return 1;
  }
  churn::viewsets::ViewSetInputs inputs;
  inputs.customers = churn::reports::ScoreAll(*rules, std::move(snapshot->customers));
  inputs.usage_window_end = snapshot->usage_window_end;
  inputs.support_window_end = snapshot->support_window_end;
  inputs.churn_reason_counts = snapshot->churn_reason_counts;
  inputs.rule_labels = churn::scoring::RuleLabels(*rules);
  std::vector<double> ms;
  std::vector<double> build_cpu_ms;
  for (int r = 0; r < build_repeats; ++r) {
    churn::viewsets::ViewSetInputs copy = inputs;
    const Clock::time_point start = Clock::now();
    const double cpu_start = CpuMs();
    std::shared_ptr<const churn::viewsets::ViewSet> views =
        churn::viewsets::ViewSet::Build(std::move(copy));
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    build_cpu_ms.push_back(CpuMs() - cpu_start);
    if (views->at_risk().size() != inputs.customers.size()) return 1;
  }
  if (!ms.empty()) {
    std::sort(ms.begin(), ms.end());
    std::sort(build_cpu_ms.begin(), build_cpu_ms.end());
    std::printf(
        "customers %zu  build_views median %.1f ms  min %.1f  max %.1f  (%d builds)  CPU median "
        "%.1f ms  min %.1f  max %.1f\n",
        inputs.customers.size(), ms[ms.size() / 2], ms.front(), ms.back(), build_repeats,
        build_cpu_ms[build_cpu_ms.size() / 2], build_cpu_ms.front(), build_cpu_ms.back());
  }

  // One customer at a time rescored (its score up by one), each update from the one before.
  std::shared_ptr<const churn::viewsets::ViewSet> views =
      churn::viewsets::ViewSet::Build(churn::viewsets::ViewSetInputs(inputs));
  ms.clear();
  std::vector<double> cpu_ms;
  int incremental = 0;
  for (int r = 0; r < repeats && !views->at_risk().empty(); ++r) {
    const uint32_t changed = static_cast<uint32_t>((r * 7919u) % views->at_risk().size());
    std::vector<uint32_t> kept;
    kept.reserve(views->at_risk().size());
    for (uint32_t i = 0; i < views->at_risk().size(); ++i) {
      if (i != changed) kept.push_back(i);
    }
    churn::viewsets::ViewSetInputs update;  // the figures of `inputs`, not its customers
    update.usage_window_end = inputs.usage_window_end;
    update.support_window_end = inputs.support_window_end;
    update.churn_reason_counts = inputs.churn_reason_counts;
    update.rule_labels = inputs.rule_labels;
    update.customers = {views->at_risk()[changed]};
    ++update.customers[0].assessment.risk_score;
    const Clock::time_point start = Clock::now();
    const double cpu_start = CpuMs();
    views = churn::viewsets::ViewSet::Update(*views, kept, std::move(update));
    cpu_ms.push_back(CpuMs() - cpu_start);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (views->built_incrementally()) ++incremental;
  }
  if (!ms.empty()) {
    std::sort(ms.begin(), ms.end());
    std::sort(cpu_ms.begin(), cpu_ms.end());
    std::printf(
        "customers %zu  update_views (1 rescored) median %.2f ms  min %.2f  max %.2f  "
        "(%d updates, %d merged)  CPU median %.2f ms  min %.2f  max %.2f\n",
        views->at_risk().size(), ms[ms.size() / 2], ms.front(), ms.back(), repeats, incremental,
        cpu_ms[cpu_ms.size() / 2], cpu_ms.front(), cpu_ms.back());
  }
  return 0;
}
