#include "util/yaml.h"

#include <gtest/gtest.h>

namespace tollgate::yaml {
namespace {

TEST(Yaml, MergeKeysLocalKeysWinAndFirstSourceWins) {
  Node doc = load(
      "a: &a {k: 1, j: 2}\n"
      "b: &b {k: 9, z: 3}\n"
      "c:\n"
      "  <<: [*a, *b]\n"
      "  k: 5\n",
      "t.yml");
  const Node* c = doc.find("c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->find("k")->scalar, "5");
  EXPECT_EQ(c->find("j")->scalar, "2");
  EXPECT_EQ(c->find("z")->scalar, "3");
  EXPECT_EQ(c->find("<<"), nullptr);
}

TEST(Yaml, KeepsLocationsTagsAndQuoting) {
  Node doc = load("x:\n  y: !reference [a, b]\n  q: 'false'\n  p: false\n  n: ~\n", "f.yml");
  const Node* y = doc.find("x")->find("y");
  EXPECT_EQ(y->tag, "!reference");
  EXPECT_TRUE(y->is_sequence());
  EXPECT_EQ(y->where.str(), "f.yml:2:6");
  EXPECT_FALSE(doc.find("x")->find("q")->is_bool());
  EXPECT_TRUE(doc.find("x")->find("p")->is_bool());
  EXPECT_FALSE(doc.find("x")->find("p")->as_bool());
  EXPECT_TRUE(doc.find("x")->find("n")->is_null());
}

TEST(Yaml, ParseErrorsCarryFileLineColumn) {
  try {
    load("a: [1, 2\nb: c\n", "bad.yml");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.where().file, "bad.yml");
    EXPECT_GT(e.where().line, 0);
    EXPECT_NE(e.message().find("bad.yml:"), std::string::npos);
  }
}

TEST(Yaml, MultiDocumentAndJson) {
  auto docs = load_all("a: 1\n---\n---\nb: [1, 2.5, true, x]\n", "m.yml");
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_TRUE(docs[1].is_null());
  EXPECT_EQ(docs[2].to_json().dump(), R"({"b":[1,2.5,true,"x"]})");
}

// As GitLab's Ruby parser: a key written twice keeps its place and takes the later value.
TEST(Yaml, ARepeatedKeyTakesTheLaterValueInPlace) {
  Node doc = load("a: 1\nb: 2\na: 3\n", "d.yml");
  ASSERT_EQ(doc.entries.size(), 2u);
  EXPECT_EQ(doc.entries[0].key.scalar, "a");
  EXPECT_EQ(doc.entries[0].value.scalar, "3");
  EXPECT_EQ(doc.find("a")->where.str(), "d.yml:3:4");
}

TEST(Yaml, AStrTagMakesAString) {
  Node doc = load("a: !!str 123\nb: !!str true\nc: 123\n", "t.yml");
  EXPECT_FALSE(doc.find("a")->is_int());
  EXPECT_FALSE(doc.find("b")->is_bool());
  EXPECT_EQ(doc.find("a")->to_json(), "123");
  EXPECT_TRUE(doc.find("c")->is_int());
  EXPECT_EQ(doc.find("a")->tag, "");  // the core schema's own tags are not kept
}

TEST(Yaml, ATabInIndentationIsAnErrorThatSaysSo) {
  try {
    load("job:\n\tscript: [x]\n", "tab.yml");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(),
              "tab.yml:2:1: invalid YAML: a tab character in indentation (YAML "
              "indents with spaces)");
  }
}

TEST(Yaml, AnEmptyFileIsNullAtItsStart) {
  Node doc = load("# only a comment\n", "e.yml");
  EXPECT_TRUE(doc.is_null());
  EXPECT_EQ(doc.where.str(), "e.yml:1:1");
  EXPECT_TRUE(load_all("", "e.yml").empty());
}

TEST(Yaml, AliasBombIsRefused) {
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'i'; ++c) {
    text += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i)
      text += std::string(i ? ", *" : "*") + prev;
    text += "]\n";
    prev = c;
  }
  EXPECT_THROW(load(text, "bomb.yml"), Error);
}

TEST(Yaml, EmitRoundTripsThroughTheLoader) {
  const char* text =
      "job:\n  script:\n    - echo \"a: b\"\n    - 'false'\n  variables:\n    A: \"1\"\n    B: "
      "plain\n"
      "  needs: []\n  retry: 2\n  rules:\n    - if: $X == \"y\"\n      when: never\n";
  Node first = load(text, "a.yml");
  std::string emitted = emit(first);
  Node second = load(emitted, "b.yml");
  EXPECT_EQ(first.to_json(), second.to_json()) << emitted;
  EXPECT_FALSE(second.find("job")->find("script")->items[1].is_bool()) << emitted;
}
}  // namespace
}  // namespace tollgate::yaml
