// libs/settings: layers (defaults < file < environment < flags), the errors
// that name the key and its source, and --help.
#include "settings/settings_loader.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "test_settings.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/scratch_dir.h"

namespace churn::settings {
namespace {

using test::TestSettings;
using ::testing::HasSubstr;

class SettingsLoaderTest : public ::testing::Test {
 protected:
  std::string WriteFile(const std::string& text) {
    const std::string path = (dir_ / "test-service.yaml").string();
    std::ofstream(path) << text;
    return path;
  }

  SettingsSources Sources(std::vector<std::string> args) {
    SettingsSources sources;
    sources.program = "churn-test";
    sources.env_prefix = "CHURN_TEST_";
    sources.default_file = (dir_ / "absent-default.yaml").string();
    sources.args = std::move(args);
    sources.environment = env_;
    return sources;
  }

  absl::StatusOr<SettingsReport> Load(std::vector<std::string> args) {
    return LoadSettings(Sources(std::move(args)), &settings_);
  }

  const churn::testing::ScratchDir scratch_;
  const std::filesystem::path dir_ = scratch_.path();
  std::map<std::string, std::string> env_;
  TestSettings settings_;
};

TEST_F(SettingsLoaderTest, DefaultsWhenNothingIsGiven) {
  absl::StatusOr<SettingsReport> report = Load({});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(settings_.process().grpc_address(),
            "0.0.0.0:1");  // the message's override
  EXPECT_EQ(settings_.process().metrics_address(), "");
  EXPECT_EQ(settings_.process().drain_timeout_ms(),
            5000);  // the group's own default
  EXPECT_EQ(settings_.process().log_level(), "info");
  EXPECT_EQ(settings_.max_batch(), 100);
  EXPECT_FALSE(settings_.strict());
  EXPECT_DOUBLE_EQ(settings_.ratio(), 0.5);
  EXPECT_FALSE(settings_.has_as_of());
  EXPECT_EQ(report->source.at("max_batch"), "default");
  EXPECT_EQ(report->config_file, "");
}

TEST_F(SettingsLoaderTest, TheFileSetsKeysOfTheMessageAndOfItsGroups) {
  const std::string file =
      WriteFile("# comment\nmax_batch: 7\nratio: 0.25\nlog_level: debug\nas_of: \"\"\n");
  absl::StatusOr<SettingsReport> report = Load({"--config=" + file});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->config_file, file);
  EXPECT_EQ(settings_.max_batch(), 7);
  EXPECT_DOUBLE_EQ(settings_.ratio(), 0.25);
  EXPECT_EQ(settings_.process().log_level(), "debug");
  EXPECT_TRUE(settings_.has_as_of());  // present, though empty
  EXPECT_EQ(report->source.at("log_level"), "file");
}

TEST_F(SettingsLoaderTest, EnvironmentOverridesTheFile) {
  env_["CHURN_TEST_CONFIG"] = WriteFile("max_batch: 7\nstrict: true\n");
  env_["CHURN_TEST_MAX_BATCH"] = "8";
  env_["CHURN_TEST_STRICT"] = "OFF";
  absl::StatusOr<SettingsReport> report = Load({});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(settings_.max_batch(), 8);
  EXPECT_FALSE(settings_.strict());
  EXPECT_EQ(report->source.at("max_batch"), "env");
}

TEST_F(SettingsLoaderTest, FlagsOverrideTheEnvironment) {
  const std::string file = WriteFile("max_batch: 7\nratio: 0.25\n");
  env_["CHURN_TEST_MAX_BATCH"] = "8";
  env_["CHURN_TEST_GRPC_ADDRESS"] = "127.0.0.1:5";
  absl::StatusOr<SettingsReport> report =
      Load({"--config", file, "--max-batch=9", "--grpc_address", "127.0.0.1:0", "--strict"});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(settings_.max_batch(), 9);
  EXPECT_EQ(report->source.at("max_batch"), "flag");
  EXPECT_EQ(settings_.process().grpc_address(), "127.0.0.1:0");
  EXPECT_TRUE(settings_.strict());  // a bare bool flag
  EXPECT_DOUBLE_EQ(settings_.ratio(), 0.25);
  EXPECT_EQ(report->source.at("ratio"), "file");
}

TEST_F(SettingsLoaderTest, ABoolFlagTakesAFollowingBoolWord) {
  ASSERT_TRUE(Load({"--strict", "yes", "--max_batch", "3"}).ok());
  EXPECT_TRUE(settings_.strict());
  ASSERT_TRUE(Load({"--strict", "no"}).ok());
  EXPECT_FALSE(settings_.strict());
}

TEST_F(SettingsLoaderTest, UnknownFileKeyNamesFileLineKeyAndNearestKey) {
  const std::string file = WriteFile("max_batch: 3\nmax_bacth: 4\n");
  absl::StatusOr<SettingsReport> report = Load({"--config=" + file});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(report.status().message(),
            file + ":2: unknown key 'max_bacth' (did you mean max_batch?)");
}

TEST_F(SettingsLoaderTest, UnknownKeyFarFromAnyListsTheKnownKeys) {
  const std::string file = WriteFile("colour: red\n");
  absl::StatusOr<SettingsReport> report = Load({"--config=" + file});
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr(file + ":1: unknown key 'colour' (known: "));
  EXPECT_THAT(report.status().message(), HasSubstr("grpc_address, metrics_address"));
  EXPECT_THAT(report.status().message(), HasSubstr("max_batch, strict, ratio"));
  // An environment-only setting is not a file key.
  EXPECT_THAT(Load({"--config=" + WriteFile("secret: x\n")}).status().message(),
              HasSubstr("unknown key 'secret'"));
}

