// The at-risk page past the page cache, in process: a ViewSet of N synthetic customers shaped
// like the generated data's (row strings and vectors on the heap, allocated in input order, so a
// page in ARR order reads rows scattered over the whole storage) with a risk movement each, then
// many random pages of `risk_level=High,Medium&sort=-arr&limit=50` (the query of
// bench/at_risk_many_pages.lua): the query (QueryAtRisk, its matched rows remembered after the
// first), the page's JSON (AppendAtRiskPageJson) and the page served as the HTTP API serves it
// (GatewayApi's listing with the held movement columns, through the AtRiskPageCache, which
// such pages miss), timed apart. Prints CPU microseconds per page.
//
// Usage: at_risk_page_bench [CUSTOMERS] [PAGES]   (default 1000000 customers, 20000 pages)
// For a profile: perf record -g at_risk_page_bench

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "at_risk_listing.h"
#include "at_risk_page_cache.h"
#include "at_risk_page_json.h"
#include "riskhistory/risk_movements.h"
#include "viewsets/at_risk_query.h"
#include "viewsets/view_set.h"

namespace {

// This thread's CPU time: the machine may be shared, and waiting for the CPU is not the page's.
struct Clock {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<Clock, duration>;
  static time_point now() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return time_point(std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec));
  }
};
using churn::SharedText;

