// churnctl: the churn early-warning system from the command line.
// Offline mode reads a data folder directly; the service set has its own clients.

#include <malloc.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "backtest/backtest.h"
#include "backtest/backtest_report.h"
#include "churnmodel/churn_model.h"
#include "churnmodel/out_of_sample.h"
#include "churnmodel/walk_forward.h"
#include "demodata/generator.h"
#include "nlohmann/json.hpp"
#include "remote_commands.h"
#include "token_commands.h"
#include "scoring/rule_set.h"
#include "signals/long_views_builder.h"
#include "signals/signal_builder.h"
#include "signals/signal_history.h"
#include "reports/report_format.h"
#include "reports/summary.h"
#include "settings/settings_loader.h"
#include "status/status_macros.h"

namespace {

constexpr char kUsage[] = R"(churnctl: churn early-warning system (offline mode)

Usage:
  churnctl score    --data DIR [--config FILE] [--as-of YYYY-MM-DD] [--format csv|json|table]
                    [--limit N] [--max-rejected N]
  churnctl summary  --data DIR [--config FILE] [--as-of YYYY-MM-DD] [--format json|table|csv]
  churnctl explain  --data DIR [--config FILE] [--as-of YYYY-MM-DD] [--format table|json]
                    [--model FILE] CUSTOMER_ID
  churnctl backtest --data DIR --from YYYY-MM-DD --to YYYY-MM-DD [--step-days N]
                    [--horizon-days N] [--config FILE] [--format table|json] [--max-rejected N]
                    [--model FILE]
  churnctl train    --data DIR --from YYYY-MM-DD --to YYYY-MM-DD --out FILE [--step-days N]
                    [--horizon-days N] [--rounds N] [--config FILE] [--format table|json]
  churnctl generate --out DIR [--accounts N] [--seed S] [--end-date YYYY-MM-DD] [--history-days N]
                    [--mode default|planted|null]
  churnctl tokens init --dir DIR
  churnctl tokens add  --file FILE --name NAME --role viewer|csm|admin|service
  churnctl health   --address HOST:PORT [--service NAME] [--timeout-ms N]
  churnctl at-risk  [--gateway HOST:PORT] [--plan-tier T,..] [--risk-level High,..] [--min-arr X]
                    [--only-churned true] [--limit N] [--page-token T] [--format table|csv|json]
  churnctl customer [--gateway HOST:PORT] [--format table|json] CUSTOMER_ID
  churnctl analyze-ticket [--gateway HOST:PORT] (--text TEXT | --subject S --body B)
                    [--ticket-timeout-ms N]
  churnctl help

Commands:
  score     One row per subscription (customer_id = subscription_id) in at-risk order:
            risk_score desc, arr desc, customer_id asc. Columns: customer_id, account_id,
            account_name, plan_tier, arr, churned, risk_score, risk_level, top_reasons,
            recommended_actions, usage_30d, usage_prev30d, usage_drop_pct, errors_30d,
            tickets_30d, satisfaction_score, escalation_flag, churn_intent_30d, downgrade_flag,
            is_trial (json adds every fired rule with its points). Default format: table.
  summary   Executive figures (churn rate, High-risk share and count, average and total ARR,
            ARR at risk by level, window ends) and Drivers (mean risk by plan tier, how many
            customers each rule drives, churn reason counts). Default format: table.
  explain   The brief for one customer: signals, every fired rule with its points, reasons,
            recommended actions. --model FILE adds the trained model's churn probability and
            the three features that moved it most, labelled as a second opinion.
  backtest  Scores the customers as they were on past dates (from FROM to TO every --step-days,
            default 30; each date's population: subscriptions started and not ended by it whose
            account had not churned by it, with only usage and tickets up to it) and compares
            with what happened: a customer is churned when its account's first churn event
            after the date falls within --horizon-days (default 90). Reports base rate,
            precision/recall/F1 of High and High+Medium, precision and lift at K (10, 50, 100,
            top 1% and 5% of each date), ROC AUC and PR AUC with seeded 95% bootstrap intervals,
            lead time, each rule's firing, churn rate and lift, calibration by level and score
            decile, and whether the signals beat chance (informative). Default format: table.
            --model FILE evaluates a trained model beside the rules on the same rows, only on
            as-of dates on or after the end of its training labels (earlier dates are dropped
            for both, and the report says so).
  train     Fits the gradient-boosted churn model (XGBoost) on the as-of dates FROM..TO whose
            horizon closed by the end of the data, and writes it with its training report to
            --out. The report is walk-forward: each date D is scored by a model trained only on
            dates D' with D' + horizon <= D, beside the rules on the same rows. The model is a
            second opinion: the rule score stays the product's ranking.
  generate  Writes a deterministic demo data set (the five tables) for a seed. --mode planted
            makes churn follow documented signals (libs/demodata/generator.h); --mode null keeps
            those signals but reassigns the churn labels at random (seeded).
  tokens    init: the callers of a new deployment (tokens.yaml holding SHA-256 hashes only,
            one service token per service in DIR/<service>.token, an admin token printed
            once); does nothing when DIR/tokens.yaml exists. add: a new caller, its token
            printed once.

Client mode (talks to a running service set; --gateway defaults to 127.0.0.1:50054):
  health          grpc.health.v1 check of one service; exit 0 when SERVING.
  at-risk         The gateway's at-risk list with filters (ListAtRisk); stderr names the
                  --page-token of the next page (valid for the same filters until a refresh).
  customer        The customer brief: signals, fired rules, actions, next-best-action steps.
  analyze-ticket  The Ticket Analyzer on one ticket: structured JSON with its source
                  (model or fallback). --timeout-ms bounds every call (default 10000).
  Every client command also takes --token-file FILE (or the CHURN_TOKEN environment
  variable) for services that require a bearer token, and the TLS options below.

Options (--name value or --name=value; '-' and '_' are the same in option names):
)";

