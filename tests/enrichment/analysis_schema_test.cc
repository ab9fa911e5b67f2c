// The model's answer is checked against the schema: a model that breaks it never gets its
// output through as an analysis.
#include "enrichment/analysis_schema.h"

#include "gtest/gtest.h"

namespace churn::enrichment {
namespace {

using nlohmann::json;

json Valid() {
  return {{"summary", "Renewal quote is beyond budget; may downgrade or cancel."},
          {"category", "billing"},
          {"sentiment", "negative"},
          {"churn_intent", true},
          {"recommended_action", "Call within 24 hours to review pricing options."}};
}

TEST(AnalysisSchema, AcceptsAValidAnswer) {
  auto analysis = ParseModelAnalysis(Valid().dump());
  ASSERT_TRUE(analysis.ok()) << analysis.status();
  EXPECT_EQ(analysis->category, "billing");
  EXPECT_EQ(analysis->sentiment, "negative");
  EXPECT_TRUE(analysis->churn_intent);
  EXPECT_EQ(analysis->source, "model");
  EXPECT_EQ(AnalysisToJson(*analysis), Valid());
}

TEST(AnalysisSchema, RejectsWhatIsNotOneJsonObject) {
  for (const char* text : {"", "not json", "<analysis/>", "[1,2]", "\"billing\"",
                           R"({"summary": "cut off)", "{} {}"}) {
    EXPECT_EQ(ParseModelAnalysis(text).status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
}

TEST(AnalysisSchema, RejectsMissingFieldsWrongTypesAndUnknownEnums) {
  for (const char* key :
       {"summary", "category", "sentiment", "churn_intent", "recommended_action"}) {
    json answer = Valid();
    answer.erase(key);
    auto status = ParseModelAnalysis(answer.dump()).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << key;
    EXPECT_NE(status.message().find(key), absl::string_view::npos) << status;
  }
  struct Case {
    const char* key;
    json value;
  };
  for (const Case& c :
       {Case{"churn_intent", "yes"}, Case{"churn_intent", 1}, Case{"category", "pricing"},
        Case{"sentiment", "angry"}, Case{"summary", 42}, Case{"summary", ""},
        Case{"category", nullptr}, Case{"recommended_action", json::array()}}) {
    json answer = Valid();
    answer[c.key] = c.value;
    EXPECT_EQ(ParseModelAnalysis(answer.dump()).status().code(), absl::StatusCode::kInvalidArgument)
        << c.key << "=" << c.value.dump();
  }
}

TEST(AnalysisSchema, NormalisesEnumCaseAndDropsUnknownFields) {
  json answer = Valid();
  answer["category"] = " Billing ";
  answer["sentiment"] = "NEGATIVE";
  answer["xml"] = "<script>alert(1)</script>";
  auto analysis = ParseModelAnalysis(answer.dump());
  ASSERT_TRUE(analysis.ok()) << analysis.status();
  EXPECT_EQ(analysis->category, "billing");
  EXPECT_EQ(analysis->sentiment, "negative");
  EXPECT_EQ(AnalysisToJson(*analysis).size(), 5u);
}

TEST(AnalysisSchema, CapsLengthsAndStripsControlCharacters) {
  json answer = Valid();
  answer["summary"] = std::string(5000, 'a');
  answer["recommended_action"] = std::string("call\x01\x07 now") + std::string(1000, 'b');
  auto analysis = ParseModelAnalysis(answer.dump());
  ASSERT_TRUE(analysis.ok()) << analysis.status();
  EXPECT_EQ(analysis->summary.size(), kMaxSummaryBytes);
  EXPECT_LE(analysis->recommended_action.size(), kMaxActionBytes);
  EXPECT_EQ(analysis->recommended_action.rfind("call now", 0), 0u);
}

TEST(AnalysisSchema, SchemaListsTheEnumsAndRequiresEveryField) {
  const json& schema = TicketAnalysisSchema();
  EXPECT_EQ(schema["type"], "object");
  EXPECT_EQ(schema["required"].size(), 5u);
  EXPECT_EQ(schema["properties"]["category"]["enum"].size(), std::size(tickets::kCategories));
  EXPECT_EQ(schema["properties"]["sentiment"]["enum"], json({"negative", "neutral", "positive"}));
  EXPECT_EQ(schema["properties"]["churn_intent"]["type"], "boolean");
  EXPECT_EQ(schema["additionalProperties"], false);
}

}  // namespace
}  // namespace churn::enrichment
