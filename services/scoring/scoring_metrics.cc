#include "scoring_metrics.h"

#include "common/metric_registrar.h"

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
  service::MetricRegistrar metrics(registry);
  auto& scored = metrics.CounterFamily("churn_scoring_customers_scored_total",
                                       "Customers scored, by resulting risk level.");
  // Index = scoring::RiskLevel.
  scored_[0] = &scored.Add({{"risk_level", "Low"}});
  scored_[1] = &scored.Add({{"risk_level", "Medium"}});
  scored_[2] = &scored.Add({{"risk_level", "High"}});

  auto& reloads =
      metrics.CounterFamily("churn_scoring_rule_reloads_total",
                            "Rule loads and reloads, by result; a failed one keeps the old rules.");
  reloads_ok_ = &reloads.Add({{"result", "ok"}});
  reloads_error_ = &reloads.Add({{"result", "error"}});

  rules_loaded_ = metrics.Gauge("churn_scoring_rules_loaded",
                                "1 once scoring rules are in force (the service is ready).");
  rules_version_ = metrics.Gauge("churn_scoring_rules_version",
                                 "The version written in the rules file in force.");
  auto& batch_seconds =
      metrics.HistogramFamily("churn_scoring_batch_duration_seconds",
                              "Time to validate and score the customers of one request.");
  auto& batch_customers =
      metrics.HistogramFamily("churn_scoring_batch_customers", "Customers per scoring request.");
  for (int method = 0; method < 4; ++method) {
    batch_seconds_[method] =
        &batch_seconds.Add({{"method", kMethodNames[method]}}, kSecondsBuckets);
    batch_customers_[method] =
        &batch_customers.Add({{"method", kMethodNames[method]}}, kCustomerBuckets);
  }
}

void ScoringMetrics::CountScored(scoring::RiskLevel level, int64_t customers) {
  if (customers > 0) scored_[static_cast<int>(level)]->Increment(static_cast<double>(customers));
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
