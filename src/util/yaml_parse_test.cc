#include "util/yaml_parse.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

namespace tollgate::yaml_parse {
namespace {

using nlohmann::json;

json parse_json(const std::string& text, const Options& options = {}) {
  Tree tree = parse(text, "t.yaml", options);
  json docs = json::array();
  for (const Node& d : tree.documents())
    docs.push_back(to_json(d));
  return docs;
}

struct Case {
  const char* name;
  const char* yaml;
  const char* documents;  // the expected documents as JSON
};

// What real manifests and configs write, and the corners of the spec they reach.
const Case kCases[] = {
    {"compact nesting", "- a: 1\n  b: 2\n- - x\n  - y\n- c\n",
     R"([[{"a":"1","b":"2"},["x","y"],"c"]])"},
    {"list not indented under its key", "key:\n- a\n- b\nother: 1\n",
     R"([{"key":["a","b"],"other":"1"}])"},
    {"flow collections over lines", "args: [\n  \"a\",\n  'b', c\n]\nm: {a: 1,\n  b: [2]}\n",
     R"([{"args":["a","b","c"],"m":{"a":"1","b":["2"]}}])"},
    {"flow single pairs and empty values", "[a: 1, b, c: ]\n", R"([[{"a":"1"},"b",{"c":null}]])"},
    {"flow plain with colon", "{a:1, b: 2, url: http://x}\n",
     R"([{"a:1":null,"b":"2","url":"http://x"}])"},
    {"JSON", R"({"a":[1,2.5,true,null,"s"],"b":{"c":"d"}})",
     R"([{"a":["1","2.5","true",null,"s"],"b":{"c":"d"}}])"},
    {"multi-line plain", "a: this is\n  a multi line\n\n  value\nb: x\n",
     R"([{"a":"this is a multi line\nvalue","b":"x"}])"},
    {"plain continuation of an item", "- a\n  - b\n- c\n", R"([["a - b","c"]])"},
    {"colons and hashes inside plain", "image: nginx:1.2\nurl: http://x/y#z\nk: a:b # c\n",
     R"([{"image":"nginx:1.2","url":"http://x/y#z","k":"a:b"}])"},
    {"double-quoted escapes", R"(a: "x\ty\n\u00e9\x41 \"q\" \\ \/ \U0001F600 \ud83d\ude00")",
     "[{\"a\":\"x\\ty\\n\u00e9A \\\"q\\\" \\\\ / \U0001F600 \U0001F600\"}]"},
    {"quoted folding", "a: \"one\n  two\n\n  three\"\nb: 'it''s\n  x'\nc: \"joined \\\n   here\"\n",
     R"([{"a":"one two\nthree","b":"it's x","c":"joined here"}])"},
    {"literal with chomping",
     "a: |\n  line1\n   indented\n\n  line3\nb: |-\n  strip\n\nc: |+\n  keep\n\nd: x\n",
     R"([{"a":"line1\n indented\n\nline3\n","b":"strip","c":"keep\n\n","d":"x"}])"},
    {"folded with more-indented lines", ">\n one\n two\n\n three\n   more\n four\n",
     R"(["one two\nthree\n  more\nfour\n"])"},
    {"indentation indicator", "a: |2\n   leading space\n  normal\n",
     R"([{"a":" leading space\nnormal\n"}])"},
    {"block scalar at the end of the input without a line break", "a: |\n  x", R"([{"a":"x"}])"},
    {"documents and directives", "%YAML 1.2\n---\na: 1\n...\n---\n- b\n--- |\n  text\n---\n",
     R"([{"a":"1"},["b"],"text\n",null])"},
    {"a document after '...' without '---'", "a: 1\n...\nb: 2\n", R"([{"a":"1"},{"b":"2"}])"},
    {"comments everywhere", "# c\na: 1 # c\n# c\nb: # c\n  - x # c\n  # c\n  - y\n",
     R"([{"a":"1","b":["x","y"]}])"},
    {"only comments", "# nothing\n\n", "[]"},
    {"nulls", "a:\nb: ~\nc: null\nd: ''\n-x: -1\n",
     R"([{"a":null,"b":null,"c":null,"d":"","-x":"-1"}])"},
    {"anchors and aliases", "base: &b {x: 1}\nlist: &l [1, 2]\nagain: *l\nalso: *b\n",
     R"([{"base":{"x":"1"},"list":["1","2"],"again":["1","2"],"also":{"x":"1"}}])"},
    {"merge keys: local wins, first source wins",
     "a: &a {k: 1, j: 2}\nb: &b {k: 9, z: 3}\nc:\n  <<: [*a, *b]\n  k: 5\n",
     R"([{"a":{"k":"1","j":"2"},"b":{"k":"9","z":"3"},"c":{"k":"5","j":"2","z":"3"}}])"},
    {"anchor on a key and on a block mapping", "&k key: v\nother: *k\nm: &m\n  x: 1\nn: *m\n",
     R"([{"key":"v","other":"key","m":{"x":"1"},"n":{"x":"1"}}])"},
    {"explicit keys", "? a\n: 1\n? b\n", R"([{"a":"1","b":null}])"},
    {"CRLF line ends", "a: 1\r\nb:\r\n  - x\r\nc: |\r\n  t\r\n",
     R"([{"a":"1","b":["x"],"c":"t\n"}])"},
    {"byte order mark and UTF-8", "\xEF\xBB\xBFname: h\xC3\xA9llo\n", R"([{"name":"héllo"}])"},
    {"empty items", "-\n- a\n-\n", R"([[null,"a",null]])"},
    {"tab after an indicator", "a:\tb\nc:\t[d]\n", R"([{"a":"b","c":["d"]}])"},
};

TEST(YamlParse, TrickyCases) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    json got;
    ASSERT_NO_THROW(got = parse_json(c.yaml)) << c.yaml;
    EXPECT_EQ(got, json::parse(c.documents)) << c.yaml;
  }
}

TEST(YamlParse, KeepsTagsStylesAndLocations) {
  Tree tree = parse(
      "%TAG !e! tag:example.com,2000:\n---\nx:\n  y: !reference [a, b]\n  s: !!str 12\n"
      "  e: !e!foo bar\n  q: 'false'\n  p: false\n  l: |\n    t\n",
      "f.yml");
  const Node& doc = tree.documents()[0];
  const Node* x = doc.find("x");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->find("y")->tag(), "!reference");
  EXPECT_EQ(x->find("y")->where().str(), "f.yml:4:6");
  EXPECT_EQ(x->find("y")->items()[1].where().str(), "f.yml:4:21");
  EXPECT_EQ(x->find("s")->tag(), "tag:yaml.org,2002:str");
  EXPECT_EQ(x->find("e")->tag(), "tag:example.com,2000:foo");
  EXPECT_TRUE(x->find("q")->quoted());
  EXPECT_FALSE(x->find("p")->quoted());
  EXPECT_EQ(x->find("l")->style(), Style::Literal);
  EXPECT_EQ(x->entries()[0].key.where().str(), "f.yml:4:3");
  EXPECT_EQ(x->where().str(), "f.yml:4:3");  // a block mapping starts at its first key
}

TEST(YamlParse, ColumnsCountCharactersNotBytes) {
  Tree tree = parse("k: \xC3\xA9\xC3\xA9 x\nl: [\xC3\xA9, b]\n", "u.yaml");
  EXPECT_EQ(tree.documents()[0].find("l")->items()[1].column(), 8);
}

// One line of 200,000 nodes after an "é" (a Terraform plan is one line of JSON): each column
// was counted from the start of the line again, 2 minutes for a 1 MB plan (found by
// fuzz/terraform_plan_fuzz). Counted on from the last node, it is milliseconds.
TEST(YamlParse, ColumnsOfALongNonAsciiLineCostItsLengthOnce) {
  std::string line = "[\xC3\xA9";
  for (int i = 0; i < 200'000; ++i)
    line += ", 1";
  auto start = std::chrono::steady_clock::now();
  Tree tree = parse(line + "]\n", "plan.json");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const Node& doc = tree.documents()[0];
  ASSERT_EQ(doc.size(), 200'001u);
  EXPECT_EQ(doc.items()[200'000].column(), 2 + 3 * 200'000);  // "[é" is two characters
  EXPECT_EQ(doc.items()[1].column(), 5);
  EXPECT_LT(seconds, 30.0) << "quadratic in the line's length";
}

TEST(YamlParse, ScalarsWithoutEscapesPointIntoTheInput) {
  Tree tree = parse("a: plain\nb: \"quoted\"\nc: \"esc\\n\"\n", "v.yaml");
  const std::string& text = tree.text();
  auto inside = [&](std::string_view s) {
    return s.data() >= text.data() && s.data() < text.data() + text.size();
  };
  const Node& doc = tree.documents()[0];
  EXPECT_TRUE(inside(doc.find("a")->text()));
  EXPECT_TRUE(inside(doc.find("b")->text()));
  EXPECT_FALSE(inside(doc.find("c")->text()));
  EXPECT_EQ(doc.find("c")->text(), "esc\n");
}

TEST(YamlParse, SameDataIgnoresLocationsAndStyles) {
  Tree tree =
      parse("a: {x: [1, 'b']}\nb:\n  x:\n  - 1\n  - b\nc: {x: [1, c]}\nd: {y: [1, b]}\n", "s.yaml");
  const Node& doc = tree.documents()[0];
  EXPECT_TRUE(same_data(*doc.find("a"), *doc.find("b")));
  EXPECT_FALSE(same_data(*doc.find("a"), *doc.find("c")));
  EXPECT_FALSE(same_data(*doc.find("a"), *doc.find("d")));
}

TEST(YamlParse, DuplicateKeysAreErrorsOrLastWins) {
  try {
    parse("a: 1\nb: 2\na: 3\n", "d.yaml");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "d.yaml:3:1: invalid YAML: duplicate key 'a' (first at line 1)");
  }
  Options last;
  last.duplicate_keys = DuplicateKeys::LastWins;
  EXPECT_EQ(parse_json("a: 1\nb: 2\na: 3\n", last), json::parse(R"([{"a":"3","b":"2"}])"));
  // Large mappings take the hashed path.
  std::string big;
  for (int i = 0; i < 100; ++i)
    big += "k" + std::to_string(i) + ": " + std::to_string(i) + "\n";
  EXPECT_EQ(parse_json(big)[0].size(), 100u);
  EXPECT_THROW(parse(big + "k42: again\n", "d.yaml"), Error);
}

TEST(YamlParse, AliasesShareTheirNodeAndBombsAreRefused) {
  Tree tree = parse("a: &x [1, 2, 3]\nb: *x\n", "s.yaml");
  const Node& doc = tree.documents()[0];
  EXPECT_EQ(doc.find("a")->items().data(), doc.find("b")->items().data());
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c)
    bomb += std::string(1, c) + ": &" + c + " [*" + char(c - 1) + ", *" + char(c - 1) + ", *" +
            char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" +
            char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + ", *" + char(c - 1) + "]\n";
  try {
    parse(bomb, "bomb.yaml");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("expands to more than"), std::string::npos) << e.message();
  }
}

struct Bad {
  const char* yaml;
  const char* where;    // file:line:col
  const char* message;  // part of the message
};

// Everything the parser does not accept is an error at the place to fix, never a tree.
const Bad kBad[] = {
    {"a: b: c\n", "e.yaml:1:5", "mapping values are not allowed here"},
    {"a: 1\n  b: 2\n", "e.yaml:2:4", "cannot hold ': '"},
    {"- a\nb: c\n", "e.yaml:2:1", "expected a list item"},
    {"a: 1\n- b\n", "e.yaml:2:1", "a list item where a mapping key was expected"},
    {"a:\n\tb: 1\n", "e.yaml:2:1", "tab character in indentation"},
    {"a: [1, 2\nb: 3\n", "e.yaml:1:4", "this '[' is never closed"},
    {"a: {x: 1\n", "e.yaml:1:4", "this '{' is never closed"},
    {"a: \"abc\n", "e.yaml:1:4", "this quoted value is never closed"},
    {"a: *nope\n", "e.yaml:1:4", "unknown anchor 'nope'"},
    {"a: \"\\q\"\n", "e.yaml:1:5", "unknown escape '\\q'"},
    {"a: @x\n", "e.yaml:1:4", "'@' is reserved"},
    {"a: [1] x\n", "e.yaml:1:8", "unexpected text after the value"},
    {"a: - b\n", "e.yaml:1:4", "a list cannot start on the line of its key"},
    {"%YAML 1.2\na: 1\n", "e.yaml:2:1", "directives must be followed by '---'"},
    {"%YAML 2.0\n---\na: 1\n", "e.yaml:1:1", "unsupported YAML version"},
    {"a: !x!y z\n", "e.yaml:1:4", "tag handle '!x!' is not declared"},
    {"[a,\n---\n]\n", "e.yaml:1:1", "not closed before the next document"},
    {"a:\n  <<: 1\n", "e.yaml:2:7", "a merge key '<<' takes a mapping"},
    {"a: &x &y 1\n", "e.yaml:1:7", "two anchors"},
    {"a: |x\n  y\n", "e.yaml:1:5", "after the block scalar header"},
    {"a: |\n     \n  x\n", "e.yaml:2:6", "more spaces than its first line"},
    {"[a]\nb\n", "e.yaml:2:1", "unexpected content after the end of the document"},
    {"a: \"x\"#c\n", "e.yaml:1:7", "unexpected text after the value"},
    {"\"a\nb\": c\n", "e.yaml:1:1", "a mapping key must fit on one line"},
    {"a:\tb\n-\tc: d\n", "e.yaml:2:1", "a list item where a mapping key was expected"},
};

TEST(YamlParse, ErrorsSayWhatAndWhere) {
  for (const Bad& b : kBad) {
    SCOPED_TRACE(b.yaml);
    try {
      parse(b.yaml, "e.yaml");
      ADD_FAILURE() << "accepted: " << b.yaml;
    } catch (const Error& e) {
      EXPECT_EQ(e.where().str(), b.where) << e.message();
      EXPECT_NE(e.message().find(b.message), std::string::npos) << e.message();
    }
  }
  std::string deep(1000, '[');
  EXPECT_THROW(parse(deep + std::string(1000, ']'), "deep.yaml"), Error);
}

// A large stream is parsed in pieces on several threads: the same documents, the same
// locations, and the first error of the stream.
TEST(YamlParse, ParallelPiecesGiveTheSameTreeAndTheSameError) {
  std::string stream;
  for (int i = 0; i < 400; ++i)
    stream += "---\nkind: Pod\nmetadata:\n  name: p" + std::to_string(i) +
              "\nspec:\n  containers:\n  - name: c\n    image: \"i:" + std::to_string(i) +
              "\"\n    args: [a, b]\n    script: |\n      echo " + std::to_string(i) + "\n";
  Options one, many;
  one.parallel_from = 0;
  many.parallel_from = 1;
  Tree a = parse(stream, "p.yaml", one), b = parse(stream, "p.yaml", many);
  ASSERT_EQ(a.documents().size(), 400u);
  ASSERT_EQ(b.documents().size(), 400u);
  for (size_t i = 0; i < 400; ++i) {
    EXPECT_EQ(to_json(a.documents()[i]), to_json(b.documents()[i]));
    const Node* ia = a.documents()[i].find("spec")->find("containers")->items()[0].find("image");
    const Node* ib = b.documents()[i].find("spec")->find("containers")->items()[0].find("image");
    EXPECT_EQ(ia->where().str(), ib->where().str());
  }
  std::string broken = stream + "---\na: [\n" + stream + "---\nb: c: d\n";
  std::string first_error, parallel_error;
  try {
    parse(broken, "p.yaml", one);
  } catch (const Error& e) {
    first_error = e.message();
  }
  try {
    parse(broken, "p.yaml", many);
  } catch (const Error& e) {
    parallel_error = e.message();
  }
  EXPECT_EQ(first_error,
            "p.yaml:4402:4: invalid YAML: this '[' is not closed before the next document");
  EXPECT_EQ(parallel_error, first_error);
}

TEST(YamlParse, Yaml11BooleansAsGitLabAndKubernetesReadThem) {
  for (std::string_view t : {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"})
    EXPECT_EQ(yaml11_bool(t), true) << t;
  for (std::string_view t : {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"})
    EXPECT_EQ(yaml11_bool(t), false) << t;
  for (std::string_view t : {"tRUE", "yEs", "oN", "y", "n", "1", "0", "", "truth", "nope"})
    EXPECT_EQ(yaml11_bool(t), std::nullopt) << t;
}

}  // namespace
}  // namespace tollgate::yaml_parse