constexpr char kUsageEnd[] = R"(
Load warnings (duplicate ids, orphan keys, rejected rows) go to stderr. Errors go to stderr
with exit status 1 (2 for usage errors), naming file, line and column where they apply.
)";

int UsageError(const std::string& message) {
  std::cerr << "churnctl: " << message << "\n(see churnctl --help)\n";
  return 2;
}

int Failure(const absl::Status& status) {
  std::cerr << "churnctl: " << status.message() << "\n";
  return 1;
}

absl::StatusOr<int64_t> NonNegative(const std::string& name, int64_t value) {
  if (value < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, ": expected a whole number >= 0, got ", value));
  }
  return value;
}

// --usage-id-check-limit and --usage-threads, when given.
absl::Status ApplyUsageOptions(const churn::settings::v1::DataFolderFlags& flags,
                               churn::dataset::LoadOptions* load) {
  if (flags.has_usage_id_check_limit()) {
    CHURN_ASSIGN_OR_RETURN(load->usage_id_check_limit,
                           NonNegative("usage-id-check-limit", flags.usage_id_check_limit()));
  }
  if (flags.has_usage_threads()) {
    CHURN_ASSIGN_OR_RETURN(const int64_t threads,
                           NonNegative("usage-threads", flags.usage_threads()));
    load->usage_threads = static_cast<int>(std::min<int64_t>(threads, 256));
  }
  return absl::OkStatus();
}

void PrintLoadWarnings(const churn::dataset::LoadReport& report) {
  for (const churn::dataset::TableStats& table : report.tables) {
    for (const std::string& warning : table.warnings) {
      std::cerr << "warning: " << table.file << ": " << warning << "\n";
    }
  }
}

struct ScoredData {
  churn::SignalSnapshot snapshot;
  std::vector<churn::reports::ScoredCustomer> customers;
};

using churn::settings::v1::DataFolderFlags;
using churn::settings::v1::SnapshotFlags;

absl::StatusOr<churn::scoring::RuleSet> Rules(const DataFolderFlags& flags) {
  if (flags.has_config()) return churn::scoring::LoadRuleSetFile(flags.config());
  return churn::scoring::DefaultRuleSet();
}

