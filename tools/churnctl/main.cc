// churnctl: the churn early-warning system from the command line.
// Offline mode reads a data folder directly; the service set has its own clients.

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "backtest/backtest.h"
#include "backtest/backtest_report.h"
#include "demodata/generator.h"
#include "remote_commands.h"
#include "token_commands.h"
#include "scoring/rule_set.h"
#include "signals/signal_builder.h"
#include "reports/report_format.h"
#include "reports/summary.h"

namespace {

constexpr char kUsage[] = R"(churnctl: churn early-warning system (offline mode)

Usage:
  churnctl score    --data DIR [--config FILE] [--as-of YYYY-MM-DD] [--format csv|json|table]
                    [--limit N] [--max-rejected N]
  churnctl summary  --data DIR [--config FILE] [--as-of YYYY-MM-DD] [--format json|table|csv]
  churnctl explain  --data DIR [--config FILE] [--as-of YYYY-MM-DD] [--format table|json] CUSTOMER_ID
  churnctl backtest --data DIR --from YYYY-MM-DD --to YYYY-MM-DD [--step-days N]
                    [--horizon-days N] [--config FILE] [--format table|json] [--max-rejected N]
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
            recommended actions.
  backtest  Scores the customers as they were on past dates (from FROM to TO every --step-days,
            default 30; each date's population: subscriptions started and not ended by it whose
            account had not churned by it, with only usage and tickets up to it) and compares
            with what happened: a customer is churned when its account's first churn event
            after the date falls within --horizon-days (default 90). Reports base rate,
            precision/recall/F1 of High and High+Medium, precision and lift at K (10, 50, 100,
            top 1% and 5% of each date), ROC AUC and PR AUC with seeded 95% bootstrap intervals,
            lead time, each rule's firing, churn rate and lift, calibration by level and score
            decile, and whether the signals beat chance (informative). Default format: table.
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
  variable) for services that require a bearer token, and --tls-ca-file FILE (TLS),
  --tls-cert-file FILE --tls-key-file FILE (mutual TLS), --tls-server-name NAME.

Options:
  --data DIR          folder with the five tables (*accounts.csv, *subscriptions.csv,
                      *feature_usage.csv, *churn_events.csv, *support_tickets.csv)
  --config FILE       scoring rules YAML (default: the built-in config/scoring.yaml)
  --as-of DATE        end both windows on DATE instead of the latest usage / ticket date
  --format F          csv, json or table
  --limit N           print only the first N customers (score)
  --max-rejected N    skip up to N rows with bad values (reported on stderr) instead of
                      failing at the first one (default 0: strict)
  --out DIR           output folder (generate)
  --accounts N        accounts to generate (default 500)
  --seed S            random seed (default 7)
  --end-date DATE     last day of generated activity (default 2024-12-31)
  --history-days N    days of usage history to generate (default 180)
  --mode M            generate: default, planted or null
  --from, --to DATE   backtest: first and last as-of date
  --step-days N       backtest: days between as-of dates (default 30)
  --horizon-days N    backtest: churn within this many days after a date counts (default 90)

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

struct Arguments {
  std::string command;
  std::map<std::string, std::string> options;
  std::vector<std::string> positional;
};

// Flags are "--name value" or "--name=value"; every flag takes a value.
std::optional<Arguments> ParseArguments(int argc, char** argv, std::string* error) {
  Arguments args;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      args.command = "help";
      return args;
    }
    if (arg.rfind("--", 0) == 0) {
      std::string name = arg.substr(2), value;
      // --tls_ca_file and --tls-ca-file alike, as the services accept both.
      for (char& c : name) {
        if (c == '=') break;
        if (c == '_') c = '-';
      }
      if (const size_t eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        *error = absl::StrCat("option --", name, " needs a value");
        return std::nullopt;
      }
      args.options[name] = value;
    } else if (args.command.empty()) {
      args.command = arg;
    } else {
      args.positional.push_back(arg);
    }
  }
  return args;
}

