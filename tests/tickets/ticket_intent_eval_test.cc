// churn_ticket_intent_eval as a user runs it: the figures it prints for a tiny hand-labelled set.

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "testing/scratch_dir.h"

namespace {

struct Result {
  int exit_code = -1;
  std::string out;
};

Result RunEval(const std::string& args) {
  const std::string command = std::string(TICKET_INTENT_EVAL_PATH) + " " + args + " 2>/dev/null";
  Result result;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) result.out.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Four tickets, one in each cell for the phrase rules: "cancel our subscription" (intent, found),
// "cancel the weekly report" (no intent, flagged), "let the contract lapse" (intent, missed),
// "password reset" (no intent, not flagged): precision = recall = F1 = 1/2.
TEST(TicketIntentEval, ReportsTheConfusionOfATinySet) {
  const churn::testing::ScratchDir scratch;
  const std::string path = (scratch / "tiny_labelled.csv").string();
  std::ofstream(path) << "ticket_id,subject,body,churn_intent,split\n"
                         "T1,,Please cancel our subscription.,1,heldout\n"
                         "T2,,How do I cancel the weekly report?,0,heldout\n"
                         "T3,,We will let the contract lapse.,1,heldout\n"
                         "T4,,Password reset please,0,heldout\n"
                         "T5,,Not counted: the train split,1,train\n";
  const Result result = RunEval("--data " + path + " --format json");
  ASSERT_EQ(result.exit_code, 0) << result.out;
  const nlohmann::json json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["split"], "heldout");
  EXPECT_EQ(json["tickets"], 4);
  EXPECT_EQ(json["with_intent"], 2);
  ASSERT_EQ(json["detectors"].size(), 2u);
  const nlohmann::json& rules = json["detectors"][0];
  EXPECT_EQ(rules["name"], "phrase_rules");
  EXPECT_EQ(rules["true_positive"], 1);
  EXPECT_EQ(rules["false_positive"], 1);
  EXPECT_EQ(rules["false_negative"], 1);
  EXPECT_EQ(rules["true_negative"], 1);
  EXPECT_DOUBLE_EQ(rules["precision"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(rules["recall"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(rules["f1"].get<double>(), 0.5);
  const nlohmann::json& shipped = json["detectors"][1];
  EXPECT_EQ(shipped["true_positive"].get<int>() + shipped["false_positive"].get<int>() +
                shipped["false_negative"].get<int>() + shipped["true_negative"].get<int>(),
            4);

  const Result all = RunEval("--data " + path + " --split all --format json");
  EXPECT_EQ(nlohmann::json::parse(all.out)["tickets"], 5);
  const Result table = RunEval("--data " + path);
  EXPECT_NE(table.out.find("heldout split: 4 tickets, 2 with cancellation intent"),
            std::string::npos)
      << table.out;
}

TEST(TicketIntentEval, RefusesBadArgumentsAndFiles) {
  EXPECT_EQ(RunEval("--split test").exit_code, 2);
  EXPECT_EQ(RunEval("--format xml").exit_code, 2);
  EXPECT_EQ(RunEval("--data /nonexistent/labelled.csv").exit_code, 1);
}

}  // namespace