// The shared part of score, summary and explain: load, build signals, score, sort.
absl::StatusOr<ScoredData> LoadAndScore(const SnapshotFlags& flags) {
  const DataFolderFlags& folder = flags.folder();
  if (!folder.has_data()) return absl::InvalidArgumentError("--data DIR is required");
  CHURN_ASSIGN_OR_RETURN(churn::scoring::RuleSet rules, Rules(folder));
  churn::SignalOptions signal_options;
  if (flags.has_as_of()) {
    signal_options.as_of = churn::dataset::ParseDate(flags.as_of());
    if (!signal_options.as_of) {
      return absl::InvalidArgumentError(
          absl::StrCat("--as-of: expected a date YYYY-MM-DD, got '", flags.as_of(), "'"));
    }
  }
  CHURN_ASSIGN_OR_RETURN(signal_options.load.max_rejected_rows,
                         NonNegative("max-rejected", folder.max_rejected()));
  CHURN_RETURN_IF_ERROR(ApplyUsageOptions(folder, &signal_options.load));
  CHURN_ASSIGN_OR_RETURN(churn::SignalSnapshot snapshot,
                         churn::BuildSignalsFromFolder(folder.data(), signal_options));
  PrintLoadWarnings(snapshot.report);
  ScoredData data;
  data.customers = churn::reports::ScoreAll(rules, std::move(snapshot.customers));
  data.snapshot = std::move(snapshot);
  return data;
}

absl::StatusOr<churn::reports::OutputFormat> FormatOption(const DataFolderFlags& flags) {
  return churn::reports::ParseOutputFormat(flags.has_format() ? flags.format() : "table");
}

int RunScore(const churn::settings::v1::ScoreFlags& flags) {
  absl::StatusOr<churn::reports::OutputFormat> format = FormatOption(flags.snapshot().folder());
  if (!format.ok()) return UsageError(std::string(format.status().message()));
  absl::StatusOr<int64_t> limit = NonNegative("limit", flags.limit());
  if (!limit.ok()) return UsageError(std::string(limit.status().message()));
  absl::StatusOr<ScoredData> data = LoadAndScore(flags.snapshot());
  if (!data.ok()) return Failure(data.status());
  churn::reports::WriteAtRiskList(data->customers, static_cast<size_t>(*limit), *format, std::cout);
  return 0;
}

int RunSummary(const churn::settings::v1::SummaryFlags& flags) {
  absl::StatusOr<churn::reports::OutputFormat> format = FormatOption(flags.snapshot().folder());
  if (!format.ok()) return UsageError(std::string(format.status().message()));
  absl::StatusOr<ScoredData> data = LoadAndScore(flags.snapshot());
  if (!data.ok()) return Failure(data.status());
  churn::reports::WriteSummary(
      churn::reports::SummarizeExecutive(data->customers, data->snapshot.usage_window_end,
                                         data->snapshot.support_window_end),
      churn::reports::SummarizeDrivers(data->customers, data->snapshot.churn_reason_counts),
      *format, std::cout);
  return 0;
}

// The model's opinion of one customer beside the rules' brief: its long views as of the usage
// window end (one more pass over the folder, with the longer windows).
absl::StatusOr<churn::churnmodel::ModelOpinion> ModelOpinionOf(
    const churn::churnmodel::ChurnModel& model, const SnapshotFlags& flags,
    const churn::SignalSnapshot& snapshot, const churn::CustomerSignals& signals) {
  if (!snapshot.usage_window_end) {
    return absl::FailedPreconditionError("the model needs usage data: the usage table is empty");
  }
  CHURN_ASSIGN_OR_RETURN(churn::dataset::DataFiles files,
                         churn::dataset::FindDataFiles(flags.folder().data()));
  churn::dataset::LoadOptions load;
  load.max_rejected_rows = flags.folder().max_rejected();
  CHURN_ASSIGN_OR_RETURN(auto views,
                         churn::LongViewsByCustomer(files, *snapshot.usage_window_end, load));
  const auto it = views.find(signals.customer_id);
  if (it == views.end()) {
    return absl::NotFoundError(absl::StrCat("no customer '", signals.customer_id, "'"));
  }
  churn::CustomerSignals with_views = signals;
  with_views.long_views = it->second;
  CHURN_ASSIGN_OR_RETURN(std::vector<churn::churnmodel::ModelOpinion> opinions,
                         model.Opinions({with_views}));
  return opinions.front();
}

nlohmann::ordered_json ModelOpinionJson(const churn::churnmodel::ChurnModel& model,
                                        const churn::churnmodel::ModelOpinion& opinion,
                                        churn::dataset::Day as_of) {
  nlohmann::ordered_json reasons = nlohmann::ordered_json::array();
  for (const churn::churnmodel::FeatureContribution& c : opinion.top) {
    reasons.push_back({{"feature", c.feature},
                       {"value", c.value ? nlohmann::ordered_json(*c.value) : nullptr},
                       {"contribution", c.contribution},
                       {"sentence", c.sentence}});
  }
  return {{"label", churn::churnmodel::kSecondOpinionLabel},
          {"churn_probability", opinion.probability},
          {"horizon_days", model.metadata().horizon_days},
          {"as_of", churn::dataset::FormatDate(as_of)},
          {"top_contributions", reasons}};
}