// The options each command accepts; anything else is a usage error before any work.
const std::map<std::string, std::vector<std::string>>& CommandOptions() {
  static const std::map<std::string, std::vector<std::string>> options = {
      {"score", {"data", "config", "as-of", "format", "limit", "max-rejected"}},
      {"summary", {"data", "config", "as-of", "format", "max-rejected"}},
      {"explain", {"data", "config", "as-of", "format", "max-rejected"}},
      {"backtest",
       {"data", "config", "from", "to", "step-days", "horizon-days", "format", "max-rejected"}},
      {"generate", {"out", "accounts", "seed", "end-date", "history-days", "mode"}},
      {"tokens", {"dir", "file", "name", "role"}},
  };
  return options;
}

class Options {
 public:
  explicit Options(const Arguments& args) : args_(args) {}
  std::optional<std::string> Get(const std::string& name) const {
    auto it = args_.options.find(name);
    if (it == args_.options.end()) return std::nullopt;
    return it->second;
  }

 private:
  const Arguments& args_;
};

absl::StatusOr<int64_t> ParseNonNegative(const std::string& name, const std::string& text) {
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, ": expected a whole number >= 0, got '", text, "'"));
  }
  return value;
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

// The shared part of score, summary and explain: load, build signals, score, sort.
absl::StatusOr<ScoredData> LoadAndScore(const Options& options) {
  const std::optional<std::string> data_dir = options.Get("data");
  const std::optional<std::string> config = options.Get("config");
  const std::optional<std::string> as_of = options.Get("as-of");
  const std::optional<std::string> max_rejected = options.Get("max-rejected");
  if (!data_dir) return absl::InvalidArgumentError("--data DIR is required");

  churn::scoring::RuleSet rules = churn::scoring::DefaultRuleSet();
  if (config) {
    absl::StatusOr<churn::scoring::RuleSet> loaded = churn::scoring::LoadRuleSetFile(*config);
    if (!loaded.ok()) return loaded.status();
    rules = *std::move(loaded);
  }
  churn::SignalOptions signal_options;
  if (as_of) {
    signal_options.as_of = churn::dataset::ParseDate(*as_of);
    if (!signal_options.as_of) {
      return absl::InvalidArgumentError(
          absl::StrCat("--as-of: expected a date YYYY-MM-DD, got '", *as_of, "'"));
    }
  }
  if (max_rejected) {
    absl::StatusOr<int64_t> limit = ParseNonNegative("max-rejected", *max_rejected);
    if (!limit.ok()) return limit.status();
    signal_options.load.max_rejected_rows = *limit;
  }
  absl::StatusOr<churn::SignalSnapshot> snapshot =
      churn::BuildSignalsFromFolder(*data_dir, signal_options);
  if (!snapshot.ok()) return snapshot.status();
  PrintLoadWarnings(snapshot->report);
  ScoredData data;
  data.customers = churn::reports::ScoreAll(rules, std::move(snapshot->customers));
  data.snapshot = *std::move(snapshot);
  return data;
}

absl::StatusOr<churn::reports::OutputFormat> FormatOption(const Options& options) {
  return churn::reports::ParseOutputFormat(options.Get("format").value_or("table"));
}

int RunScore(const Options& options) {
  absl::StatusOr<churn::reports::OutputFormat> format = FormatOption(options);
  if (!format.ok()) return UsageError(std::string(format.status().message()));
  int64_t limit = 0;
  if (std::optional<std::string> text = options.Get("limit")) {
    absl::StatusOr<int64_t> parsed = ParseNonNegative("limit", *text);
    if (!parsed.ok()) return UsageError(std::string(parsed.status().message()));
    limit = *parsed;
  }
  absl::StatusOr<ScoredData> data = LoadAndScore(options);
  if (!data.ok()) return Failure(data.status());
  churn::reports::WriteAtRiskList(data->customers, static_cast<size_t>(limit), *format, std::cout);
  return 0;
}

