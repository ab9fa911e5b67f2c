#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "csv/reader.h"
#include "csv/reader_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/scratch_dir.h"

namespace churn::csv {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Records = std::vector<std::vector<std::string>>;
using LineColumn = std::pair<int64_t, int64_t>;

constexpr size_t kMiB = size_t{1} << 20;

struct ReadResult {
  Records records;
  std::vector<int64_t> lines;  // record_line() of each record
  absl::Status status;         // first error, or OK after reaching the end
};

ReadResult ReadAll(Reader& reader) {
  ReadResult result;
  for (;;) {
    absl::StatusOr<bool> more = reader.Next();
    if (!more.ok()) {
      result.status = more.status();
      return result;
    }
    if (!*more) return result;
    result.records.emplace_back(reader.fields().begin(), reader.fields().end());
    result.lines.push_back(reader.record_line());
  }
}

ReadResult ReadString(std::string text) {
  std::unique_ptr<Reader> reader = Reader::FromString(std::move(text), "name");
  return ReadAll(*reader);
}

ReadResult ReadStreamInChunks(const std::string& text, size_t chunk_bytes) {
  std::istringstream in(text);
  std::unique_ptr<Reader> reader =
      testing_internal::FromStreamWithChunkBytes(&in, "name", chunk_bytes);
  return ReadAll(*reader);
}

// Every chunk size from 1 byte up must give exactly what the whole-string reader gives.
void ExpectSameForAllSmallChunks(const std::string& text) {
  const ReadResult expected = ReadString(text);
  for (size_t chunk_bytes = 1; chunk_bytes <= 16; ++chunk_bytes) {
    SCOPED_TRACE(absl::StrCat("chunk_bytes=", chunk_bytes));
    const ReadResult actual = ReadStreamInChunks(text, chunk_bytes);
    EXPECT_EQ(actual.records, expected.records);
    EXPECT_EQ(actual.lines, expected.lines);
    EXPECT_EQ(actual.status, expected.status);
  }
}

// A deterministic usage-like table; every 97th row has quoted fields with commas, doubled
// quotes and line breaks so they also fall across chunk boundaries.
std::string MakeUsageTable(size_t min_bytes) {
  std::string text =
      "usage_id,subscription_id,usage_date,feature_name,usage_count,secs,errors,beta\n";
  uint64_t state = 12345;
  for (int row = 0; text.size() < min_bytes; ++row) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const uint32_t bits = static_cast<uint32_t>(state >> 33);
    char id[16];
    std::snprintf(id, sizeof id, "%06x", bits & 0xffffff);
    if (row % 97 == 0) {
      absl::StrAppend(&text, "U-", id, ",\"S-", id,
                      ", \"\"quoted\"\"\r\nline\",2023-07-27,feature_", bits % 40, ",", bits % 13,
                      ",", bits % 9000, ",0,True\r\n");
    } else {
      absl::StrAppend(&text, "U-", id, ",S-", id, ",2023-07-27,feature_", bits % 40, ",", bits % 13,
                      ",", bits % 9000, ",0,False\n");
    }
  }
  return text;
}

TEST(CsvReaderTest, ReadsSimpleRecords) {
  const ReadResult result = ReadString("a,b,c\n1,2,3\n");
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.records, (Records{{"a", "b", "c"}, {"1", "2", "3"}}));
  EXPECT_THAT(result.lines, ElementsAre(1, 2));
}

TEST(CsvReaderTest, QuotedFieldKeepsCommas) {
  const ReadResult result = ReadString("id,note\n1,\"a, b, c\"\n");
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.records, (Records{{"id", "note"}, {"1", "a, b, c"}}));
}

TEST(CsvReaderTest, DoubledQuotesBecomeOneQuote) {
  const ReadResult result = ReadString("\"say \"\"hi\"\"\",\"\"\"\",\"\"\n");
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.records, (Records{{"say \"hi\"", "\"", ""}}));
}

TEST(CsvReaderTest, QuotedFieldsMayContainLineBreaks) {
  const ReadResult result = ReadString("a,\"x\ny\",b\nc,\"p\r\nq\r\nr\",d\ne,f\n");
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.records, (Records{{"a", "x\ny", "b"}, {"c", "p\r\nq\r\nr", "d"}, {"e", "f"}}));
  // Records start on lines 1, 3 and 6: the embedded line breaks are counted.
  EXPECT_THAT(result.lines, ElementsAre(1, 3, 6));
}