void WriteModelOpinion(const churn::churnmodel::ChurnModel& model,
                       const churn::churnmodel::ModelOpinion& opinion, churn::dataset::Day as_of,
                       std::ostream& out) {
  out << "\nModel: " << churn::churnmodel::kSecondOpinionLabel
      << "; the risk score above is the rules' and stays the ranking\n";
  out << absl::StrFormat("  churn probability  %.1f%% within %d days (as of %s)\n",
                         100 * opinion.probability, model.metadata().horizon_days,
                         churn::dataset::FormatDate(as_of));
  for (const churn::churnmodel::FeatureContribution& c : opinion.top) {
    out << "  - " << c.sentence << "\n";
  }
}

int RunExplain(const churn::settings::v1::ExplainFlags& flags,
               const std::vector<std::string>& positional) {
  if (positional.size() != 1) return UsageError("explain takes exactly one CUSTOMER_ID");
  absl::StatusOr<churn::reports::OutputFormat> format = FormatOption(flags.snapshot().folder());
  if (!format.ok()) return UsageError(std::string(format.status().message()));
  std::optional<churn::churnmodel::ChurnModel> model;
  if (flags.has_model()) {
    absl::StatusOr<churn::churnmodel::ChurnModel> loaded =
        churn::churnmodel::ChurnModel::Load(flags.model());
    if (!loaded.ok()) return Failure(loaded.status());
    model.emplace(std::move(*loaded));
  }
  absl::StatusOr<ScoredData> data = LoadAndScore(flags.snapshot());
  if (!data.ok()) return Failure(data.status());
  for (const churn::reports::ScoredCustomer& customer : data->customers) {
    if (customer.signals.customer_id == positional[0]) {
      if (!model) {
        churn::reports::WriteCustomerBrief(customer, *format, std::cout);
        return 0;
      }
      absl::StatusOr<churn::churnmodel::ModelOpinion> opinion =
          ModelOpinionOf(*model, flags.snapshot(), data->snapshot, customer.signals);
      if (!opinion.ok()) return Failure(opinion.status());
      const churn::dataset::Day as_of = *data->snapshot.usage_window_end;
      if (*format == churn::reports::OutputFormat::kJson) {
        // One document: the brief with the model's opinion beside it.
        std::ostringstream brief;
        churn::reports::WriteCustomerBrief(customer, *format, brief);
        nlohmann::ordered_json json = nlohmann::ordered_json::parse(brief.str());
        json["model_opinion"] = ModelOpinionJson(*model, *opinion, as_of);
        std::cout << json.dump(2) << "\n";
      } else {
        churn::reports::WriteCustomerBrief(customer, *format, std::cout);
        WriteModelOpinion(*model, *opinion, as_of, std::cout);
      }
      return 0;
    }
  }
  return Failure(absl::NotFoundError(
      absl::StrCat("no customer '", positional[0], "' (customer_id is the subscription_id)")));
}

// The rules and a trained model on the same rows, only on as-of dates the model's training
// labels did not reach (it would otherwise be graded on what it learned from).
absl::StatusOr<churn::backtest::BacktestReport> BacktestWithModel(
    const churn::dataset::DataFiles& files, const churn::scoring::RuleSet& rules,
    const churn::backtest::BacktestOptions& options, const std::string& model_file) {
  CHURN_ASSIGN_OR_RETURN(churn::churnmodel::ChurnModel model,
                         churn::churnmodel::ChurnModel::Load(model_file));
  CHURN_ASSIGN_OR_RETURN(churn::churnmodel::OutOfSampleWindow window,
                         churn::churnmodel::OutOfSample(model.metadata(), options));
  CHURN_ASSIGN_OR_RETURN(
      churn::SignalHistory history,
      churn::SignalHistory::Load(files, window.dates, options.load, {.long_views = true}));
  CHURN_ASSIGN_OR_RETURN(churn::backtest::BacktestReport report,
                         churn::backtest::RunBacktest(history, rules, window.options,
                                                      churn::churnmodel::ModelScorer(model)));
  report.model_note = window.note;
  if (window.dropped > 0) std::cerr << "note: " << report.model_note << "\n";
  return report;
}

