// JsonWriter: escaping (quotes, backslashes, control characters, UTF-8 kept, bad bytes replaced),
// protobuf's number spellings and the placement of commas and colons; every output is read back
// with a JSON parser.
#include "jsonwriter/json_writer.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace churn::jsonwriter {
namespace {

std::string Quoted(std::string_view text) {
  std::string out;
  AppendJsonString(text, &out);
  return out;
}

std::string DoubleText(double value) {
  std::string out;
  AppendJsonDouble(value, &out);
  return out;
}

// What JSON.parse or any parser reads from the literal.
std::string ReadBack(const std::string& literal) {
  return nlohmann::json::parse(literal).get<std::string>();
}

TEST(JsonStringTest, EscapesQuotesAndBackslashes) {
  EXPECT_EQ(Quoted(R"(say "hi")"), R"("say \"hi\"")");
  EXPECT_EQ(Quoted(R"(C:\path\)"), R"("C:\\path\\")");
  EXPECT_EQ(Quoted(R"(\")"), R"("\\\"")");
  EXPECT_EQ(ReadBack(Quoted(R"(a"b\c\\"")")), R"(a"b\c\\"")");
  EXPECT_EQ(Quoted(""), R"("")");
}

TEST(JsonStringTest, EscapesEveryControlCharacter) {
  EXPECT_EQ(Quoted("a\nb\tc\rd\be\ff"), R"("a\nb\tc\rd\be\ff")");
  EXPECT_EQ(Quoted(std::string("\0x", 2)), R"("\u0000x")");
  EXPECT_EQ(Quoted("\x01\x1f"), R"("\u0001\u001f")");
  for (int c = 0; c < 0x20; ++c) {
    const std::string text = "<" + std::string(1, static_cast<char>(c)) + ">";
    const std::string literal = Quoted(text);
    for (char byte : literal) {
      EXPECT_GE(static_cast<unsigned char>(byte), 0x20) << "control " << c << " left raw";
    }
    EXPECT_EQ(ReadBack(literal), text) << c;
  }
  // DEL and printable ASCII need nothing.
  EXPECT_EQ(Quoted("\x7f ~<>/'"), "\"\x7f ~<>/'\"");
}

TEST(JsonStringTest, KeepsUtf8AsItIs) {
  const std::string text = "Zürich – 東京 😀 \u2028 \xC2\x80 \xF4\x8F\xBF\xBF";
  EXPECT_EQ(Quoted(text), "\"" + text + "\"");
  EXPECT_EQ(ReadBack(Quoted(text)), text);
}

// Long plain runs are scanned 16, then 8 bytes at a time: a byte that needs escaping is found
// wherever it stands in the block, whatever the blocks before and after it.
TEST(JsonStringTest, FindsSpecialBytesAtEveryPositionOfALongString) {
  for (const std::string special : {"\"", "\\", "\n", "\x01", "\x1f", "é", "😀", "\xFF"}) {
    for (size_t at = 0; at <= 57; ++at) {
      std::string text(at <= 33 ? 33 : 57, 'a');
      text.insert(at, special);
      const std::string literal = Quoted(text);
      const std::string expected =
          special == "\xFF" ? std::string(text).replace(at, 1, "\xEF\xBF\xBD") : text;
      EXPECT_EQ(ReadBack(literal), expected) << "at " << at;
      if (special == "\"") {
        EXPECT_NE(literal.find("\\\""), std::string::npos);
      }
    }
  }
  // Bytes just around the boundaries of the classes: 0x1f/0x20, 0x21 '"' 0x23, 0x5b '\\' 0x5d,
  // 0x7f/0x80.
  for (char c : {'\x20', '\x21', '\x23', '\x5b', '\x5d', '\x7f'}) {
    const std::string text(20, c);
    EXPECT_EQ(Quoted(text), "\"" + text + "\"");
  }
}

TEST(JsonStringTest, ReplacesBytesThatAreNotUtf8) {
  const std::string kFffd = "\xEF\xBF\xBD";
  EXPECT_EQ(Quoted("a\xFF"
                   "b"),
            "\"a" + kFffd + "b\"");
  EXPECT_EQ(Quoted("\xC3"), "\"" + kFffd + "\"");                          // cut short at the end
  EXPECT_EQ(Quoted("\xC3(x"), "\"" + kFffd + "(x\"");                      // no continuation
  EXPECT_EQ(Quoted("\xC0\xAF"), "\"" + kFffd + kFffd + "\"");              // overlong '/'
  EXPECT_EQ(Quoted("\xE0\x80\xAF"), "\"" + kFffd + kFffd + kFffd + "\"");  // overlong
  EXPECT_EQ(Quoted("\xED\xA0\x80"), "\"" + kFffd + kFffd + kFffd + "\"");  // a surrogate
  EXPECT_EQ(Quoted("\xF4\x90\x80\x80"), "\"" + kFffd + kFffd + kFffd + kFffd + "\"");  // > U+10FFFF
  EXPECT_EQ(Quoted("\x80"), "\"" + kFffd + "\"");  // a lone continuation byte
  // Whatever the bytes, the output parses.
  std::mt19937 random(7);
  for (int i = 0; i < 2000; ++i) {
    std::string bytes(random() % 40, '\0');
    for (char& c : bytes)
      c = static_cast<char>(random() % 4 ? 'a' + random() % 26 : random() % 256);
    const std::string literal = Quoted(bytes);
    ASSERT_NO_THROW(nlohmann::json::parse(literal)) << literal;
    // Read back as it was, unless bytes had to be replaced.
    const std::string back = ReadBack(literal);
    EXPECT_TRUE(back == bytes || back.find(kFffd) != std::string::npos) << literal;
  }
}

TEST(JsonDoubleTest, SpellsDoublesAsProtobufDoes) {
  EXPECT_EQ(DoubleText(0), "0");
  EXPECT_EQ(DoubleText(-0.0), "-0");
  EXPECT_EQ(DoubleText(25000), "25000");
  EXPECT_EQ(DoubleText(0.6), "0.6");
  EXPECT_EQ(DoubleText(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(DoubleText(1e21), "1e+21");
  EXPECT_EQ(DoubleText(1e-7), "1e-07");
  EXPECT_EQ(DoubleText(123456789012345678.0), "1.2345678901234568e+17");
  EXPECT_EQ(DoubleText(999999999999999.0), "999999999999999");
  EXPECT_EQ(DoubleText(1e15), "1e+15");
  EXPECT_EQ(DoubleText(-1234567.0), "-1234567");
  EXPECT_EQ(DoubleText(123.456), "123.456");
  EXPECT_EQ(DoubleText(0.0001), "0.0001");
  EXPECT_EQ(DoubleText(0.00001234), "1.234e-05");
  EXPECT_EQ(DoubleText(1.0 / 3), "0.33333333333333331");
  EXPECT_EQ(DoubleText(2.5e-300), "2.5e-300");
  EXPECT_EQ(DoubleText(std::nan("")), "\"NaN\"");
  EXPECT_EQ(DoubleText(std::numeric_limits<double>::infinity()), "\"Infinity\"");
  EXPECT_EQ(DoubleText(-std::numeric_limits<double>::infinity()), "\"-Infinity\"");
}

// protobuf's SimpleDtoa is printf's %.15g, or %.17g when that does not read back exactly.
TEST(JsonDoubleTest, MatchesPrintfAndReadsBackExactly) {
  std::mt19937_64 random(11);
  for (int i = 0; i < 70000; ++i) {
    double value;
    switch (i % 7) {
      case 0: value = std::uniform_real_distribution<double>(-1e6, 1e6)(random); break;
      // 16 and 17 digits around the edges of the fixed spelling (exponents -6..18).
      case 5:
        value = std::uniform_real_distribution<double>(1, 10)(random) *
                std::pow(10.0, static_cast<int>(random() % 25) - 6);
        break;
      case 6: value = -std::uniform_real_distribution<double>(1e-5, 1e-3)(random); break;
      // Whole numbers and short decimals around the edges of the fixed spelling.
      case 3: value = static_cast<double>(random() % 2000000000000000) - 1e15; break;
      case 4:
        value = static_cast<double>(random() % 100000) *
                std::pow(10.0, static_cast<int>(random() % 44) - 22);
        break;
      case 1:
        value = std::round(std::uniform_real_distribution<double>(0, 1e6)(random)) / 100;
        break;
      default: {
        const uint64_t bits = random();
        std::memcpy(&value, &bits, sizeof(value));
        if (!std::isfinite(value)) value = 1.5;
      }
    }
    char expected[40];
    std::snprintf(expected, sizeof(expected), "%.15g", value);
    if (std::strtod(expected, nullptr) != value) {
      std::snprintf(expected, sizeof(expected), "%.17g", value);
    }
    const std::string text = DoubleText(value);
    ASSERT_EQ(text, expected);
    ASSERT_EQ(std::strtod(text.c_str(), nullptr), value);
  }
}

TEST(JsonWriterTest, PlacesCommasAndColons) {
  std::string out;
  JsonWriter json(&out);
  json.BeginObject();
  json.String("name", "a");
  json.Key("empty");
  json.BeginObject();
  json.EndObject();
  json.Key("list");
  json.BeginArray();
  json.Int(1);
  json.BeginArray();
  json.EndArray();
  json.BeginObject();
  json.Bool("yes", true);
  json.Bool("no", false);
  json.EndObject();
  json.Null();
  json.Int(-5);
  json.EndArray();
  json.Int64String("big", int64_t{9007199254740993});
  json.Double("ratio", 0.25);
  json.KeyText("he said \"x\"");
  json.String("");
  json.EndObject();
  json.Finish();
  EXPECT_EQ(out, R"({"name":"a","empty":{},"list":[1,[],{"yes":true,"no":false},null,-5],)"
                 R"("big":"9007199254740993","ratio":0.25,"he said \"x\"":""})");
  const nlohmann::json parsed = nlohmann::json::parse(out);
  EXPECT_EQ(parsed["big"], "9007199254740993");
  EXPECT_EQ(parsed["list"][2]["no"], false);
}

// A name checked plain when compiled is written as the escaping writer writes it.
TEST(JsonWriterTest, PlainNamesAreWrittenAsEscapedNames) {
  std::string plain;
  std::string escaped;
  {
    JsonWriter a(&plain);
    JsonWriter b(&escaped);
    a.BeginObject();
    b.BeginObject();
    a.Key("usage_drop_pct");
    b.KeyText("usage_drop_pct");
    a.Int(1);
    b.Int(1);
    a.Key("a b/c<d>'e'");
    b.KeyText("a b/c<d>'e'");
    a.BeginArray();
    b.BeginArray();
    a.EndArray();
    b.EndArray();
    a.Key("");
    b.KeyText("");
    a.Null();
    b.Null();
    a.EndObject();
    b.EndObject();
  }
  EXPECT_EQ(plain, escaped);
  EXPECT_EQ(plain, R"({"usage_drop_pct":1,"a b/c<d>'e'":[],"":null})");
}

TEST(JsonWriterTest, AppendsToWhatIsThere) {
  std::string out = "prefix:";
  JsonWriter json(&out);
  json.BeginArray();
  json.Int(std::numeric_limits<int64_t>::min());
  json.Int64String(std::numeric_limits<int64_t>::max());
  json.EndArray();
  json.Finish();
  EXPECT_EQ(out, R"(prefix:[-9223372036854775808,"9223372036854775807"])");
}

// The writer grows its room as it goes: long texts, many values, all read back.
TEST(JsonWriterTest, GrowsForLongOutput) {
  std::string out;
  {
    JsonWriter json(&out);
    json.BeginArray();
    for (int i = 0; i < 3000; ++i) {
      json.BeginObject();
      json.String("text", std::string(static_cast<size_t>(i % 700), i % 2 ? '\n' : 'x'));
      json.Int64String("i", i);
      json.Double("d", i / 8.0);
      json.EndObject();
    }
    json.EndArray();
  }  // the writer's end cuts the room off
  const nlohmann::json parsed = nlohmann::json::parse(out);
  ASSERT_EQ(parsed.size(), 3000u);
  EXPECT_EQ(parsed[2999]["text"], std::string(2999 % 700, '\n'));
  EXPECT_EQ(parsed[1234]["i"], "1234");
  EXPECT_EQ(parsed[5]["d"], 0.625);
}

}  // namespace
}  // namespace churn::jsonwriter
