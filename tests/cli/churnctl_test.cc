// churnctl as a user runs it: the real binary, its exit codes, stdout and stderr.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "testing/data_folder.h"
#include "testing/scratch_dir.h"

namespace churn {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

Result RunChurnctl(const std::string& args) {
  const std::string err_file = (churn::testing::ProgramScratch() / "churnctl_stderr.txt").string();
  const std::string command = std::string(CHURNCTL_BINARY) + " " + args + " 2>" + err_file;
  Result result;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.out.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_file);
  std::stringstream text;
  text << err.rdbuf();
  result.err = text.str();
  return result;
}

TEST(Churnctl, HelpDocumentsEveryCommand) {
  Result result = RunChurnctl("--help");
  EXPECT_EQ(result.exit_code, 0);
  for (const char* word :
       {"score", "summary", "explain", "generate", "backtest", "--as-of", "--from",
        "--horizon-days", "--mode", "--format", "--limit", "--config", "--max-rejected"}) {
    EXPECT_THAT(result.out, HasSubstr(word));
  }
}

TEST(Churnctl, OptionTyposNameTheNearestOptionOfTheCommand) {
  Result typo = RunChurnctl("score --data x --max-rejectd 3");
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_THAT(typo.err, HasSubstr("score: unknown option --max-rejectd (did you mean "
                                  "--max-rejected?)"));
  // An option of another command is no option of this one.
  Result other = RunChurnctl("summary --data x --limit 3");
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_THAT(other.err, HasSubstr("summary: unknown option --limit"));
  Result bad = RunChurnctl("generate --out x --accounts many");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("option --accounts: must be int, got 'many'"));
}

TEST(Churnctl, UsageErrorsExitWithTwo) {
  EXPECT_EQ(RunChurnctl("frobnicate").exit_code, 2);
  Result unknown = RunChurnctl("score --data x --colour red");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("unknown option --colour"));
  EXPECT_EQ(RunChurnctl("score --data x --format xml").exit_code, 2);
}

TEST(Churnctl, ScoreCsvListsCustomersInAtRiskOrder) {
  const std::string dir = testing::WriteDataFolder("cli_score");
  Result result = RunChurnctl("score --data " + dir + " --format csv");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::istringstream lines(result.out);
  std::string header, first, second;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, second);
  EXPECT_THAT(header, StartsWith("customer_id,account_id,account_name,plan_tier,arr,churned,"
                                 "risk_score,risk_level,top_reasons,recommended_actions"));
  // S-2: downgrade 12 + trial 8 = 20. S-1: usage drop 50% (28) + low satisfaction 12 +
  // escalation 10 = 50.
  EXPECT_THAT(first, StartsWith("S-1,A-1,Acme,Pro,12000,0,50,Medium,"));
  EXPECT_THAT(second, StartsWith("S-2,A-2,Globex,Basic,1200,1,20,Low,"));
}

TEST(Churnctl, ExplainShowsEveryFiredRuleWithPoints) {
  const std::string dir = testing::WriteDataFolder("cli_explain");
  Result result = RunChurnctl("explain --data " + dir + " S-1");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("+28  usage_drop"));
  EXPECT_THAT(result.out, HasSubstr("Usage dropped 50% (30d vs prior)"));
  EXPECT_THAT(result.out, HasSubstr("+12  satisfaction/low"));
  EXPECT_THAT(result.out, HasSubstr("+10  escalation"));
  Result missing = RunChurnctl("explain --data " + dir + " S-404");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("no customer 'S-404'"));
}

TEST(Churnctl, SummaryJsonHasExecutiveAndDrivers) {
  const std::string dir = testing::WriteDataFolder("cli_summary");
  Result result = RunChurnctl("summary --data " + dir + " --format json");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("\"total_arr\": 13200"));
  EXPECT_THAT(result.out, HasSubstr("\"usage_window_end\": \"2024-12-31\""));
  EXPECT_THAT(result.out, HasSubstr("\"reason_code\": \"pricing\""));
}

TEST(Churnctl, BadInputFailsWithPositionOnStderr) {
  const std::string dir = testing::WriteDataFolder(
      "cli_bad", {{"support_tickets.csv",
                   "ticket_id,account_id,submitted_at,satisfaction_score,escalation_flag\n"
                   "T-1,A-1,yesterday,3,False\n"}});
  Result result = RunChurnctl("score --data " + dir);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(result.out.empty());
  EXPECT_THAT(result.err, HasSubstr("support_tickets.csv:2:9: submitted_at: expected a date"));
  Result missing = RunChurnctl("score --data /nonexistent/folder");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("/nonexistent/folder"));
}

TEST(Churnctl, GeneratedDemoDataScoresDeterministically) {
  const churn::testing::ScratchDir scratch;
  const std::string dir = (scratch / "generated").string();
  Result generated = RunChurnctl("generate --out " + dir + " --accounts 60 --seed 3");
  ASSERT_EQ(generated.exit_code, 0) << generated.err;
  Result first = RunChurnctl("score --data " + dir + " --format json");
  Result second = RunChurnctl("score --data " + dir + " --format json");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, second.out);
  EXPECT_THAT(first.out, HasSubstr("\"risk_level\""));
}

