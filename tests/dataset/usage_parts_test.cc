// The usage table read by several threads gives what one thread gives: rows, totals, window end,
// warnings with their lines, and errors; anything the parts cannot judge alone (a split guessed
// inside a quoted field, a repeated usage_id, a bad row) is read again on one thread.

#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "dataset/loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/data_folder.h"

namespace churn::dataset {
namespace {

// Order-independent sums per subscription, and a part of itself per thread.
class SummingSink : public UsageSink {
 public:
  void Add(const UsageRecord& r) override {
    Sums& s = sums_[r.subscription_index];
    ++s.rows;
    s.usage += r.usage_count;
    s.errors += r.error_count;
    s.days += r.day;
  }
  std::unique_ptr<UsageSink> NewPart() const override { return std::make_unique<SummingSink>(); }
  void MergePart(UsageSink& part) override {
    for (const auto& [index, s] : static_cast<SummingSink&>(part).sums_) {
      Sums& into = sums_[index];
      into.rows += s.rows;
      into.usage += s.usage;
      into.errors += s.errors;
      into.days += s.days;
    }
  }
  struct Sums {
    int64_t rows = 0, usage = 0, errors = 0, days = 0;
    bool operator==(const Sums&) const = default;
  };
  std::map<int32_t, Sums> sums_;
};

struct Loaded {
  absl::Status status;
  TableStats usage;
  std::optional<Day> latest_usage_day;
  std::map<int32_t, SummingSink::Sums> sums;
};

Loaded Load(const std::string& dir, int threads, int64_t id_limit = 4'000'000) {
  LoadOptions options;
  options.usage_threads = threads;
  options.min_usage_part_bytes = 64;  // split even these small files
  options.usage_id_check_limit = id_limit;
  options.max_rejected_rows = 0;
  SummingSink sink;
  Loaded loaded;
  absl::StatusOr<DataFiles> files = FindDataFiles(dir);
  if (!files.ok()) return {files.status(), {}, {}, {}};
  absl::StatusOr<Dataset> data = LoadDataset(*files, options, &sink);
  loaded.status = data.status();
  if (data.ok()) {
    loaded.usage = data->report.of(Table::kFeatureUsage);
    loaded.latest_usage_day = data->latest_usage_day;
    loaded.sums = sink.sums_;
  }
  return loaded;
}

// Loads with one thread and with `threads`; both must agree. Returns how many parts the
// threaded load read (1: it went back to one thread).
int ExpectSameAsOneThread(const std::string& usage_csv, int threads = 3,
                          int64_t id_limit = 4'000'000) {
  const std::string dir =
      churn::testing::WriteDataFolder("usage_parts", {{"feature_usage.csv", usage_csv}});
  const Loaded one = Load(dir, 1, id_limit);
  const Loaded many = Load(dir, threads, id_limit);
  EXPECT_EQ(one.status, many.status);
  EXPECT_EQ(one.usage.rows, many.usage.rows);
  EXPECT_EQ(one.usage.bytes, many.usage.bytes);
  EXPECT_EQ(one.usage.warnings, many.usage.warnings);
  EXPECT_EQ(one.latest_usage_day, many.latest_usage_day);
  EXPECT_EQ(one.sums, many.sums);
  EXPECT_EQ(one.usage.parts, 1);
  return many.usage.parts;
}

constexpr char kHeader[] =
    "usage_id,subscription_id,usage_date,feature_name,usage_count,usage_duration_secs,"
    "error_count,is_beta_feature\n";

std::string Row(int i, const std::string& subscription, const std::string& feature = "f1") {
  return absl::StrCat("U-", i, ",", subscription, ",2024-", 10 + i % 3, "-", 10 + i % 17, ",",
                      feature, ",", i % 23, ",100,", i % 4, ",False\n");
}

TEST(UsageParts, CleanTableIsSplitAndAgrees) {
  std::string csv = kHeader;
  for (int i = 0; i < 600; ++i) csv += Row(i, i % 2 == 0 ? "S-1" : "S-2");
  EXPECT_EQ(ExpectSameAsOneThread(csv), 3);
}

// The parts reuse the day of the previous row's plain date: runs of one date, a date that
// comes back after another, and the same day written with a time or blanks all count alike.
TEST(UsageParts, RepeatedDatesAndOtherSpellingsAgree) {
  const std::string dates[] = {"2024-10-11",       "2024-10-11",  "2024-10-12", "2024-10-11",
                               "2024-10-12 08:30", " 2024-10-12", "2024-10-12", "2024-02-29",
                               "2024-02-29",       "2024-03-01"};
  std::string csv = kHeader;
  for (int i = 0; i < 600; ++i) {
    const std::string& date = dates[(i / 3) % std::size(dates)];
    csv += absl::StrCat("U-", i, ",S-", 1 + (i / 50) % 2, ",", date, ",f1,", i % 7, ",100,", i % 3,
                        ",False\n");
  }
  EXPECT_EQ(ExpectSameAsOneThread(csv), 3);
  const std::string dir =
      churn::testing::WriteDataFolder("usage_dates", {{"feature_usage.csv", csv}});
  const Loaded many = Load(dir, 3);
  ASSERT_TRUE(many.status.ok()) << many.status;
  EXPECT_EQ(many.latest_usage_day, Day{20008});  // 2024-10-12
}

TEST(UsageParts, OrphanWarningsNameTheSameLinesAcrossPartsAndQuotedNewlines) {
  std::string csv = kHeader;
  for (int i = 0; i < 600; ++i) {
    // Quoted newlines away from the split points shift every later line number.
    const std::string feature = i % 50 == 7 ? "\"two\nlines, quoted\"" : "f1";
    csv += Row(i, i % 97 == 0 ? "S-404" : (i % 2 == 0 ? "S-1" : "S-2"), feature);
  }
  EXPECT_GT(ExpectSameAsOneThread(csv), 1);
}

TEST(UsageParts, SplitGuessedInsideAQuotedFieldGoesBackToOneThread) {
  // One field of many short quoted lines fills the middle of the file, where the split of two
  // parts is guessed: the first part then ends inside it.
  std::string long_field = "\"";
  for (int i = 0; i < 400; ++i) long_field += "x\n";
  long_field += "\"";
  std::string csv = kHeader;
  for (int i = 0; i < 20; ++i) csv += Row(i, "S-1");
  csv += Row(20, "S-2", long_field);
  for (int i = 21; i < 40; ++i) csv += Row(i, "S-404");
  EXPECT_EQ(ExpectSameAsOneThread(csv, 2), 1);
}

TEST(UsageParts, RepeatedUsageIdInAnotherPartIsReportedWithItsLines) {
  std::string csv = kHeader;
  for (int i = 0; i < 600; ++i) csv += Row(i, "S-1");
  csv += Row(3, "S-2");  // U-3 again, in the last part
  EXPECT_EQ(ExpectSameAsOneThread(csv), 1);
}

TEST(UsageParts, PartialIdCheckIsReportedAlike) {
  std::string csv = kHeader;
  for (int i = 0; i < 600; ++i) csv += Row(i, "S-1");
  EXPECT_EQ(ExpectSameAsOneThread(csv, 3, /*id_limit=*/250), 3);
  // A repeat after the checked ids is not looked for, on one thread or several.
  csv += Row(590, "S-2");
  EXPECT_EQ(ExpectSameAsOneThread(csv, 3, /*id_limit=*/250), 3);
}

// Large enough for the later parts to lower their id caps while reading (every 4096 rows):
// the repeat inside the checked ids is found, the one after them is not, as on one thread.
TEST(UsageParts, LaterPartsKeepOnlyTheIdsTheLimitLeaves) {
  std::string csv = kHeader;
  for (int i = 0; i < 30000; ++i) {
    csv += Row(i == 11500 ? 100 : (i == 20000 ? 200 : i), i % 2 == 0 ? "S-1" : "S-2");
  }
  EXPECT_EQ(ExpectSameAsOneThread(csv, 3, /*id_limit=*/12000), 1);  // the repeat: one thread
  // Without the repeat in the checked ids the parts stand, and the check is reported partial.
  csv = kHeader;
  for (int i = 0; i < 30000; ++i) csv += Row(i == 20000 ? 200 : i, i % 2 == 0 ? "S-1" : "S-2");
  EXPECT_EQ(ExpectSameAsOneThread(csv, 3, /*id_limit=*/12000), 3);
  const Loaded loaded = Load(
      churn::testing::WriteDataFolder("usage_parts_cap", {{"feature_usage.csv", csv}}), 3, 12000);
  EXPECT_THAT(loaded.usage.warnings,
              ::testing::Contains(::testing::HasSubstr("covered the first 12000 rows only")));
}

TEST(UsageParts, BadValueInALaterPartIsTheSameError) {
  std::string csv = kHeader;
  for (int i = 0; i < 600; ++i) csv += Row(i, "S-1");
  csv += "U-x,S-1,2024-13-01,f1,1,100,0,False\n";
  for (int i = 0; i < 100; ++i) csv += Row(1000 + i, "S-2");
  EXPECT_EQ(ExpectSameAsOneThread(csv), 1);
  const Loaded loaded =
      Load(churn::testing::WriteDataFolder("usage_parts_bad", {{"feature_usage.csv", csv}}), 3);
  EXPECT_THAT(std::string(loaded.status.message()), ::testing::HasSubstr("feature_usage.csv:602:"));
}

}  // namespace
}  // namespace churn::dataset
