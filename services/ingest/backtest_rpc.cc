// IngestService::Backtest: the request's window and rules -> BacktestRunner on the current
// snapshot -> the report messages. Kept apart from ingest_service.cc: the loads and streams
// do not need it.
#include <chrono>

#include "absl/strings/str_cat.h"
#include "backtest/report_comparison.h"
#include "common/grpc_status.h"
#include "common/logging.h"
#include "convert/backtest_convert.h"
#include "convert/snapshot_convert.h"
#include "ingest_service.h"
#include "status/status_macros.h"

namespace churn::ingest_service {
namespace {

absl::StatusOr<std::optional<dataset::Day>> OptionalDate(std::string_view field,
                                                         const std::string& text) {
  if (text.empty()) return std::optional<dataset::Day>();
  std::optional<dataset::Day> day = dataset::ParseDate(text);
  if (!day) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": expected a date YYYY-MM-DD, got '", text, "'"));
  }
  return day;
}

}  // namespace

grpc::ServerUnaryReactor* IngestService::Backtest(grpc::CallbackServerContext* context,
                                                  const v1::BacktestRequest* request,
                                                  v1::BacktestResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status queued = executor_->Submit([this, reactor, request, response] {
    reactor->Finish(service::ToGrpcStatus(BacktestNow(*request, response)));
  });
  if (!queued.ok()) reactor->Finish(service::ToGrpcStatus(queued));
  return reactor;
}

absl::Status IngestService::BacktestNow(const v1::BacktestRequest& request,
                                        v1::BacktestResponse* response) {
  const auto started = std::chrono::steady_clock::now();
  std::shared_ptr<const snapshots::Snapshot> snapshot = store_.Current();
  if (!snapshot) return absl::UnavailableError("no snapshot is loaded yet");
  CHURN_ASSIGN_OR_RETURN(std::optional<dataset::Day> from, OptionalDate("from", request.from()));
  CHURN_ASSIGN_OR_RETURN(std::optional<dataset::Day> to, OptionalDate("to", request.to()));
  CHURN_ASSIGN_OR_RETURN(
      backtest::BacktestWindow window,
      BacktestRunner::WindowFor(*snapshot, from, to, request.step_days(), request.horizon_days()));
  std::vector<std::pair<std::string, std::string>> rules = {{"rules_yaml", request.rules_yaml()}};
  const bool compare = !request.baseline_rules_yaml().empty();
  if (compare) rules.emplace_back("baseline_rules_yaml", request.baseline_rules_yaml());
  CHURN_ASSIGN_OR_RETURN(std::vector<BacktestRun> runs, backtests_.Run(*snapshot, rules, window));

  convert::ToProto(*snapshot, response->mutable_snapshot());
  // With a model the dates before its training labels' end are left out for both: say so.
  const backtest::BacktestReport& report = *runs[0].report;
  response->set_from(dataset::FormatDate(report.model && !report.as_of_dates.empty()
                                             ? report.as_of_dates.front()
                                             : window.from));
  response->set_to(dataset::FormatDate(window.to));
  response->set_step_days(window.step_days);
  response->set_horizon_days(window.horizon_days);
  response->set_rules_sha256(runs[0].rules_sha256);
  CHURN_RETURN_IF_ERROR(convert::ToProto(*runs[0].report, response->mutable_report()));
  if (compare) {
    CHURN_RETURN_IF_ERROR(convert::ToProto(*runs[1].report, response->mutable_baseline_report()));
    CHURN_RETURN_IF_ERROR(
        convert::ToProto(backtest::CompareReports(*runs[1].report, *runs[0].report),
                         response->mutable_comparison()));
  }
  bool cached = true;
  for (const BacktestRun& run : runs) cached = cached && run.cached;
  service::LogInfo(
      "backtest",
      {{"snapshot_version", snapshot->version},
       {"from", response->from()},
       {"to", response->to()},
       {"rule_sets", static_cast<int64_t>(runs.size())},
       {"rows", runs[0].report->rows},
       {"cached", cached},
       {"seconds",
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()}});
  return absl::OkStatus();
}

}  // namespace churn::ingest_service
