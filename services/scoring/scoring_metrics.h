#pragma once
// Domain metrics of the scoring service, created once in the service's registry:
//   churn_scoring_customers_scored_total{risk_level}        customers scored, by resulting level
//   churn_scoring_batch_duration_seconds{method}            time to validate + score one request
//   churn_scoring_batch_customers{method}                   customers per request
//   churn_scoring_rule_reloads_total{result="ok"|"error"}
//   churn_scoring_rules_loaded                              1 once rules are in force
//   churn_scoring_rules_version                             `version` of the rules in force

#include <cstdint>

#include "common/metric_registrar.h"
#include "scoring/engine.h"

namespace churn::scoring_service {

enum class ScoringMethod { kScore, kScoreBatch, kScoreStream, kDryRunRules };

class ScoringMetrics {
 public:
  explicit ScoringMetrics(prometheus::Registry& registry);

  void CountScored(scoring::RiskLevel level, int64_t customers = 1);
  void ObserveBatch(ScoringMethod method, int64_t customers, double seconds);
  void CountReload(bool ok);
  void SetRulesInForce(int version);

 private:
  prometheus::Counter* scored_[3];
  // Indexed by ScoringMethod.
  prometheus::Histogram* batch_seconds_[4];
  prometheus::Histogram* batch_customers_[4];
  prometheus::Counter* reloads_ok_;
  prometheus::Counter* reloads_error_;
  prometheus::Gauge* rules_loaded_;
  prometheus::Gauge* rules_version_;
};

}  // namespace churn::scoring_service
