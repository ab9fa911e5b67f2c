#include "convert/risk_history_convert.h"

#include "convert/assessment_convert.h"

namespace churn::convert {

void ToProto(const riskhistory::TrendPoint& point, v1::RiskTrendPoint* proto) {
  proto->set_date(dataset::FormatDate(point.date));
  proto->set_risk_score(point.score);
  proto->set_risk_level(ToProto(point.level));
  for (const std::string& rule : point.fired_rules) proto->add_fired_rules(rule);
}

void ToProto(const riskhistory::RiskMovement& movement, v1::RiskMovement* proto) {
  if (movement.score_change_30d) proto->set_score_change_30d(*movement.score_change_30d);
  proto->set_entered_high(movement.entered_high);
}

void ToProto(const riskhistory::RiskMovements& movements, v1::LevelMoves* proto) {
  if (!movements.latest || !movements.previous) return;
  proto->set_from_date(dataset::FormatDate(*movements.previous));
  proto->set_to_date(dataset::FormatDate(*movements.latest));
  proto->set_moved_up(movements.moved_up);
  proto->set_moved_down(movements.moved_down);
}

}  // namespace churn::convert