TEST(CsvReaderTest, CrlfEndsRecords) {
  const ReadResult result = ReadString("a,b\r\n1,2\r\n\"q\"\r\n");
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.records, (Records{{"a", "b"}, {"1", "2"}, {"q"}}));
  EXPECT_THAT(result.lines, ElementsAre(1, 2, 3));
}

TEST(CsvReaderTest, LoneCrInsideUnquotedFieldIsContent) {
  const ReadResult result = ReadString("a\rb,c\n");
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.records, (Records{{"a\rb", "c"}}));
}

TEST(CsvReaderTest, CrAtEndOfInputEndsTheRecord) {
  const ReadResult result = ReadString("a,b\r");
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.records, (Records{{"a", "b"}}));
}

TEST(CsvReaderTest, SkipsByteOrderMark) {
  std::unique_ptr<Reader> reader = Reader::FromString(
      "\xEF\xBB\xBF"
      "account_id,name\nA-1,x\n",
      "accounts.csv");
  absl::StatusOr<bool> more = reader->Next();
  ASSERT_TRUE(more.ok()) << more.status();
  ASSERT_TRUE(*more);
  EXPECT_EQ(reader->fields()[0], "account_id");
  EXPECT_EQ(reader->field_position(0).column, 1);
  const ReadResult rest = ReadAll(*reader);
  EXPECT_EQ(rest.records, (Records{{"A-1", "x"}}));
}

TEST(CsvReaderTest, ByteOrderMarkOnlyGivesNoRecords) {
  const ReadResult result = ReadString("\xEF\xBB\xBF");
  EXPECT_TRUE(result.status.ok()) << result.status;
  EXPECT_TRUE(result.records.empty());
}

TEST(CsvReaderTest, StripsNulBytesEverywhere) {
  const std::string text("a\0b,\0\"q\0\"\"x\"\0,c\0\n\0d,e\n", 22);
  const ReadResult result = ReadString(text);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.records, (Records{{"ab", "q\"x", "c"}, {"d", "e"}}));
  ExpectSameForAllSmallChunks(text);
}

TEST(CsvReaderTest, BlankValuesGiveEmptyFields) {
  const ReadResult result = ReadString(",,\na,b,\n,x\n");
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.records, (Records{{"", "", ""}, {"a", "b", ""}, {"", "x"}}));
}

TEST(CsvReaderTest, SkipsEmptyLinesButKeepsLineNumbers) {
  const ReadResult result = ReadString("\na\n\r\n\nb\n\n");
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.records, (Records{{"a"}, {"b"}}));
  EXPECT_THAT(result.lines, ElementsAre(2, 5));
}

TEST(CsvReaderTest, QuotedEmptyFieldIsARecord) {
  const ReadResult result = ReadString("\"\"\n");
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.records, (Records{{""}}));
}

TEST(CsvReaderTest, EmptyInputHasNoRecords) {
  for (const char* text : {"", "\n", "\r\n\n"}) {
    const ReadResult result = ReadString(text);
    EXPECT_TRUE(result.status.ok()) << result.status;
    EXPECT_TRUE(result.records.empty()) << "input: " << text;
  }
}

TEST(CsvReaderTest, HeaderOnly) {
  const ReadResult result = ReadString("account_id,plan\n");
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.records, (Records{{"account_id", "plan"}}));
}

TEST(CsvReaderTest, LastRecordWithoutTrailingNewline) {
  const ReadResult result = ReadString("a,b\n1,2");
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.records, (Records{{"a", "b"}, {"1", "2"}}));
  const ReadResult quoted = ReadString("a,\"b\"");
  ASSERT_TRUE(quoted.status.ok()) << quoted.status;
  EXPECT_EQ(quoted.records, (Records{{"a", "b"}}));
}

TEST(CsvReaderTest, UnterminatedQuoteNamesTheOpeningQuote) {
  const ReadResult result = ReadString("a,b\n1,x,\"never\nclosed,2\n3\n");
  EXPECT_EQ(result.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status.message(), HasSubstr("name:2:5:"));
  EXPECT_THAT(result.status.message(), HasSubstr("unterminated quoted field"));
  EXPECT_EQ(result.records, (Records{{"a", "b"}}));
}

