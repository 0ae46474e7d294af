#include "util/json_read.h"

#include <gtest/gtest.h>

namespace tollgate::json_read {
namespace {

std::string nested(size_t depth) {
  return std::string(depth, '[') + std::string(depth, ']');
}

TEST(JsonRead, CountsTheDeepestNestingOutsideStrings) {
  EXPECT_EQ(nesting_depth("{}").depth, 1u);
  EXPECT_EQ(nesting_depth(R"({"a":[1,{"b":[]}],"c":{}})").depth, 4u);
  // Brackets in strings, escaped quotes included, do not count.
  EXPECT_EQ(nesting_depth(R"(["[[[", "\"[[[", "\\"])").depth, 1u);
  EXPECT_EQ(nesting_depth("42").depth, 0u);
}

TEST(JsonRead, AcceptsTheLimitAndRefusesOneLevelMore) {
  EXPECT_TRUE(parse(nested(kMaxDepth), "ok.json").is_array());
  try {
    parse("\n " + nested(kMaxDepth + 1), "deep.json");
    FAIL() << "a document one level past the limit was parsed";
  } catch (const Error& e) {
    // The 513th '[' is on line 2, after one space and 512 brackets: column 514.
    EXPECT_EQ(e.message(),
              "deep.json:2:514: JSON nested deeper than 512 levels (the limit for "
              "every JSON input)");
  }
}

TEST(JsonRead, AMillionOpenBracketsIsAnErrorNotACrash) {
  std::string hostile(1'000'000, '[');
  EXPECT_THROW(parse(hostile, "x.json"), Error);
  EXPECT_TRUE(parse_or_discarded(hostile).is_discarded());
  EXPECT_TRUE(parse_or_discarded(std::string(1'000'000, '{')).is_discarded());
}

TEST(JsonRead, NamesTheLineAndColumnOfASyntaxError) {
  try {
    parse("{\n  \"a\": 1,\n  \"b\": tru\n}", "bad.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.where().str(), "bad.json:3:11");
    EXPECT_NE(std::string(e.what()).find("invalid JSON: syntax error"), std::string::npos)
        << e.what();
  }
  try {
    parse("  \n", "empty.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "empty.json: invalid JSON: empty");
  }
}

TEST(JsonRead, DiscardsWhatIsNotJson) {
  EXPECT_TRUE(parse_or_discarded("<html>").is_discarded());
  EXPECT_EQ(parse_or_discarded(R"({"a":[1]})")["a"][0], 1);
}

}  // namespace
}  // namespace tollgate::json_read
