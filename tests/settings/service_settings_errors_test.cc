// A real service binary with bad settings: it stops before serving with exit status 2 and one
// line that names the file, the key and the nearest known key (never an abort).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/scratch_dir.h"

namespace {

using ::testing::HasSubstr;

struct Outcome {
  int exit_code = -1;
  bool signalled = false;
  std::string output;
};

Outcome RunScoring(const std::string& args, const std::string& env = "") {
  FILE* pipe = ::popen((env + " " + CHURN_SCORING_BINARY + " " + args + " 2>&1").c_str(), "r");
  Outcome run;
  char buffer[4096];
  while (size_t n = std::fread(buffer, 1, sizeof(buffer), pipe)) run.output.append(buffer, n);
  const int status = ::pclose(pipe);
  run.signalled = WIFSIGNALED(status);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

std::string WriteFile(const std::string& text) {
  const std::string path = (churn::testing::ProgramScratch() / "scoring-settings.yaml").string();
  std::ofstream(path) << text;
  return path;
}

TEST(ServiceSettingsErrors, UnknownFileKeyNamesFileLineAndNearestKey) {
  const std::string file = WriteFile("max_batch: 10\nmax_bach: 5\n");
  const Outcome run = RunScoring("--config=" + file);
  EXPECT_FALSE(run.signalled);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.output,
            "churn-scoring: " + file + ":2: unknown key 'max_bach' (did you mean max_batch?)\n");
  std::filesystem::remove(file);
}

TEST(ServiceSettingsErrors, BadValuesNameTheKeyAndTheirSource) {
  Outcome run = RunScoring("", "CHURN_SCORING_MAX_BATCH=lots");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.output,
              HasSubstr("environment CHURN_SCORING_MAX_BATCH: max_batch: must be int, got 'lots'"));
  run = RunScoring("--allow-unauthenticated=maybe");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.output, HasSubstr("option --allow-unauthenticated: must be bool"));
  run = RunScoring("--max_bach=3");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.output, HasSubstr("unknown option --max_bach (did you mean --max_batch?)"));
}

TEST(ServiceSettingsErrors, OutOfRangeValuesAreLoggedSettingsErrors) {
  const Outcome run = RunScoring("--config= --max_batch=0 --grpc_address=127.0.0.1:0");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.output, HasSubstr("event=config_invalid"));
  EXPECT_THAT(run.output, HasSubstr("max_batch and max_rules_bytes must be >= 1"));
}

}  // namespace