int RunBacktest(const churn::settings::v1::BacktestFlags& flags) {
  const DataFolderFlags& folder = flags.folder();
  const std::string format = folder.has_format() ? folder.format() : "table";
  if (format != "table" && format != "json") {
    return UsageError(absl::StrCat("--format: expected table or json, got '", format, "'"));
  }
  if (!folder.has_data()) return UsageError("backtest needs --data DIR");
  churn::backtest::BacktestOptions backtest;
  for (const auto& [name, given, text, day] :
       {std::tuple{"from", flags.has_from(), &flags.from(), &backtest.from},
        std::tuple{"to", flags.has_to(), &flags.to(), &backtest.to}}) {
    if (!given) return UsageError(absl::StrCat("backtest needs --", name, " YYYY-MM-DD"));
    const std::optional<churn::dataset::Day> parsed = churn::dataset::ParseDate(*text);
    if (!parsed) {
      return UsageError(absl::StrCat("--", name, ": expected YYYY-MM-DD, got '", *text, "'"));
    }
    *day = *parsed;
  }
  for (const auto& [name, given, value, days] :
       {std::tuple{"step-days", flags.has_step_days(), flags.step_days(), &backtest.step_days},
        std::tuple{"horizon-days", flags.has_horizon_days(), flags.horizon_days(),
                   &backtest.horizon_days}}) {
    if (!given) continue;
    if (value < 1 || value > 3650) {
      return UsageError(absl::StrCat("--", name, ": expected a number of days from 1 to 3650"));
    }
    *days = static_cast<int>(value);
  }
  absl::StatusOr<int64_t> max_rejected = NonNegative("max-rejected", folder.max_rejected());
  if (!max_rejected.ok()) return UsageError(std::string(max_rejected.status().message()));
  backtest.load.max_rejected_rows = *max_rejected;
  if (absl::Status status = ApplyUsageOptions(folder, &backtest.load); !status.ok()) {
    return UsageError(std::string(status.message()));
  }
  if (backtest.to < backtest.from) return UsageError("--to is before --from");
  absl::StatusOr<churn::scoring::RuleSet> rules = Rules(folder);
  if (!rules.ok()) return Failure(rules.status());
  absl::StatusOr<churn::dataset::DataFiles> files = churn::dataset::FindDataFiles(folder.data());
  if (!files.ok()) return Failure(files.status());
  absl::StatusOr<churn::backtest::BacktestReport> report =
      flags.has_model() ? BacktestWithModel(*files, *rules, backtest, flags.model())
                        : churn::backtest::RunBacktest(*files, *rules, backtest);
  if (!report.ok()) return Failure(report.status());
  PrintLoadWarnings(report->load);
  if (report->data_end && backtest.to + backtest.horizon_days > *report->data_end) {
    std::cerr << "warning: the horizon of the last as-of dates runs past the end of the data ("
              << churn::dataset::FormatDate(*report->data_end)
              << "): churn there is not yet known and counts as retained\n";
  }
  if (format == "json") {
    std::cout << churn::backtest::ToJson(*report).dump(2) << "\n";
  } else {
    churn::backtest::WriteTable(*report, std::cout);
  }
  return 0;
}