TEST(Churnctl, BacktestOnPlantedDataIsInformativeAndDeterministic) {
  const churn::testing::ScratchDir scratch;
  const std::string dir = (scratch / "planted").string();
  Result generated =
      RunChurnctl("generate --out " + dir + " --accounts 600 --history-days 300 --mode planted");
  ASSERT_EQ(generated.exit_code, 0) << generated.err;
  const std::string args = "backtest --data " + dir + " --from 2024-04-01 --to 2024-10-01";
  Result json = RunChurnctl(args + " --format json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json report = nlohmann::json::parse(json.out);
  EXPECT_TRUE(report["informative"].get<bool>());
  EXPECT_GT(report["rules"]["roc_auc"].get<double>(), 0.7);
  EXPECT_EQ(report["rules"]["roc_auc_ci95"].size(), 2u);
  EXPECT_TRUE(report["rules"]["precision_at_k"].contains("1%"));
  EXPECT_TRUE(report["rules"]["lead_time_days"].contains("median"));
  EXPECT_TRUE(report["model"].is_null());
  EXPECT_EQ(RunChurnctl(args + " --format json").out, json.out);  // seeded bootstrap
  Result table = RunChurnctl(args + " --step-days 60 --horizon-days 60");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("ROC AUC"));
  EXPECT_THAT(table.out, HasSubstr("Informative: yes"));
  EXPECT_THAT(table.out, HasSubstr("horizon 60 days"));
}

// train writes a model with a walk-forward report; backtest --model evaluates it beside the rules
// only where its training labels did not reach, and refuses where nothing is left.
TEST(Churnctl, TrainThenBacktestTheModelOutOfSample) {
  const churn::testing::ScratchDir scratch;
  const std::string dir = (scratch / "train").string();
  Result generated =
      RunChurnctl("generate --out " + dir + " --accounts 400 --history-days 365 --mode planted");
  ASSERT_EQ(generated.exit_code, 0) << generated.err;
  const std::string model = dir + "/model.json";
  Result trained = RunChurnctl("train --data " + dir +
                               " --from 2024-04-01 --to 2024-07-01 --step-days 30 --horizon-days 60"
                               " --rounds 20 --format json --out " +
                               model);
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  EXPECT_THAT(trained.err, HasSubstr("its labels end on 2024-08-29"));  // 2024-06-30 + 60
  const nlohmann::json walk_forward = nlohmann::json::parse(trained.out);
  EXPECT_FALSE(walk_forward["model"].is_null());
  EXPECT_THAT(walk_forward["model_note"].get<std::string>(), HasSubstr("Walk-forward"));

  Result backtest = RunChurnctl("backtest --data " + dir +
                                " --from 2024-08-01 --to 2024-10-01 --horizon-days 60"
                                " --format json --model " +
                                model);
  ASSERT_EQ(backtest.exit_code, 0) << backtest.err;
  const nlohmann::json report = nlohmann::json::parse(backtest.out);
  EXPECT_TRUE(report["model"]["roc_auc"].is_number());
  EXPECT_EQ(report["as_of_dates"][0]["as_of"], "2024-08-31");  // the first date not learned from
  EXPECT_THAT(report["model_note"].get<std::string>(),
              HasSubstr("earlier as-of dates left out for both: 1"));

  Result in_sample =
      RunChurnctl("backtest --data " + dir + " --from 2024-04-01 --to 2024-06-01 --model " + model);
  EXPECT_EQ(in_sample.exit_code, 1);
  EXPECT_THAT(in_sample.err, HasSubstr("cannot be evaluated out of sample"));
  EXPECT_EQ(RunChurnctl("train --data " + dir + " --from 2024-04-01 --to 2024-07-01").exit_code,
            2);  // no --out
}

TEST(Churnctl, BacktestUsageErrors) {
  EXPECT_EQ(RunChurnctl("backtest --data x --to 2024-01-01").exit_code, 2);
  EXPECT_EQ(RunChurnctl("backtest --data x --from 2024-02-01 --to 2024-01-01").exit_code, 2);
  EXPECT_EQ(
      RunChurnctl("backtest --data x --from 2024-01-01 --to 2024-02-01 --format csv").exit_code, 2);
  EXPECT_EQ(
      RunChurnctl("backtest --data x --from 2024-01-01 --to 2024-02-01 --step-days 0").exit_code,
      2);
  Result mode = RunChurnctl("generate --out /tmp/x --mode random");
  EXPECT_EQ(mode.exit_code, 2);
  EXPECT_THAT(mode.err, HasSubstr("planted"));
  Result missing = RunChurnctl("backtest --data /nonexistent --from 2024-01-01 --to 2024-02-01");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("not a data folder"));
}

}  // namespace
}  // namespace churn
