#include "bench_flags.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace churn::bench {
namespace {

struct Values {
  std::string out = "default";
  int clients = 8;
  int warmup = 60;
  double seconds = 5;
};

class BenchFlagsTest : public ::testing::Test {
 protected:
  BenchFlagsTest() : parser_("demo_bench", "usage: demo_bench [--clients=N]\n") {
    parser_.String("out", &values_.out);
    parser_.Int("clients", &values_.clients, 1);
    parser_.Int("warmup", &values_.warmup, 0);
    parser_.Double("seconds", &values_.seconds, 0, /*inclusive_min=*/false);
  }

  std::optional<int> Parse(std::vector<const char*> args) {
    args.insert(args.begin(), "demo_bench");
    ::testing::internal::CaptureStderr();
    ::testing::internal::CaptureStdout();
    std::optional<int> exit_code = parser_.Parse(static_cast<int>(args.size()), args.data());
    stderr_ = ::testing::internal::GetCapturedStderr();
    stdout_ = ::testing::internal::GetCapturedStdout();
    return exit_code;
  }

  Values values_;
  BenchFlags parser_;
  std::string stderr_;
  std::string stdout_;
};

TEST_F(BenchFlagsTest, NoFlagsKeepTheDefaults) {
  EXPECT_EQ(Parse({}), std::nullopt);
  EXPECT_EQ(values_.out, "default");
  EXPECT_EQ(values_.clients, 8);
}

TEST_F(BenchFlagsTest, SetsEveryKind) {
  EXPECT_EQ(Parse({"--out=r.json", "--clients=3", "--warmup=0", "--seconds=0.5"}), std::nullopt);
  EXPECT_EQ(values_.out, "r.json");
  EXPECT_EQ(values_.clients, 3);
  EXPECT_EQ(values_.warmup, 0);
  EXPECT_DOUBLE_EQ(values_.seconds, 0.5);
  EXPECT_EQ(stderr_, "");
}

TEST_F(BenchFlagsTest, HelpPrintsTheUsageAndExitsZero) {
  EXPECT_EQ(Parse({"--clients=3", "-h"}), 0);
  EXPECT_EQ(stdout_, "usage: demo_bench [--clients=N]\n");
  EXPECT_EQ(Parse({"--help"}), 0);
}

TEST_F(BenchFlagsTest, BadFlagsExitTwoAndSayWhy) {
  EXPECT_EQ(Parse({"clients=3"}), 2);
  EXPECT_EQ(stderr_,
            "demo_bench: expected --key=value, got 'clients=3'\n"
            "usage: demo_bench [--clients=N]\n");
  EXPECT_EQ(Parse({"--clients"}), 2);
  EXPECT_EQ(Parse({"--threads=2"}), 2);
  EXPECT_EQ(stderr_, "demo_bench: unknown flag --threads\nusage: demo_bench [--clients=N]\n");
  EXPECT_EQ(Parse({"--clients=0"}), 2);
  EXPECT_EQ(stderr_, "demo_bench: bad value for --clients: '0'\n");
  EXPECT_EQ(Parse({"--clients=x"}), 2);
  EXPECT_EQ(Parse({"--warmup=-1"}), 2);
  EXPECT_EQ(Parse({"--seconds=0"}), 2);
  EXPECT_EQ(Parse({"--seconds=abc"}), 2);
}

TEST_F(BenchFlagsTest, CustomRules) {
  int a = 0;
  int b = 0;
  parser_.Custom("both", [&](const std::string& value) {
    a = b = static_cast<int>(value.size());
    return !value.empty();
  });
  EXPECT_EQ(Parse({"--both=xyz"}), std::nullopt);
  EXPECT_EQ(a, 3);
  EXPECT_EQ(b, 3);
  EXPECT_EQ(Parse({"--both="}), 2);
}

}  // namespace
}  // namespace churn::bench