TEST_F(SettingsLoaderTest, UnknownFlagsAndVariablesAreErrorsToo) {
  absl::StatusOr<SettingsReport> report = Load({"--max_btch=1"});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().message(), "unknown option --max_btch (did you mean --max_batch?)");
  EXPECT_FALSE(Load({"--secret=x"}).ok());
  EXPECT_FALSE(Load({"positional"}).ok());

  env_["CHURN_TEST_MAX_BACTH"] = "1";
  report = Load({});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().message(),
            "unknown environment variable CHURN_TEST_MAX_BACTH (did you mean "
            "CHURN_TEST_MAX_BATCH?)");
}

TEST_F(SettingsLoaderTest, BadValuesNameTheKeyAndWhereTheyCameFrom) {
  env_["CHURN_TEST_MAX_BATCH"] = "many";
  absl::StatusOr<SettingsReport> report = Load({});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().message(),
            "environment CHURN_TEST_MAX_BATCH: max_batch: must be int, got 'many'");

  env_.clear();
  report = Load({"--strict=perhaps"});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().message(),
            "option --strict: must be bool (true/false, 1/0, yes/no or "
            "on/off), got 'perhaps'");

  report = Load({"--small=3000000000"});
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("option --small: must be int (32 bits)"));

  const std::string file = WriteFile("max_batch: 1\nratio: [1, 2]\n");
  report = Load({"--config=" + file});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().message(), file + ":2: ratio: must be a single value");

  report = Load({"--config=" + WriteFile("ratio: half\n")});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().message(), file + ":1: ratio: must be a number, got 'half'");

  report = Load({"--max_batch"});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().message(), "option --max_batch needs a value");
}

TEST_F(SettingsLoaderTest, FileProblemsAreErrorsNotDefaults) {
  absl::StatusOr<SettingsReport> report = Load({"--config=" + (dir_ / "absent.yaml").string()});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), absl::StatusCode::kNotFound);
  report = Load({"--config=" + WriteFile("max_batch: [1\n")});
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("test-service.yaml:"));
  report = Load({"--config=" + WriteFile("config: other.yaml\n")});
  ASSERT_FALSE(report.ok());
  EXPECT_THAT(report.status().message(), HasSubstr("'config' can only be given as flag"));
}

TEST_F(SettingsLoaderTest, EnvironmentOnlySettingsComeFromTheirOwnVariableAndStayOutOfLogs) {
  env_["TEST_SECRET"] = "s3cret";
  absl::StatusOr<SettingsReport> report = Load({});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(settings_.secret(), "s3cret");
  for (const auto& [key, value] : report->effective) EXPECT_NE(key, "secret");
}

TEST_F(SettingsLoaderTest, DashedNamesInMessagesWhenTheProgramUsesThem) {
  SettingsSources sources = Sources({"--max-btch", "1"});
  sources.dashed_names = true;
  absl::StatusOr<SettingsReport> report = LoadSettings(sources, &settings_);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().message(), "unknown option --max-btch (did you mean --max-batch?)");
  sources.args = {"--as-of"};
  EXPECT_EQ(LoadSettings(sources, &settings_).status().message(), "option --as-of needs a value");
}

TEST_F(SettingsLoaderTest, PositionalArgumentsWhenAllowed) {
  SettingsSources sources = Sources({"explain", "--max-batch", "4", "S-1"});
  sources.allow_positional = true;
  absl::StatusOr<SettingsReport> report = LoadSettings(sources, &settings_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->positional, (std::vector<std::string>{"explain", "S-1"}));
  EXPECT_EQ(settings_.max_batch(), 4);
}

TEST_F(SettingsLoaderTest, HelpWinsOverBrokenInput) {
  env_["CHURN_TEST_MAX_BATCH"] = "many";
  absl::StatusOr<SettingsReport> report = Load({"--bogus", "--help"});
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->help_requested);
}

TEST_F(SettingsLoaderTest, HelpListsEverySettingWithDefaultEnvironmentAndRestartNote) {
  const std::string help = SettingsHelp(Sources({}), *TestSettings::descriptor());
  for (const char* key :
       {"config", "grpc_address", "metrics_address", "drain_timeout_ms", "worker_threads",
        "work_queue", "port_file", "log_level", "auth_tokens_file", "allow_unauthenticated",
        "tls_cert_file", "tls_key_file", "tls_ca_file", "max_batch", "strict", "ratio", "small",
        "as_of", "rules_file"}) {
    EXPECT_THAT(help, HasSubstr(std::string("--") + key + "=<")) << key;
  }
  EXPECT_THAT(help, HasSubstr("  --max_batch=<int>  (default: \"100\"; env CHURN_TEST_MAX_BATCH; "
                              "restart needed)\n      batch limit\n"));
  EXPECT_THAT(help, HasSubstr("--grpc_address=<string>  (default: \"0.0.0.0:1\"; env "
                              "CHURN_TEST_GRPC_ADDRESS; restart needed)"));
  EXPECT_THAT(help, HasSubstr("--strict=<bool>  (default: \"false\""));
  EXPECT_THAT(help, HasSubstr("re-read while running: the file, by ReloadRules"));
  EXPECT_THAT(help, HasSubstr("(environment only)  (default: \"\"; env TEST_SECRET"));
  EXPECT_THAT(
      help, HasSubstr("--config=<string>  (default: \"" + (dir_ / "absent-default.yaml").string()));

  SettingsSources sources = Sources({});
  sources.dashed_names = true;
  const std::string dashed =
      SettingsHelp(sources, *TestSettings::descriptor(), {.restart_notes = false});
  EXPECT_THAT(dashed,
              HasSubstr("--max-batch=<int>  (default: \"100\"; env CHURN_TEST_MAX_BATCH)\n"));
}

}  // namespace
}  // namespace churn::settings
