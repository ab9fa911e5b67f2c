// The gateway's views build (viewsets::ViewSet::Build) on a real data folder's scored customers:
// what a refresh spends after scoring. Prints the median and extremes over REPEATS builds; the
// copy of the inputs each build consumes is not timed.
//
// Usage: view_set_bench DATA_DIR RULES_YAML [REPEATS]
// For a profile: perf record -g view_set_bench DATA_DIR config/scoring.yaml 30

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

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: view_set_bench DATA_DIR RULES_YAML [REPEATS]\n");
    return 2;
  }
  const int repeats = argc > 3 ? std::max(1, std::atoi(argv[3])) : 10;
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
  for (int r = 0; r < repeats; ++r) {
    churn::viewsets::ViewSetInputs copy = inputs;
    const Clock::time_point start = Clock::now();
    std::shared_ptr<const churn::viewsets::ViewSet> views =
        churn::viewsets::ViewSet::Build(std::move(copy));
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    if (views->at_risk().size() != inputs.customers.size()) return 1;
  }
  std::sort(ms.begin(), ms.end());
  std::printf("customers %zu  build_views median %.1f ms  min %.1f  max %.1f  (%d builds)\n",
              inputs.customers.size(), ms[ms.size() / 2], ms.front(), ms.back(), repeats);
  return 0;
}
