// Split points of a CSV file for several readers: each part starts just after a line feed, the
// parts cover the range exactly, and a split guessed inside a quoted field is caught by the
// reader of the part before it (an unterminated quote), never silently read.

#include "csv/line_split.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "csv/reader.h"
#include "gtest/gtest.h"
#include "testing/scratch_dir.h"

namespace churn::csv {
namespace {

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::filesystem::path path = churn::testing::ProgramScratch() / name;
  std::ofstream(path, std::ios::binary) << text;
  return path.string();
}

TEST(SplitAtLineStarts, PartsStartAfterLineFeedsAndCoverTheRange) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "row" + std::to_string(i) + ",1,2\n";
  const std::string path = WriteFile("lines.csv", text);
  const auto size = static_cast<int64_t>(text.size());
  for (int parts = 1; parts <= 7; ++parts) {
    absl::StatusOr<std::vector<int64_t>> b = SplitAtLineStarts(path, 5, size, parts);
    ASSERT_TRUE(b.ok()) << b.status();
    ASSERT_GE(b->size(), 2u);
    EXPECT_EQ(b->front(), 5);
    EXPECT_EQ(b->back(), size);
    EXPECT_EQ(b->size(), static_cast<size_t>(parts) + 1);
    for (size_t i = 1; i + 1 < b->size(); ++i) {
      EXPECT_LT((*b)[i - 1], (*b)[i]);
      EXPECT_EQ(text[static_cast<size_t>((*b)[i]) - 1], '\n');
    }
  }
}

TEST(SplitAtLineStarts, NoLineFeedMeansOnePart) {
  const std::string text(1000, 'x');
  const std::string path = WriteFile("one_line.csv", text);
  absl::StatusOr<std::vector<int64_t>> b = SplitAtLineStarts(path, 0, 1000, 4);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, (std::vector<int64_t>{0, 1000}));
}

// Reads every record of [begin, end) with a range reader starting at `first_line`.
absl::Status ReadAll(const std::string& path, int64_t begin, int64_t end, int64_t first_line,
                     int64_t* records, int64_t* next_line) {
  absl::StatusOr<std::unique_ptr<Reader>> reader =
      Reader::OpenFileRange(path, begin, end, first_line);
  if (!reader.ok()) return reader.status();
  for (;;) {
    absl::StatusOr<bool> more = (*reader)->Next();
    if (!more.ok()) return more.status();
    if (!*more) break;
    ++*records;
  }
  *next_line = (*reader)->next_line();
  return absl::OkStatus();
}

TEST(SplitAtLineStarts, QuotedNewlineAcrossTheSplitIsCaughtByThePartBefore) {
  // The middle of the file is one quoted field of many lines: the guess for two parts falls in it.
  std::string text = "a,b\n1,\"";
  for (int i = 0; i < 200; ++i) text += "q\n";
  text += "\"\n2,x\n";
  const std::string path = WriteFile("quoted.csv", text);
  const auto size = static_cast<int64_t>(text.size());
  absl::StatusOr<std::vector<int64_t>> b = SplitAtLineStarts(path, 4, size, 2);
  ASSERT_TRUE(b.ok());
  ASSERT_EQ(b->size(), 3u);
  int64_t records = 0, next_line = 0;
  const absl::Status first = ReadAll(path, (*b)[0], (*b)[1], 2, &records, &next_line);
  EXPECT_FALSE(first.ok());
  EXPECT_NE(std::string(first.message()).find("unterminated quoted field"), std::string::npos)
      << first;
}

TEST(SplitAtLineStarts, PartsReadTheSameRecordsAndLinesAsTheWholeFile) {
  // Quoted newlines away from the split points: the parts' records and line counts add up.
  std::string text = "a,b\n";
  for (int i = 0; i < 300; ++i) {
    text += std::to_string(i) + (i % 40 == 3 ? ",\"two\nlines\"\n" : ",x\n");
  }
  const std::string path = WriteFile("parts.csv", text);
  const auto size = static_cast<int64_t>(text.size());
  absl::StatusOr<std::vector<int64_t>> b = SplitAtLineStarts(path, 4, size, 3);
  ASSERT_TRUE(b.ok());
  int64_t records = 0, line = 2;
  for (size_t i = 0; i + 1 < b->size(); ++i) {
    int64_t next_line = 0;
    ASSERT_TRUE(ReadAll(path, (*b)[i], (*b)[i + 1], line, &records, &next_line).ok());
    line = next_line;
  }
  EXPECT_EQ(records, 300);
  EXPECT_EQ(line, 2 + 300 + 8);  // one extra line per quoted newline
}

}  // namespace
}  // namespace churn::csv