int RunTrain(const churn::settings::v1::TrainFlags& flags) {
  const DataFolderFlags& folder = flags.folder();
  const std::string format = folder.has_format() ? folder.format() : "table";
  if (format != "table" && format != "json") {
    return UsageError(absl::StrCat("--format: expected table or json, got '", format, "'"));
  }
  if (!folder.has_data()) return UsageError("train needs --data DIR");
  if (!flags.has_out()) return UsageError("train needs --out FILE (the model file)");
  churn::churnmodel::TrainOptions train;
  for (const auto& [name, given, text, day] :
       {std::tuple{"from", flags.has_from(), &flags.from(), &train.from},
        std::tuple{"to", flags.has_to(), &flags.to(), &train.to}}) {
    if (!given) return UsageError(absl::StrCat("train needs --", name, " YYYY-MM-DD"));
    const std::optional<churn::dataset::Day> parsed = churn::dataset::ParseDate(*text);
    if (!parsed) {
      return UsageError(absl::StrCat("--", name, ": expected YYYY-MM-DD, got '", *text, "'"));
    }
    *day = *parsed;
  }
  for (const auto& [name, given, value, days] :
       {std::tuple{"step-days", flags.has_step_days(), flags.step_days(), &train.step_days},
        std::tuple{"horizon-days", flags.has_horizon_days(), flags.horizon_days(),
                   &train.horizon_days}}) {
    if (!given) continue;
    if (value < 1 || value > 3650) {
      return UsageError(absl::StrCat("--", name, ": expected a number of days from 1 to 3650"));
    }
    *days = static_cast<int>(value);
  }
  if (flags.has_rounds()) {
    if (flags.rounds() < 1 || flags.rounds() > 5000) {
      return UsageError("--rounds: expected a number from 1 to 5000");
    }
    train.params.rounds = static_cast<int>(flags.rounds());
  }
  absl::StatusOr<int64_t> max_rejected = NonNegative("max-rejected", folder.max_rejected());
  if (!max_rejected.ok()) return UsageError(std::string(max_rejected.status().message()));
  train.load.max_rejected_rows = *max_rejected;
  if (train.to < train.from) return UsageError("--to is before --from");
  absl::StatusOr<churn::scoring::RuleSet> rules = Rules(folder);
  if (!rules.ok()) return Failure(rules.status());
  absl::StatusOr<churn::dataset::DataFiles> files = churn::dataset::FindDataFiles(folder.data());
  if (!files.ok()) return Failure(files.status());
  absl::StatusOr<churn::churnmodel::TrainResult> result =
      churn::churnmodel::TrainWalkForward(*files, *rules, train);
  if (!result.ok()) return Failure(result.status());
  PrintLoadWarnings(result->walk_forward.load);
  if (absl::Status saved = result->model.Save(flags.out()); !saved.ok()) return Failure(saved);
  const churn::churnmodel::ModelMetadata& m = result->model.metadata();
  std::cerr << "wrote " << flags.out() << ": " << m.training_rows << " training rows ("
            << m.training_positives << " churned within " << m.horizon_days << " days) from "
            << m.training_dates.size() << " as-of dates "
            << churn::dataset::FormatDate(m.training_dates.front()) << " .. "
            << churn::dataset::FormatDate(m.training_dates.back()) << "; its labels end on "
            << churn::dataset::FormatDate(m.trained_through)
            << " (backtest it on as-of dates from then on)\n";
  if (format == "json") {
    std::cout << churn::backtest::ToJson(result->walk_forward).dump(2) << "\n";
  } else {
    churn::backtest::WriteTable(result->walk_forward, std::cout);
  }
  return 0;
}

int RunGenerate(const churn::settings::v1::GenerateFlags& flags) {
  churn::demodata::GeneratorOptions generator;
  if (!flags.has_out()) return UsageError("generate needs --out DIR");
  if (flags.has_accounts()) {
    if (flags.accounts() < 1) return UsageError("--accounts: expected a number >= 1");
    generator.accounts = flags.accounts();
  }
  if (flags.has_seed()) generator.seed = flags.seed();
  if (flags.has_end_date()) {
    if (!churn::dataset::ParseDate(flags.end_date())) {
      return UsageError(
          absl::StrCat("--end-date: expected YYYY-MM-DD, got '", flags.end_date(), "'"));
    }
    generator.end_date = flags.end_date();
  }
  if (flags.has_history_days()) {
    if (flags.history_days() < 61) return UsageError("--history-days: expected a number >= 61");
    generator.history_days = static_cast<int>(flags.history_days());
  }
  if (flags.has_mode()) {
    absl::StatusOr<churn::demodata::GeneratorMode> mode =
        churn::demodata::ParseGeneratorMode(flags.mode());
    if (!mode.ok()) return UsageError(absl::StrCat("--mode: ", mode.status().message()));
    generator.mode = *mode;
  }
  churn::demodata::GeneratedCounts counts;
  if (absl::Status status = churn::demodata::GenerateDemoData(generator, flags.out(), &counts);
      !status.ok()) {
    return Failure(status);
  }
  std::cerr << "wrote " << flags.out() << ": " << counts.accounts << " accounts, "
            << counts.subscriptions << " subscriptions, " << counts.usage_rows << " usage rows, "
            << counts.churn_events << " churn events, " << counts.tickets << " tickets ("
            << counts.bytes << " bytes)\n";
  return 0;
}

