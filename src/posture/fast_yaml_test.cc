#include "posture/fast_yaml.h"

#include <gtest/gtest.h>

namespace tollgate::posture {
namespace {

// Every node's text, kind, quoting, tag and location, for comparing two loaders.
std::string dump(const yaml::Node& n) {
  std::string out = std::to_string(static_cast<int>(n.kind)) + (n.quoted ? "q" : "") + "[" + n.tag +
                    "]" + n.where.str() + "=" + n.scalar + "{";
  for (const auto& i : n.items)
    out += dump(i) + ",";
  for (const auto& e : n.entries)
    out += dump(e.key) + ":" + dump(e.value) + ",";
  return out + "}";
}

void expect_same_as_yaml_cpp(const std::string& text) {
  auto slow = yaml::load_all(text, "f.yaml");
  auto fast = load_all_fast(text, "f.yaml");
  ASSERT_EQ(fast.size(), slow.size()) << text;
  for (size_t i = 0; i < fast.size(); ++i) {
    EXPECT_EQ(fast[i].to_json(), slow[i].to_json()) << text;
    EXPECT_EQ(dump(fast[i]), dump(slow[i])) << text;
  }
}

TEST(FastYamlTest, AgreesWithTheYamlCppLoader) {
  expect_same_as_yaml_cpp(R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: "quoted"
  labels: {app: web, 'tier': api}
spec:
  replicas: 3
  paused: false
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.25
          args: ["--port", "8080", 'x']
          command:
            - sh
          env: [{name: A, value: ~}, {name: B, value: null}, {name: C, value: ''}]
)");
  // Block scalars: yaml-cpp points at the indicator, libfyaml at the text; the values agree.
  auto slow = yaml::load_all("script: |\n  echo hi\n", "f.yaml");
  auto fast = load_all_fast("script: |\n  echo hi\n", "f.yaml");
  EXPECT_EQ(fast.at(0).to_json(), slow.at(0).to_json());
}

TEST(FastYamlTest, MultiDocumentAnchorsMergeKeysTagsAndDuplicates) {
  expect_same_as_yaml_cpp(R"(---
base: &base {cpu: 100m, memory: 64Mi}
limits:
  <<: *base
  memory: 128Mi
list: [*base, *base]
multi:
  <<: [{a: 1}, {a: 2, b: 2}]
tagged: !reference [.setup, script]
dup: 1
dup: 2
...
---
{"apiVersion": "v1", "kind": "List", "items": [{"a": 1, "b": [true, 1.5, "s"]}]}
)");
}

TEST(FastYamlTest, ErrorsCarryFileLineAndColumn) {
  try {
    load_all_fast("a: 1\nb: [unclosed\nc: 2\n", "bad.yaml");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.where().file, "bad.yaml");
    EXPECT_GT(e.where().line, 1);
    EXPECT_NE(e.message().find("invalid YAML"), std::string::npos);
  }
  EXPECT_THROW(load_all_fast("a: *nowhere\n", "x.yaml"), Error);
  EXPECT_THROW(load_all_fast("a: b: c\n", "x.yaml"), Error);
}

TEST(FastYamlTest, EmptyInputHasNoDocuments) {
  EXPECT_TRUE(load_all_fast("", "e.yaml").empty());
}

}  // namespace
}  // namespace tollgate::posture

namespace tollgate::posture {
namespace {

std::string many_documents(int n) {
  std::string s = "# header comment\n";
  for (int i = 0; i < n; ++i) {
    s += "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"cm-" + std::to_string(i) +
         "\"}\ndata:\n  script: |\n    echo " + std::to_string(i) + "\n    ---not a marker\n";
    if (i % 7 == 0) s += "...\n";
  }
  return s;
}

TEST(FastYamlTest, ParallelPiecesGiveTheSameDocumentsAndLocations) {
  std::string text = many_documents(300);
  auto one = load_all_fast(text, "s.yaml", std::string::npos);
  auto pieces = load_all_fast(text, "s.yaml", 0);
  ASSERT_EQ(one.size(), 300u);
  ASSERT_EQ(pieces.size(), one.size());
  for (size_t i = 0; i < one.size(); ++i)
    ASSERT_EQ(dump(pieces[i]), dump(one[i])) << i;
}

TEST(FastYamlTest, ParallelErrorReportsTheLineInTheWholeFile) {
  std::string text = many_documents(300);
  size_t lines_before = std::count(text.begin(), text.end(), '\n');
  text += "---\nbad: [unclosed\n";
  try {
    load_all_fast(text, "s.yaml", 0);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_GT(e.where().line, static_cast<int>(lines_before));
  }
}

}  // namespace
}  // namespace tollgate::posture