TEST(CsvReaderTest, CharacterAfterClosingQuoteIsAnError) {
  const ReadResult result = ReadString("a,b\n\"x\ny\"z,1\n");
  EXPECT_EQ(result.status.code(), absl::StatusCode::kInvalidArgument);
  // The stray 'z' is on line 3, column 3 (the quoted field spans lines 2-3).
  EXPECT_THAT(result.status.message(), HasSubstr("name:3:3:"));
  EXPECT_THAT(result.status.message(),
              HasSubstr("expected ',' or end of line after closing quote"));
}

TEST(CsvReaderTest, QuoteInsideUnquotedFieldIsAnError) {
  const ReadResult result = ReadString("a,b\n1,ab\"c\n");
  EXPECT_EQ(result.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(result.status.message(), HasSubstr("name:2:5:"));
  EXPECT_THAT(result.status.message(), HasSubstr("unquoted field"));
}

TEST(CsvReaderTest, ErrorsAreSticky) {
  std::unique_ptr<Reader> reader = Reader::FromString("\"open\n", "name");
  const absl::StatusOr<bool> first = reader->Next();
  const absl::StatusOr<bool> second = reader->Next();
  EXPECT_FALSE(first.ok());
  EXPECT_EQ(first.status(), second.status());
}

TEST(CsvReaderTest, FieldPositionsAreLineAndByteColumn) {
  std::unique_ptr<Reader> reader = Reader::FromString("h1,h2\nab,\"c\nd\",e,\r\n,x\n", "name");
  ASSERT_TRUE(*reader->Next());
  ASSERT_TRUE(*reader->Next());
  EXPECT_EQ(reader->record_line(), 2);
  ASSERT_EQ(reader->fields().size(), 4u);
  const auto position = [&](size_t index) {
    const Position p = reader->field_position(index);
    return std::pair(p.line, p.column);
  };
  EXPECT_EQ(position(0), LineColumn(2, 1));
  EXPECT_EQ(position(1), LineColumn(2, 4));
  EXPECT_EQ(position(2), LineColumn(3, 4));
  EXPECT_EQ(position(3), LineColumn(3, 6));
  ASSERT_TRUE(*reader->Next());
  EXPECT_EQ(reader->record_line(), 4);
  EXPECT_EQ(position(0), LineColumn(4, 1));
  EXPECT_EQ(position(1), LineColumn(4, 2));
  EXPECT_FALSE(*reader->Next());
}

TEST(CsvReaderTest, BytesReadReachesInputSize) {
  const std::string text = "a,b\n1,2\n";
  std::unique_ptr<Reader> reader = Reader::FromString(text, "name");
  while (*reader->Next()) {
  }
  EXPECT_EQ(reader->bytes_read(), static_cast<int64_t>(text.size()));
}

TEST(CsvReaderTest, TinyChunksAgreeWithWholeString) {
  ExpectSameForAllSmallChunks(
      "\xEF\xBB\xBF"
      "id,\"a,\"\"b\"\"\r\nc\",d\r\n\r\nx,,\n\"\"\ny\r");
  ExpectSameForAllSmallChunks("a,b\n\"unterminated\n");
  ExpectSameForAllSmallChunks("a,b\n\"x\"y\n");
  ExpectSameForAllSmallChunks("a\r\rb\r\n\"q\"\r");
  ExpectSameForAllSmallChunks("\xEF\xBB");
}

TEST(CsvReaderTest, UnusualRecordsInsideLongInputs) {
  // Long enough that the block-at-a-time fast path runs and must hand each odd record to
  // the general parser.
  const std::string filler(70, 'f');
  std::string text;
  Records expected;
  for (int row = 0; row < 50; ++row) {
    const std::string id = std::to_string(row);
    switch (row % 5) {
      case 0:
        text += id + "," + filler + "\n";
        expected.push_back({id, filler});
        break;
      case 1:
        text += id + std::string("a\0b,", 4) + filler + "\r\n";
        expected.push_back({id + "ab", filler});
        break;
      case 2:
        text += id + ",x\ry," + filler + "\n";
        expected.push_back({id, "x\ry", filler});
        break;
      case 3:
        text += id + ",\"" + filler + "\"\"\"\n";
        expected.push_back({id, filler + "\""});
        break;
      case 4:
        text += "\r\n" + id + ",," + filler + ",\n\n";
        expected.push_back({id, "", filler, ""});
        break;
    }
  }
  const ReadResult result = ReadString(text);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.records, expected);
  EXPECT_EQ(ReadStreamInChunks(text, 100).records, expected);

  const ReadResult bad = ReadString(text + filler + "\"" + filler + "\n" + text);
  EXPECT_THAT(bad.status.message(), HasSubstr("name:71:71:"));
}