std::vector<churn::reports::ScoredCustomer> SyntheticCustomers(size_t n) {
  std::mt19937_64 random(11);
  auto pick = [&](uint64_t k) { return random() % k; };
  const std::vector<SharedText> rules = {"usage_drop", "ticket_spike", "low_csat",
                                         "escalated",  "no_activity",  "downgrade"};
  const std::vector<SharedText> reasons = {
      "Usage dropped more than 40% against the previous 30 days",
      "Support tickets rose sharply in the last 30 days",
      "Satisfaction below 3 of 5",
      "An escalated ticket in the last 30 days",
      "No product activity for 21 days",
      "Downgraded the plan recently"};
  const std::vector<SharedText> actions = {
      "Schedule an executive business review", "Offer a training session",
      "Escalate to the account manager", "Review open tickets with support"};
  const std::vector<std::string> tiers = {"Basic", "Pro", "Enterprise"};
  const std::vector<std::string> industries = {"FinTech", "HealthTech", "EdTech", "Cybersecurity",
                                               "DevTools"};
  std::vector<churn::reports::ScoredCustomer> rows(n);
  for (size_t i = 0; i < n; ++i) {
    churn::reports::ScoredCustomer& row = rows[i];
    churn::CustomerSignals& s = row.signals;
    s.customer_id = "S-" + std::to_string(10000000 + i);
    s.account_id = "A-" + std::to_string(1000000 + i / 2);
    s.account_name = "Company " + std::to_string(pick(1000000)) + " Holdings International";
    s.industry = industries[pick(industries.size())];
    s.country = "US";
    s.plan_tier = tiers[pick(tiers.size())];
    s.arr = 100.0 * static_cast<double>(pick(5000));
    s.usage_30d = static_cast<int64_t>(pick(5000));
    s.usage_prev30d = static_cast<int64_t>(pick(5000));
    s.usage_drop_pct = static_cast<double>(pick(1000)) / 997.0;
    s.errors_30d = static_cast<int64_t>(pick(50));
    s.tickets_30d = static_cast<int64_t>(pick(8));
    if (pick(2)) s.satisfaction_score = 1.0 + static_cast<double>(pick(40)) / 10.0;
    if (pick(2)) s.avg_first_response_min = static_cast<double>(pick(3000)) / 7.0;
    churn::scoring::Assessment& a = row.assessment;
    a.customer_id = s.customer_id;
    const size_t fired = pick(4);
    for (size_t k = 0; k < fired; ++k) {
      const size_t r = pick(rules.size());
      a.fired_rules.push_back({rules[r], "high", 10 + static_cast<int>(pick(30)), reasons[r]});
      a.reasons.push_back(reasons[r]);
      a.risk_score += a.fired_rules.back().points;
    }
    a.risk_score = std::min(a.risk_score, 100);
    a.risk_level = a.risk_score >= 60   ? churn::scoring::RiskLevel::kHigh
                   : a.risk_score >= 30 ? churn::scoring::RiskLevel::kMedium
                                        : churn::scoring::RiskLevel::kLow;
    for (size_t k = 0; k < std::min<size_t>(fired, 2); ++k) {
      a.actions.push_back(actions[pick(actions.size())]);
    }
    a.top_reasons = churn::JoinTexts(a.reasons, "; ");
    a.recommended_actions = churn::JoinTexts(a.actions, "; ");
  }
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  const size_t customers = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1000000;
  const int pages = argc > 2 ? std::max(1, std::atoi(argv[2])) : 20000;
  churn::viewsets::ViewSetInputs inputs;
  inputs.customers = SyntheticCustomers(customers);
  auto movements = std::make_shared<churn::riskhistory::RiskMovements>();
  std::mt19937_64 random(12);
  for (const churn::reports::ScoredCustomer& row : inputs.customers) {
    churn::riskhistory::RiskMovement movement;
    if (random() % 4 != 0) movement.score_change_30d = static_cast<int>(random() % 41) - 20;
    movement.entered_high = random() % 9 == 0;
    movements->by_customer.try_emplace(row.signals.customer_id, movement);
  }
  movements->generation = 1;
  std::shared_ptr<const churn::viewsets::ViewSet> views =
      churn::viewsets::ViewSet::Build(std::move(inputs));

  // The first query with a movement filter on new views lays the movements out by row (once per
  // views and movements generation): what that first query pays.
  {
    churn::viewsets::AtRiskQuery moved;
    moved.min_score_change_30d = 5;
    moved.limit = 50;
    moved.movements = movements.get();
    const Clock::time_point start = Clock::now();
    if (!churn::viewsets::QueryAtRisk(*views, moved).ok()) return 1;
    std::printf("first movement query on new views: %.1f ms of CPU (the movement columns built)\n",
                std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  churn::viewsets::AtRiskQuery query;
  query.risk_levels = {churn::scoring::RiskLevel::kHigh, churn::scoring::RiskLevel::kMedium};
  query.sort = churn::viewsets::AtRiskSort::kArr;
  query.limit = 50;
  query.movements = movements.get();
  Clock::duration querying{}, writing{}, serving{};
  size_t bytes = 0;
  std::string body;
  churn::gateway::AtRiskPageCache page_cache;
  for (int p = 0; p < pages; ++p) {
    query.offset = 50 * (random() % 2000);
    const Clock::time_point start = Clock::now();
    absl::StatusOr<churn::viewsets::AtRiskPage> page = churn::viewsets::QueryAtRisk(*views, query);
    if (!page.ok()) return 1;
    const Clock::time_point queried = Clock::now();
    churn::gateway::AtRiskListing listing;
    listing.views = views;
    listing.movements = movements;
    listing.movement_columns = churn::viewsets::HeldMovementColumns(*views, *movements);
    listing.page = *std::move(page);
    body.clear();
    body.shrink_to_fit();  // a new response's body, as the server's
    // Even pages written, odd ones served (each timed on rows not yet in the CPU caches).
    const bool serve = p % 2 == 1;
    if (serve) {
      page_cache.AppendPageJson(listing, &body);
    } else {
      churn::gateway::AppendAtRiskPageJson(listing, &body);
    }
    const Clock::time_point done = Clock::now();
    bytes += body.size();
    if (p > 0) {  // the first builds the query's matched rows
      querying += queried - start;
      (serve ? serving : writing) += done - queried;
    }
    if (serve) {  // the same bytes as written
      std::string written;
      churn::gateway::AppendAtRiskPageJson(listing, &written);
      if (written != body) return 1;
    }
  }
  auto us = [&](Clock::duration d, int timed) {
    return std::chrono::duration<double, std::micro>(d).count() / std::max(timed, 1);
  };
  std::printf(
      "customers %zu  pages %d  query %.2f us/page  json %.2f us/page  served %.2f us/page  "
      "(%.0f bytes/page, page cache %lld hits)\n",
      views->at_risk().size(), pages, us(querying, pages - 1), us(writing, (pages - 1) / 2),
      us(serving, pages / 2), static_cast<double>(bytes) / pages,
      static_cast<long long>(page_cache.hits()));
  return 0;
}
