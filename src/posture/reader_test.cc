#include "posture/reader.h"

#include <gtest/gtest.h>

#include <fstream>

#include "util/files.h"

namespace tollgate::posture {
namespace {

void write(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

TEST(ReaderTest, MultiDocumentWithEmptyCommentOnlyAndEndMarkers) {
  Inputs in;
  size_t n = add_stream(in, R"(---
# only a comment
---
---
apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: x}
...
---
apiVersion: v1
kind: Secret
metadata: {name: b}
)",
                        "m.yaml");
  EXPECT_EQ(n, 2u);
  ASSERT_EQ(in.objects.size(), 2u);
  EXPECT_EQ(in.objects[0].subject(), "ConfigMap/x/a");
  EXPECT_EQ(in.objects[1].subject(), "Secret/b");
  EXPECT_EQ(in.objects[1].where.str(), "m.yaml:10:1");
}

TEST(ReaderTest, KubectlListJsonAndTypedLists) {
  Inputs in;
  add_stream(in, R"({
    "apiVersion": "v1",
    "items": [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"}}
    ],
    "kind": "List",
    "metadata": {"resourceVersion": ""}
})",
             "live.json");
  ASSERT_EQ(in.objects.size(), 2u);
  EXPECT_EQ(in.objects[0].subject(), "Deployment/shop/web");
  EXPECT_EQ(in.objects[0].where.line, 4);
  add_stream(
      in,
      "apiVersion: v1\nkind: PodList\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: p}}\n",
      "pods.yaml");
  EXPECT_EQ(in.objects.size(), 3u);
  EXPECT_EQ(in.objects[2].kind, "Pod");
}

TEST(ReaderTest, EmptyListIsAnInputNotAnError) {
  Inputs in;
  EXPECT_EQ(add_stream(in, R"({"apiVersion":"v1","kind":"List","items":[]})", "e.json"), 1u);
  EXPECT_TRUE(in.objects.empty());
  EXPECT_EQ(in.lists, 1u);
}

TEST(ReaderTest, RecognisesTerraformPlansByContent) {
  Inputs in;
  add_stream(in, R"({"format_version":"1.2","terraform_version":"1.9.0","planned_values":{}})",
             "plan.json");
  EXPECT_EQ(in.plans.size(), 1u);
  EXPECT_THROW(add_stream(in, R"({"format_version":"2.0","planned_values":{}})", "p2.json"), Error);
  EXPECT_THROW(add_stream(in, R"({"format_version":"1.0","terraform_version":"1.9.0","values":{}})",
                          "s.json"),
               Error);
}

TEST(ReaderTest, InvalidYamlIsAnErrorWithLocation) {
  Inputs in;
  try {
    add_stream(in, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n", "bad.yaml");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.where().file, "bad.yaml");
    EXPECT_GT(e.where().line, 0);
  }
}

TEST(ReaderTest, ObjectWithKindButNoApiVersionIsAnError) {
  Inputs in;
  EXPECT_THROW(add_stream(in, "kind: Pod\nmetadata: {name: x}\n", "x.yaml"), Error);
  EXPECT_THROW(add_stream(in, "apiVersion: v1\nkind: [Pod]\n", "x.yaml"), Error);
}

TEST(ReaderTest, MalformedPodSpecsAreErrorsNotPasses) {
  auto first_containers = [](const std::string& text) {
    Inputs in;
    add_stream(in, text, "m.yaml");
    return containers_of(pod_spec_of(in.objects.at(0)));
  };
  try {
    first_containers(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: {name: c}\n");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "m.yaml:5:15: spec.containers must be a list, not a mapping");
  }
  EXPECT_THROW(first_containers("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
                                "  containers: [{name: c, securityContext: yes}]\n"),
               Error);
  EXPECT_EQ(first_containers("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {}\n").size(),
            0u);
}

// Kubernetes refuses a manifest with a key written twice ("key already set in map"); a gate that
// read one of the two values could pass what the cluster never runs as checked.
TEST(ReaderTest, DuplicateKeysAreErrorsAtTheSecondKey) {
  Inputs in;
  try {
    add_stream(in,
               "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostPID: false\n"
               "  containers: []\n  hostPID: true\n",
               "dup.yaml");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "dup.yaml:7:3: invalid YAML: duplicate key 'hostPID' (first at line 5)");
  }
}

// Anchors, merge keys and block scalars, as hand-written manifests use them, reach the rules
// with the locations of what was written.
TEST(ReaderTest, AnchorsMergeKeysAndBlockScalars) {
  Inputs in;
  add_stream(in,
             "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
             "  - &base\n    name: a\n    securityContext: {privileged: true}\n"
             "  - <<: *base\n    name: b\n    args:\n    - |\n      echo hi\n",
             "anchors.yaml");
  auto cs = containers_of(pod_spec_of(in.objects.at(0)));
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[1].name, "b");
  EXPECT_TRUE(is_true(at(cs[1].node, "securityContext.privileged")));
  EXPECT_EQ(where_of(get(cs[1].node, "securityContext"), "privileged").str(), "anchors.yaml:8:23");
  EXPECT_EQ(text(&items(get(cs[1].node, "args"))[0]), "echo hi\n");
}

TEST(ReaderTest, DirectoriesAreWalkedSkippingHiddenAndOtherFiles) {
  files::TempDir dir;
  auto root = dir.path();
  write(root / "a.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n");
  write(root / "sub/b.yml", "apiVersion: v1\nkind: Pod\nmetadata: {name: b}\n");
  write(root / "sub/c.json", R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"c"}})");
  write(root / "values.yaml", "replicas: 3\n");  // Helm values: skipped, not an error
  write(root / "README.md", "apiVersion: v1\nkind: Pod\nmetadata: {name: readme}\n");
  write(root / ".tollgate/posture.yaml", "level: baseline\n");
  Inputs in = read_inputs({root.string()});
  std::vector<std::string> names;
  for (const auto& o : in.objects)
    names.push_back(o.name);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(in.skipped_documents, 1u);
}

TEST(ReaderTest, NamedFileWithoutObjectsOrMissingPathIsAnError) {
  files::TempDir dir;
  write(dir.path() / "values.yaml", "replicas: 3\n");
  EXPECT_THROW(read_inputs({(dir.path() / "values.yaml").string()}), Error);
  EXPECT_THROW(read_inputs({(dir.path() / "nope.yaml").string()}), Error);
  EXPECT_THROW(read_inputs({}), UsageError);
}

}  // namespace
}  // namespace tollgate::posture