TEST(CsvReaderTest, RecordLongerThanTheChunkGrowsTheBuffer) {
  const std::string long_field(100, 'x');
  const std::string text = "a," + long_field + ",\"" + long_field + "\"\nb\n";
  const ReadResult result = ReadStreamInChunks(text, 8);
  ASSERT_TRUE(result.status.ok()) << result.status;
  EXPECT_EQ(result.records, (Records{{"a", long_field, long_field}, {"b"}}));
}

TEST(CsvReaderTest, StreamSpanningManyChunksAgreesWithString) {
  const std::string text = MakeUsageTable(3 * kMiB);
  const ReadResult expected = ReadString(text);
  ASSERT_TRUE(expected.status.ok()) << expected.status;
  ASSERT_GT(expected.records.size(), 40000u);
  EXPECT_EQ(expected.records[1][1],
            "S-" + expected.records[1][0].substr(2) + ", \"quoted\"\r\nline");

  std::istringstream in(text);
  std::unique_ptr<Reader> reader = Reader::FromStream(&in, "stream");
  const ReadResult actual = ReadAll(*reader);
  ASSERT_TRUE(actual.status.ok()) << actual.status;
  EXPECT_EQ(actual.records, expected.records);
  EXPECT_EQ(actual.lines, expected.lines);
  EXPECT_EQ(reader->bytes_read(), static_cast<int64_t>(text.size()));
}

TEST(CsvReaderTest, QuotedFieldCrossingChunkBoundary) {
  // The quoted field starts a few bytes before the 1 MiB mark and ends after it.
  std::string text;
  while (text.size() < kMiB - 10) text += "abc,def\n";
  const std::string quoted_content = "spans \"\"the\"\" boundary,\nwith a newline";
  text += "x,\"" + quoted_content + "\",y\nlast,row\n";
  std::istringstream in(text);
  std::unique_ptr<Reader> reader = Reader::FromStream(&in, "stream");
  const ReadResult actual = ReadAll(*reader);
  ASSERT_TRUE(actual.status.ok()) << actual.status;
  ASSERT_GE(actual.records.size(), 2u);
  const size_t n = actual.records.size();
  EXPECT_EQ(actual.records[n - 2],
            (std::vector<std::string>{"x", "spans \"the\" boundary,\nwith a newline", "y"}));
  EXPECT_EQ(actual.records[n - 1], (std::vector<std::string>{"last", "row"}));
  EXPECT_EQ(actual.lines[n - 1], actual.lines[n - 2] + 2);
  EXPECT_EQ(actual.records, ReadString(text).records);
}

TEST(CsvReaderTest, OpenFileReadsLargeFile) {
  const std::string text = MakeUsageTable(5 * kMiB);
  const churn::testing::ScratchDir scratch;
  const std::string path = (scratch / "large.csv").string();
  {
    std::ofstream out(path, std::ios::binary);
    out << text;
    ASSERT_TRUE(out.good());
  }
  absl::StatusOr<std::unique_ptr<Reader>> reader = Reader::OpenFile(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ((*reader)->source_name(), path);
  const ReadResult actual = ReadAll(**reader);
  std::remove(path.c_str());
  ASSERT_TRUE(actual.status.ok()) << actual.status;
  const ReadResult expected = ReadString(text);
  EXPECT_EQ(actual.records, expected.records);
  EXPECT_EQ(actual.lines, expected.lines);
}

TEST(CsvReaderTest, OpenFileOnMissingPathIsNotFound) {
  const std::string path = ::testing::TempDir() + "/no_such_dir_for_csv_test/missing.csv";
  absl::StatusOr<std::unique_ptr<Reader>> reader = Reader::OpenFile(path);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(reader.status().message(), HasSubstr(path));
}

TEST(CsvReaderTest, ErrorAtFormatsSourceLineAndColumn) {
  const absl::Status status = ErrorAt("file.csv", Position{3, 7}, "bad thing");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "file.csv:3:7: bad thing");
}

}  // namespace
}  // namespace churn::csv