int RunSummary(const Options& options) {
  absl::StatusOr<churn::reports::OutputFormat> format = FormatOption(options);
  if (!format.ok()) return UsageError(std::string(format.status().message()));
  absl::StatusOr<ScoredData> data = LoadAndScore(options);
  if (!data.ok()) return Failure(data.status());
  churn::reports::WriteSummary(
      churn::reports::SummarizeExecutive(data->customers, data->snapshot.usage_window_end,
                                         data->snapshot.support_window_end),
      churn::reports::SummarizeDrivers(data->customers, data->snapshot.churn_reason_counts),
      *format, std::cout);
  return 0;
}

int RunExplain(const Options& options, const std::vector<std::string>& positional) {
  if (positional.size() != 1) return UsageError("explain takes exactly one CUSTOMER_ID");
  absl::StatusOr<churn::reports::OutputFormat> format = FormatOption(options);
  if (!format.ok()) return UsageError(std::string(format.status().message()));
  absl::StatusOr<ScoredData> data = LoadAndScore(options);
  if (!data.ok()) return Failure(data.status());
  for (const churn::reports::ScoredCustomer& customer : data->customers) {
    if (customer.signals.customer_id == positional[0]) {
      churn::reports::WriteCustomerBrief(customer, *format, std::cout);
      return 0;
    }
  }
  return Failure(absl::NotFoundError(
      absl::StrCat("no customer '", positional[0], "' (customer_id is the subscription_id)")));
}

absl::StatusOr<churn::scoring::RuleSet> RulesOption(const Options& options) {
  if (std::optional<std::string> config = options.Get("config")) {
    return churn::scoring::LoadRuleSetFile(*config);
  }
  return churn::scoring::DefaultRuleSet();
}

