// The services' settings messages against what ships with them: every config/<service>-service.yaml
// loads (no unknown key, no bad value), and the declarations are valid settings messages.
#include <string>

#include "churn/settings/v1/churnctl_flags.pb.h"
#include "churn/settings/v1/enrichment_settings.pb.h"
#include "churn/settings/v1/gateway_settings.pb.h"
#include "churn/settings/v1/ingest_settings.pb.h"
#include "churn/settings/v1/scoring_settings.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "settings/settings_loader.h"
#include "settings/settings_schema.h"

namespace churn::settings {
namespace {

using ::testing::HasSubstr;

template <typename Settings>
void ExpectShippedFileLoads(const std::string& service, const std::string& env_prefix) {
  SettingsSources sources;
  sources.program = "churn-" + service;
  sources.env_prefix = env_prefix;
  sources.default_file = std::string(CHURN_SOURCE_DIR) + "/config/" + service + "-service.yaml";
  sources.environment.emplace();
  Settings settings;
  absl::StatusOr<SettingsReport> report = LoadSettings(sources, &settings);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->config_file, sources.default_file);
  EXPECT_FALSE(settings.process().grpc_address().empty());
  EXPECT_FALSE(settings.process().metrics_address().empty());
}

TEST(ShippedSettings, EveryServiceFileLoads) {
  ExpectShippedFileLoads<v1::IngestSettings>("ingest", "CHURN_INGEST_");
  ExpectShippedFileLoads<v1::ScoringSettings>("scoring", "CHURN_SCORING_");
  ExpectShippedFileLoads<v1::EnrichmentSettings>("enrichment", "CHURN_ENRICHMENT_");
  ExpectShippedFileLoads<v1::GatewaySettings>("gateway", "CHURN_GATEWAY_");
}

TEST(ShippedSettings, ChurnctlCommandsAreValidSettingsMessages) {
  for (const google::protobuf::Descriptor* descriptor :
       {v1::ScoreFlags::descriptor(), v1::SummaryFlags::descriptor(),
        v1::ExplainFlags::descriptor(), v1::BacktestFlags::descriptor(),
        v1::GenerateFlags::descriptor(), v1::TokensFlags::descriptor(),
        v1::HealthFlags::descriptor(), v1::AtRiskFlags::descriptor(),
        v1::CustomerFlags::descriptor(), v1::AnalyzeTicketFlags::descriptor(),
        v1::TrainFlags::descriptor()}) {
    EXPECT_TRUE(SettingsSchema::Of(*descriptor).ok()) << descriptor->full_name();
  }
}

TEST(ShippedSettings, TheRulesFileSaysWhatIsReReadWithoutARestart) {
  SettingsSources sources;
  sources.env_prefix = "CHURN_SCORING_";
  sources.default_file = "config/scoring-service.yaml";
  const std::string help = SettingsHelp(sources, *v1::ScoringSettings::descriptor());
  EXPECT_THAT(help, HasSubstr("--rules_file=<string>  (default: \"config/scoring.yaml\"; env "
                              "CHURN_SCORING_RULES_FILE; restart needed)"));
  EXPECT_THAT(help, HasSubstr("re-read while running: the file, by ReloadRules"));
}

}  // namespace
}  // namespace churn::settings
