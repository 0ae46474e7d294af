#include "util/json_text.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace tollgate::json_text {
namespace {

using nlohmann::json;

std::string write(const json& j, unsigned indent, unsigned current = 0) {
  std::string out;
  append(out, j, indent, current);
  return out;
}

std::string literal(std::string_view s) {
  std::string out;
  append_string(out, s);
  return out;
}

TEST(JsonText, EscapesAsTheLibraryDoes) {
  std::string every_ascii;
  for (int c = 1; c < 0x80; ++c)
    every_ascii += static_cast<char>(c);
  for (std::string s :
       {std::string(), std::string("plain"), std::string("q\"b\\s/"),
        std::string("\b\f\n\r\t\x01\x1f\x7f"), std::string("caf\xC3\xA9 \xE2\x82\xAC"),
        std::string("\xF0\x9F\x98\x80 emoji"), std::string(1, '\0') + "nul", every_ascii})
    EXPECT_EQ(literal(s), json(s).dump()) << s;
}

TEST(JsonText, InvalidUtf8BecomesTheReplacementCharacter) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(literal("a\xFF"
                    "b"),
            "\"a" + fffd + "b\"");
  EXPECT_EQ(literal("\xC0\xAF"), "\"" + fffd + fffd + "\"");                        // overlong '/'
  EXPECT_EQ(literal("\xED\xA0\x80"), "\"" + fffd + fffd + fffd + "\"");             // a surrogate
  EXPECT_EQ(literal("\xF4\x90\x80\x80"), "\"" + fffd + fffd + fffd + fffd + "\"");  // > U+10FFFF
  EXPECT_EQ(literal("cut \xE2\x82"), "\"cut " + fffd + fffd + "\"");
  // Whatever comes in, what goes out parses.
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng() % 12, '\0');
    for (auto& c : s)
      c = static_cast<char>(rng() % 256);
    EXPECT_FALSE(json::parse(literal(s), nullptr, false).is_discarded()) << i;
  }
}

json random_value(std::mt19937& rng, int depth) {
  static const std::vector<std::string> kWords = {
      "",          "a",    "key", "caf\xC3\xA9", "tab\there", "quote\"d", "\xE2\x82\xAC",
      "new\nline", "\x7f", "z"};
  int kind = static_cast<int>(rng() % (depth > 3 ? 6 : 8));
  switch (kind) {
    case 0:
      return nullptr;
    case 1:
      return rng() % 2 == 0;
    case 2:
      return static_cast<int64_t>(rng()) - (1LL << 31);
    case 3:
      return static_cast<uint64_t>(rng()) << 32 | rng();
    case 4:
      return std::ldexp(static_cast<double>(rng()), static_cast<int>(rng() % 80) - 40);
    case 5:
      return kWords[rng() % kWords.size()] + kWords[rng() % kWords.size()];
    case 6: {
      json a = json::array();
      for (size_t n = rng() % 4; n > 0; --n)
        a.push_back(random_value(rng, depth + 1));
      return a;
    }
    default: {
      json o = json::object();
      for (size_t n = rng() % 4; n > 0; --n)
        o[kWords[rng() % kWords.size()]] = random_value(rng, depth + 1);
      return o;
    }
  }
}

TEST(JsonText, WritesTheLibrarysTextForAnyValue) {
  std::mt19937 rng(42);
  for (int i = 0; i < 3000; ++i) {
    json j = random_value(rng, 0);
    for (unsigned indent : {0u, 2u, 4u})
      ASSERT_EQ(write(j, indent), j.dump(static_cast<int>(indent))) << j.dump();
  }
  json j = {{"a", {1, 2}}, {"b", json::object()}};
  EXPECT_EQ(write(j, 2, 4),
            "{\n      \"a\": [\n        1,\n        2\n      ],\n      \"b\": {}\n    }");
}

TEST(JsonText, WritesTheLibrarysTextForTheRepositorysJsonFiles) {
  namespace fs = std::filesystem;
  const char* src = std::getenv("TOLLGATE_SOURCE_DIR");
  fs::path root =
      src ? fs::path(src) : fs::path(__FILE__).parent_path().parent_path().parent_path();
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.path().extension() != ".json" || e.path().string().find("/build") != std::string::npos)
      continue;
    std::ifstream in(e.path());
    std::stringstream text;
    text << in.rdbuf();
    json j = json::parse(text.str(), nullptr, false);
    if (j.is_discarded()) continue;
    EXPECT_EQ(write(j, 2), j.dump(2)) << e.path();
    ++files;
  }
  EXPECT_GT(files, 5);
}

}  // namespace
}  // namespace tollgate::json_text
