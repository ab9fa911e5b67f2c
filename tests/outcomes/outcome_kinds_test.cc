// The outcome kinds live in one list (libs/outcomes kOutcomeKinds). The outcome
// log's SQL CHECK is generated from it; the proto enum and the dashboard's list
// cannot be, so these tests hold them to it: same names, same order, and the
// proto numbers the dashboard relies on (index + 1).
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "churn/v1/gateway.pb.h"
#include "outcomes/outcome_kind.h"
#include "outcomes/outcome_log.h"
#include "gtest/gtest.h"
#include "testing/scratch_dir.h"

namespace churn::outcomes {
namespace {

std::string ProtoName(const OutcomeKindEntry &entry) {
  return "OUTCOME_KIND_" + absl::AsciiStrToUpper(std::string(entry.name));
}

TEST(OutcomeKinds, SqlListIsTheListQuoted) {
  EXPECT_EQ(OutcomeKindSqlList(),
            "'contacted', 'meeting_scheduled', "
            "'issue_resolved', 'renewed', 'downgraded', "
            "'cancelled', 'no_response'");
}

// Raw SQL on a file the outcome log created: the CHECK takes every listed kind
// and nothing else.
TEST(OutcomeKinds, TheLogsCheckAcceptsExactlyTheList) {
  const churn::testing::ScratchDir scratch;
  const std::filesystem::path dir = scratch / "log";
  const std::string path = (dir / "outcomes.sqlite").string();
  ASSERT_TRUE(OutcomeLog::Open(path).ok());

  sqlite3 *db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  auto insert = [db](const std::string &outcome) {
    const std::string sql =
        "INSERT INTO outcomes (customer_id, outcome, "
        "recorded_at) VALUES ('S-1', '" +
        outcome + "', '2025-01-01T00:00:00Z')";
    return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  };
  for (const OutcomeKindEntry &entry : kOutcomeKinds) {
    EXPECT_EQ(insert(std::string(entry.name)), SQLITE_OK) << entry.name;
  }
  for (const char *other : {"", "other", "Contacted", "OUTCOME_KIND_CONTACTED", "contacted "}) {
    EXPECT_EQ(insert(other), SQLITE_CONSTRAINT) << other;
  }
  sqlite3_close(db);
  std::filesystem::remove_all(dir);
}

TEST(OutcomeKinds, ProtoEnumHasTheSameKindsInTheSameOrder) {
  const google::protobuf::EnumDescriptor *descriptor = v1::OutcomeKind_descriptor();
  ASSERT_EQ(descriptor->value_count(), static_cast<int>(std::size(kOutcomeKinds)) + 1);
  EXPECT_EQ(descriptor->FindValueByNumber(0)->name(), "OUTCOME_KIND_UNSPECIFIED");
  for (size_t i = 0; i < std::size(kOutcomeKinds); ++i) {
    const google::protobuf::EnumValueDescriptor *value =
        descriptor->FindValueByNumber(static_cast<int>(i) + 1);
    ASSERT_NE(value, nullptr) << i + 1;
    EXPECT_EQ(value->name(), ProtoName(kOutcomeKinds[i]));
  }
}

// web/static/format.js: OUTCOME_KINDS = [['OUTCOME_KIND_CONTACTED',
// 'Contacted'], ...].
TEST(OutcomeKinds, DashboardListHasTheSameKindsInTheSameOrder) {
  std::ifstream in(std::string(CHURN_SOURCE_DIR) + "/web/static/format.js");
  ASSERT_TRUE(in) << "web/static/format.js";
  std::stringstream text;
  text << in.rdbuf();
  const std::string source = text.str();
  const size_t start = source.find("export const OUTCOME_KINDS = [");
  ASSERT_NE(start, std::string::npos);
  const size_t end = source.find("];", start);
  ASSERT_NE(end, std::string::npos);
  const std::string list = source.substr(start, end - start);

  std::vector<std::string> names;
  static const std::regex kEntry(R"(\[\s*'(OUTCOME_KIND_[A-Z_]+)'\s*,)");
  for (auto it = std::sregex_iterator(list.begin(), list.end(), kEntry);
       it != std::sregex_iterator(); ++it) {
    names.push_back((*it)[1].str());
  }
  std::vector<std::string> expected;
  for (const OutcomeKindEntry &entry : kOutcomeKinds) expected.push_back(ProtoName(entry));
  EXPECT_EQ(names, expected);
}

}  // namespace
}  // namespace churn::outcomes