// A command: its options message and what runs it with the filled message and the positional
// arguments (the command word removed).
struct Command {
  const char* name;
  const google::protobuf::Message* flags;  // the default instance
  std::function<int(const google::protobuf::Message&, const std::vector<std::string>&)> run;
  bool takes_arguments = false;  // otherwise a positional argument is a usage error
};

template <typename Flags>
Command Define(const char* name,
               std::function<int(const Flags&, const std::vector<std::string>&)> run,
               bool takes_arguments) {
  return Command{
      name, &Flags::default_instance(),
      [run](const google::protobuf::Message& flags, const std::vector<std::string>& args) {
        return run(static_cast<const Flags&>(flags), args);
      },
      takes_arguments};
}

template <typename Flags>
Command Define(const char* name, int (*run)(const Flags&)) {
  return Define<Flags>(
      name, [run](const Flags& flags, const std::vector<std::string>&) { return run(flags); },
      false);
}

const std::vector<Command>& Commands() {
  namespace v1 = churn::settings::v1;
  static const std::vector<Command> commands = {
      Define<v1::ScoreFlags>("score", RunScore),
      Define<v1::SummaryFlags>("summary", RunSummary),
      Define<v1::ExplainFlags>("explain", RunExplain, true),
      Define<v1::BacktestFlags>("backtest", RunBacktest),
      Define<v1::TrainFlags>("train", RunTrain),
      Define<v1::GenerateFlags>("generate", RunGenerate),
      Define<v1::TokensFlags>("tokens", churnctl::RunTokensCommand, true),
      Define<v1::HealthFlags>("health", churnctl::RunHealth),
      Define<v1::AtRiskFlags>("at-risk", churnctl::RunAtRisk),
      Define<v1::CustomerFlags>("customer", churnctl::RunCustomer, true),
      Define<v1::AnalyzeTicketFlags>("analyze-ticket", churnctl::RunAnalyzeTicket),
  };
  return commands;
}

churn::settings::SettingsSources Sources() {
  churn::settings::SettingsSources sources;
  sources.program = "churnctl";
  sources.allow_positional = true;
  sources.dashed_names = true;
  return sources;
}

std::string Usage() {
  std::vector<const google::protobuf::Descriptor*> descriptors;
  for (const Command& command : Commands()) descriptors.push_back(command.flags->GetDescriptor());
  return absl::StrCat(
      kUsage, churn::settings::SettingsHelp(Sources(), descriptors, {.restart_notes = false}),
      kUsageEnd);
}

// The command word: the first argument that is neither an option nor an option's value.
std::optional<size_t> CommandIndex(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i].rfind("-", 0) != 0) return i;
    if (args[i].find('=') == std::string::npos) ++i;  // its value follows
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  // Large arrays (the usage table's parts, the day rings, the customer lists) are mapped on their
  // own and given back when freed. glibc otherwise raises this threshold after the first such
  // free and keeps later ones in its heap, where freed memory stays resident: about 20 MB more
  // peak RSS on 10 million usage rows.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  std::vector<std::string> args(argv + 1, argv + argc);
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      std::cout << Usage();
      return 0;
    }
  }
  const std::optional<size_t> index = CommandIndex(args);
  if (!index) {
    std::cout << Usage();
    return 2;
  }
  const std::string name = args[*index];
  if (name == "help") {
    std::cout << Usage();
    return 0;
  }
  args.erase(args.begin() + static_cast<std::ptrdiff_t>(*index));
  const std::vector<Command>& commands = Commands();
  const auto command = std::find_if(commands.begin(), commands.end(),
                                    [&name](const Command& c) { return name == c.name; });
  if (command == commands.end()) return UsageError(absl::StrCat("unknown command '", name, "'"));

  std::unique_ptr<google::protobuf::Message> flags(command->flags->New());
  churn::settings::SettingsSources sources = Sources();
  sources.args = std::move(args);
  absl::StatusOr<churn::settings::SettingsReport> report =
      churn::settings::LoadSettings(sources, flags.get());
  if (!report.ok()) return UsageError(absl::StrCat(name, ": ", report.status().message()));
  if (!command->takes_arguments && !report->positional.empty()) {
    return UsageError(absl::StrCat("unexpected argument '", report->positional[0], "'"));
  }
  return command->run(*flags, report->positional);
}
