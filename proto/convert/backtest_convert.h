#pragma once
// A backtest report and a comparison of two (libs/backtest) as google.protobuf.Struct, with
// the keys of their ToJson: one schema for churnctl's --json, the gRPC answers and the
// dashboard's HTTP JSON (protobuf's JSON mapping prints a Struct as that object).

#include <google/protobuf/struct.pb.h>

#include "absl/status/status.h"
#include "backtest/backtest.h"
#include "backtest/report_comparison.h"

namespace churn::convert {

absl::Status ToProto(const backtest::BacktestReport& report, google::protobuf::Struct* proto);
absl::Status ToProto(const backtest::ReportComparison& comparison, google::protobuf::Struct* proto);

}  // namespace churn::convert
