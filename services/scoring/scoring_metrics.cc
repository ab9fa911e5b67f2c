#include "scoring_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace churn::scoring_service {
namespace {

const prometheus::Histogram::BucketBoundaries kSecondsBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
const prometheus::Histogram::BucketBoundaries kCustomerBuckets = {1,    10,   50,    100,  500,
                                                                  1000, 5000, 10000, 50000};
// Indexed by ScoringMethod.
const char* const kMethodNames[] = {"Score", "ScoreBatch", "ScoreStream", "DryRunRules"};

}  // namespace

ScoringMetrics::ScoringMetrics(prometheus::Registry& registry) {
  auto& scored = prometheus::BuildCounter()
                     .Name("churn_scoring_customers_scored_total")
                     .Help("Customers scored, by resulting risk level.")
                     .Register(registry);
  // Index = scoring::RiskLevel.
  scored_[0] = &scored.Add({{"risk_level", "Low"}});
  scored_[1] = &scored.Add({{"risk_level", "Medium"}});
  scored_[2] = &scored.Add({{"risk_level", "High"}});

  auto& reloads = prometheus::BuildCounter()
                      .Name("churn_scoring_rule_reloads_total")
                      .Help("Rule loads and reloads, by result; a failed one keeps the old rules.")
                      .Register(registry);
  reloads_ok_ = &reloads.Add({{"result", "ok"}});
  reloads_error_ = &reloads.Add({{"result", "error"}});

  rules_loaded_ = &prometheus::BuildGauge()
                       .Name("churn_scoring_rules_loaded")
                       .Help("1 once scoring rules are in force (the service is ready).")
                       .Register(registry)
                       .Add({});
  rules_version_ = &prometheus::BuildGauge()
                        .Name("churn_scoring_rules_version")
                        .Help("The version written in the rules file in force.")
                        .Register(registry)
                        .Add({});
  auto& batch_seconds = prometheus::BuildHistogram()
                            .Name("churn_scoring_batch_duration_seconds")
                            .Help("Time to validate and score the customers of one request.")
                            .Register(registry);
  auto& batch_customers = prometheus::BuildHistogram()
                              .Name("churn_scoring_batch_customers")
                              .Help("Customers per scoring request.")
                              .Register(registry);
  for (int method = 0; method < 4; ++method) {
    batch_seconds_[method] =
        &batch_seconds.Add({{"method", kMethodNames[method]}}, kSecondsBuckets);
    batch_customers_[method] =
        &batch_customers.Add({{"method", kMethodNames[method]}}, kCustomerBuckets);
  }
}

void ScoringMetrics::CountScored(scoring::RiskLevel level) {
  scored_[static_cast<int>(level)]->Increment();
}

void ScoringMetrics::ObserveBatch(ScoringMethod method, int64_t customers, double seconds) {
  batch_seconds_[static_cast<int>(method)]->Observe(seconds);
  batch_customers_[static_cast<int>(method)]->Observe(static_cast<double>(customers));
}

void ScoringMetrics::CountReload(bool ok) { (ok ? reloads_ok_ : reloads_error_)->Increment(); }

void ScoringMetrics::SetRulesInForce(int version) {
  rules_loaded_->Set(1);
  rules_version_->Set(version);
}

}  // namespace churn::scoring_service
