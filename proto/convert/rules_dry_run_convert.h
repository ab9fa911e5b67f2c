#pragma once
// What a candidate rule file would change (scoring::RulesDryRun) as churn.v1 messages.

#include "churn/v1/scoring.pb.h"
#include "scoring/rules_dry_run.h"

namespace churn::convert {

void ToProto(const scoring::RulesDiffSummary& summary, v1::DryRunSummary* proto);
void ToProto(const scoring::CustomerRulesDiff& diff, v1::CustomerRuleChange* proto);

}  // namespace churn::convert