int RunBacktest(const Options& options) {
  const std::string format = options.Get("format").value_or("table");
  if (format != "table" && format != "json") {
    return UsageError(absl::StrCat("--format: expected table or json, got '", format, "'"));
  }
  const std::optional<std::string> data_dir = options.Get("data");
  if (!data_dir) return UsageError("backtest needs --data DIR");
  churn::backtest::BacktestOptions backtest;
  for (const auto& [name, day] :
       {std::pair{"from", &backtest.from}, std::pair{"to", &backtest.to}}) {
    const std::optional<std::string> text = options.Get(name);
    if (!text) return UsageError(absl::StrCat("backtest needs --", name, " YYYY-MM-DD"));
    const std::optional<churn::dataset::Day> parsed = churn::dataset::ParseDate(*text);
    if (!parsed) {
      return UsageError(absl::StrCat("--", name, ": expected YYYY-MM-DD, got '", *text, "'"));
    }
    *day = *parsed;
  }
  for (const auto& [name, days] : {std::pair{"step-days", &backtest.step_days},
                                   std::pair{"horizon-days", &backtest.horizon_days}}) {
    if (std::optional<std::string> text = options.Get(name)) {
      absl::StatusOr<int64_t> parsed = ParseNonNegative(name, *text);
      if (!parsed.ok() || *parsed < 1 || *parsed > 3650) {
        return UsageError(absl::StrCat("--", name, ": expected a number of days from 1 to 3650"));
      }
      *days = static_cast<int>(*parsed);
    }
  }
  if (std::optional<std::string> text = options.Get("max-rejected")) {
    absl::StatusOr<int64_t> limit = ParseNonNegative("max-rejected", *text);
    if (!limit.ok()) return UsageError(std::string(limit.status().message()));
    backtest.load.max_rejected_rows = *limit;
  }
  if (backtest.to < backtest.from) return UsageError("--to is before --from");
  absl::StatusOr<churn::scoring::RuleSet> rules = RulesOption(options);
  if (!rules.ok()) return Failure(rules.status());
  absl::StatusOr<churn::dataset::DataFiles> files = churn::dataset::FindDataFiles(*data_dir);
  if (!files.ok()) return Failure(files.status());
  absl::StatusOr<churn::backtest::BacktestReport> report =
      churn::backtest::RunBacktest(*files, *rules, backtest);
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

int RunGenerate(const Options& options) {
  churn::demodata::GeneratorOptions generator;
  const std::optional<std::string> out = options.Get("out");
  if (!out) return UsageError("generate needs --out DIR");
  if (std::optional<std::string> text = options.Get("accounts")) {
    absl::StatusOr<int64_t> parsed = ParseNonNegative("accounts", *text);
    if (!parsed.ok() || *parsed < 1) return UsageError("--accounts: expected a number >= 1");
    generator.accounts = *parsed;
  }
  if (std::optional<std::string> text = options.Get("seed")) {
    if (!absl::SimpleAtoi(*text, &generator.seed)) {
      return UsageError(absl::StrCat("--seed: expected a whole number, got '", *text, "'"));
    }
  }
  if (std::optional<std::string> text = options.Get("end-date")) {
    if (!churn::dataset::ParseDate(*text)) {
      return UsageError(absl::StrCat("--end-date: expected YYYY-MM-DD, got '", *text, "'"));
    }
    generator.end_date = *text;
  }
  if (std::optional<std::string> text = options.Get("history-days")) {
    absl::StatusOr<int64_t> parsed = ParseNonNegative("history-days", *text);
    if (!parsed.ok() || *parsed < 61) return UsageError("--history-days: expected a number >= 61");
    generator.history_days = static_cast<int>(*parsed);
  }
  if (std::optional<std::string> text = options.Get("mode")) {
    absl::StatusOr<churn::demodata::GeneratorMode> mode =
        churn::demodata::ParseGeneratorMode(*text);
    if (!mode.ok()) return UsageError(absl::StrCat("--mode: ", mode.status().message()));
    generator.mode = *mode;
  }
  churn::demodata::GeneratedCounts counts;
  if (absl::Status status = churn::demodata::GenerateDemoData(generator, *out, &counts);
      !status.ok()) {
    return Failure(status);
  }
  std::cerr << "wrote " << *out << ": " << counts.accounts << " accounts, "
            << counts.subscriptions << " subscriptions, " << counts.usage_rows
            << " usage rows, " << counts.churn_events << " churn events, " << counts.tickets
            << " tickets (" << counts.bytes << " bytes)\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string error;
  std::optional<Arguments> args = ParseArguments(argc, argv, &error);
  if (!args) return UsageError(error);
  if (args->command.empty() || args->command == "help") {
    std::cout << kUsage;
    return args->command.empty() ? 2 : 0;
  }
  const bool remote = !CommandOptions().contains(args->command);
  const auto& command_options = remote ? churnctl::RemoteCommandOptions() : CommandOptions();
  const auto known = command_options.find(args->command);
  if (known == command_options.end()) {
    return UsageError(absl::StrCat("unknown command '", args->command, "'"));
  }
  for (const auto& [name, value] : args->options) {
    if (std::find(known->second.begin(), known->second.end(), name) == known->second.end()) {
      return UsageError(absl::StrCat("unknown option --", name, " for ", args->command));
    }
  }
  if (remote) {
    return churnctl::RunRemoteCommand(
        churnctl::RemoteArguments{args->command, args->options, args->positional});
  }
  if (args->command == "tokens") return churnctl::RunTokensCommand(args->positional, args->options);
  if (args->command != "explain" && !args->positional.empty()) {
    return UsageError(absl::StrCat("unexpected argument '", args->positional[0], "'"));
  }
  Options options(*args);
  if (args->command == "score") return RunScore(options);
  if (args->command == "summary") return RunSummary(options);
  if (args->command == "explain") return RunExplain(options, args->positional);
  if (args->command == "backtest") return RunBacktest(options);
  return RunGenerate(options);
}
