#pragma once
// The risk history as churn.v1 messages: a customer's trend points, its movement and the level
// moves of the Executive view.

#include "churn/v1/gateway.pb.h"
#include "riskhistory/history_store.h"
#include "riskhistory/risk_movements.h"

namespace churn::convert {

void ToProto(const riskhistory::TrendPoint& point, v1::RiskTrendPoint* proto);
void ToProto(const riskhistory::RiskMovement& movement, v1::RiskMovement* proto);
// Only when the movements have a previous snapshot; otherwise `proto` is left untouched.
void ToProto(const riskhistory::RiskMovements& movements, v1::LevelMoves* proto);

}  // namespace churn::convert
