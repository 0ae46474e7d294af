// yaml_parse against libfyaml, a YAML 1.2 parser that passes the YAML test suite: on tricky
// snippets, generated manifests and every YAML and JSON file of the repository and of
// /usr/share that libfyaml reads, both must give the same documents (scalars with their style
// and tag, mappings as sets of pairs, aliases and merge keys resolved), and what libfyaml
// refuses yaml_parse must refuse too.
#include <gtest/gtest.h>
#include <libfyaml.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "util/files.h"
#include "util/yaml_parse.h"

namespace tollgate::yaml_parse {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

bool null_text(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

json scalar(bool plain, std::string_view tag, std::string_view text) {
  if (tag == "tag:yaml.org,2002:null") return nullptr;
  if (plain && tag.empty() && null_text(text)) return nullptr;
  std::string out = plain ? "plain:" : "quoted:";
  if (!tag.empty()) out += "<" + std::string(tag) + ">";
  return out + std::string(text);
}

json tagged(json j, std::string_view tag) {
  return tag.empty() ? j : json{{"tag", std::string(tag)}, {"value", j}};
}

// Mappings are unordered in YAML's model (and merge keys may land in another order).
json mapping(json pairs) {
  std::sort(pairs.begin(), pairs.end(),
            [](const json& a, const json& b) { return a[0].dump() < b[0].dump(); });
  return {{"mapping", pairs}};
}

json canonical(const Node& n) {
  switch (n.kind()) {
    case Kind::Null:
      return n.tag().empty() ? json(nullptr) : scalar(true, n.tag(), "");
    case Kind::Scalar:
      return scalar(n.style() == Style::Plain, n.tag(), n.text());
    case Kind::Sequence: {
      json items = json::array();
      for (const Node& i : n.items())
        items.push_back(canonical(i));
      return tagged(items, n.tag());
    }
    case Kind::Mapping: {
      json pairs = json::array();
      for (const auto& e : n.entries())
        pairs.push_back({canonical(e.key), canonical(e.value)});
      return tagged(mapping(pairs), n.tag());
    }
  }
  return nullptr;
}

json canonical(fy_node* n) {
  if (n == nullptr) return nullptr;
  size_t len = 0;
  const char* t = fy_node_get_tag(n, &len);
  std::string tag = t ? std::string(t, len) : "";
  switch (fy_node_get_type(n)) {
    case FYNT_SCALAR: {
      const char* s = fy_node_get_scalar(n, &len);
      return scalar(fy_node_get_style(n) == FYNS_PLAIN, tag, std::string_view(s ? s : "", len));
    }
    case FYNT_SEQUENCE: {
      json items = json::array();
      void* it = nullptr;
      while (fy_node* c = fy_node_sequence_iterate(n, &it))
        items.push_back(canonical(c));
      return tagged(items, tag);
    }
    case FYNT_MAPPING: {
      json pairs = json::array();
      void* it = nullptr;
      while (fy_node_pair* p = fy_node_mapping_iterate(n, &it))
        pairs.push_back({canonical(fy_node_pair_key(p)), canonical(fy_node_pair_value(p))});
      return tagged(mapping(pairs), tag);
    }
  }
  return nullptr;
}

void discard(fy_diag*, void*, const char*, size_t) {}

// libfyaml's documents, or nullopt when it refuses the stream. Its messages on refused inputs
// would only clutter the test log: they go nowhere.
std::optional<json> reference(const std::string& text) {
  fy_diag_cfg diag_cfg;
  fy_diag_cfg_default(&diag_cfg);
  diag_cfg.fp = nullptr;
  diag_cfg.output_fn = discard;
  fy_diag* diag = fy_diag_create(&diag_cfg);
  fy_parse_cfg cfg{};
  cfg.flags = static_cast<fy_parse_cfg_flags>(FYPCF_QUIET | FYPCF_RESOLVE_DOCUMENT);
  cfg.diag = diag;
  fy_parser* parser = fy_parser_create(&cfg);
  fy_parser_set_string(parser, text.data(), text.size());
  json docs = json::array();
  while (fy_document* d = fy_parse_load_document(parser)) {
    docs.push_back(canonical(fy_document_root(d)));
    fy_parse_document_destroy(parser, d);
  }
  bool failed = fy_parser_get_stream_error(parser);
  fy_parser_destroy(parser);
  fy_diag_unref(diag);
  if (failed) return std::nullopt;
  return docs;
}

std::optional<json> ours(const std::string& text, const std::string& name) {
  try {
    Tree tree = parse(text, name);
    json docs = json::array();
    for (const Node& d : tree.documents())
      docs.push_back(canonical(d));
    return docs;
  } catch (const Error&) {
    return std::nullopt;
  }
}

// Where the two agree on a stream: the same documents, or both refuse it.
void expect_same(const std::string& text, const std::string& name) {
  std::optional<json> want = reference(text), got = ours(text, name);
  if (!want) {
    EXPECT_FALSE(got) << name << ": libfyaml refuses it, yaml_parse reads " << got->dump();
    return;
  }
  ASSERT_TRUE(got) << name << ": libfyaml reads it, yaml_parse refuses it";
  EXPECT_EQ(*got, *want) << name;
}

const char* const kSnippets[] = {
    "- a: 1\n  b: 2\n- - x\n  - y\n- c\n",
    "key:\n- a\n- b\nother: 1\n",
    "a:\n  b:\n    c: [1, 2, {d: e}]\n  f: g\n",
    "a: this is\n  a multi line\n\n  value\nb: x\n",
    "a: \"x\\ty\\n\\u00e9\\x41 \\\"q\\\" \\\\\"\nb: \"l1\n  l2\n\n  l3\"\nc: \"e \\\n   j\"\n",
    "a: 'it''s'\nb: 'one\n  two'\n",
    "a: |\n  line1\n   indented\n\n  line3\nb: |-\n  strip\n\nc: |+\n  keep\n\nd: x\n",
    "a: >\n  one\n  two\n\n  three\n    more\n  four\nb: >-\n  x\n  y\n",
    ">\n folded\n line\n\n next\n line\n   * bullet\n\n   * list\n\n last\n line\n",
    "a: |2\n   leading space\n  normal\nb: |-2\n   x\nc: >+1\n  y\n\n",
    "%YAML 1.2\n---\na: 1\n...\n---\n- b\n--- |\n  text\n---\n",
    "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\nlist: &l [1, 2]\nagain: *l\n",
    "a: &a {k: 1, j: 2}\nb: &b {k: 9, z: 3}\nc:\n  <<: [*a, *b]\n  k: 5\n",
    "a: !reference [x, y]\nb: !!str 123\nc: !custom\n  k: v\nd: !!int '7'\n",
    "%TAG !e! tag:example.com,2000:\n---\na: !e!foo bar\n",
    "? a\n: 1\n? - x\n  - y\n: z\n",
    "a:\nb: ~\nc: null\nd: ''\n",
    "# c\na: 1 # c\n# c\nb: # c\n  - x # c\n  # c\n  - y\n",
    "{\"a\": [1, 2.5, true, null, \"s\"], \"b\": {\"c\": \"d\"}}\n",
    "{\"a\":1,\"b\":[{\"c\":\"d\"}]}",
    "a: 1\r\nb:\r\n  - x\r\n  - y\r\nc: |\r\n  t\r\n",
    "image: nginx:1.2\nurl: http://x.y/z\ntime: 12:30\nk8s: a:b:c\n",
    "[a: 1, b, c: ]\n",
    "{a:1, b: 2}\n",
    "&k key: v\nother: *k\n",
    "\xEF\xBB\xBF\x61: 1\n",  // a byte order mark, then "a: 1"
    "name: h\xC3\xA9llo w\xC3\xB6rld\n",
    "--- |\n  a\n  b\n",
    "- &a x\n- *a\n- &b [1]\n- *b\n",
    "a: &x\n  b: 1\nc: *x\nd: !!map\n  e: f\n",
    "-\n- a\n-\n",
    "a: 1\n...\nb: 2\n",
    "\"\\0\\a\\b\\v\\f\\r\\e\\ \\/\\N\\_\\L\\P\\U0001F600\\ud83d\\ude00\"\n",
    "'a\n\n  b'\n",
    "a\nb\n\nc\n",
    ">\n\n  a\n",
    "a: |\n  x\n    \n  y\n",
    "a: b: c\n",
    "- a\nb: c\n",
    "a: 1\n- b\n",
    "a:\n\tb: 1\n",
    "a: [1, 2\nb: 3\n",
    "a: *nope\n",
    "a: 1\na: 2\n",
    "a: b\n c: d\n",
    "a: [1] x\n",
    "a: !x!y z\n",
    "a:\n  <<: 1\n",
    "a: |\n     \n  x\n",
    "[a]\nb\n",
};

TEST(YamlParseDiff, TrickySnippets) {
  int i = 0;
  for (const char* s : kSnippets)
    expect_same(s, "snippet " + std::to_string(i++));
}

// Manifests as tools write them: every shape of nesting, quoting and flow the generator knows.
TEST(YamlParseDiff, GeneratedManifests) {
  std::string stream;
  const char* quotes[] = {"", "'", "\""};
  for (int i = 0; i < 300; ++i) {
    std::string q = quotes[i % 3], n = std::to_string(i);
    // Lists under their key or indented: the items' keys are at column ind + 2.
    std::string ind(i % 4 == 0 ? 6 : 8, ' '), at(ind.size() + 2, ' ');
    stream += "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + q + "svc-" + n +
              q + "\n  labels: {app: svc-" + n + ", tier: \"" + n + "\"}\n" +
              "  annotations:\n    note: >-\n      folded " + n + "\n      text\n" +
              "spec:\n  template:\n    spec:\n      containers:\n" + ind + "- name: c\n" + at +
              "image: reg/x:" + n + "   # pinned\n" + at +
              "args: [\"--port\", '80', -v, \"a: b\"]\n" + at + "env:\n" + at +
              "- {name: A, value: '" + n + "'}\n" + at + "command:\n" + at + "- sh\n" + at +
              "- -c\n" + at + "- |\n" + at + "  echo " + n + "\n" + at + "  exit 0\n";
  }
  ASSERT_TRUE(reference(stream)) << "the generator writes invalid YAML";
  expect_same(stream, "generated");
}

std::vector<fs::path> yaml_files(const fs::path& root) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec),
       end;
       it != end; it.increment(ec)) {
    if (ec) break;
    std::string name = it->path().filename().string();
    if (it->is_directory() && (name == "build" || name == ".git")) {
      it.disable_recursion_pending();
      continue;
    }
    std::string ext = it->path().extension().string();
    // Every YAML file; JSON files (big timezone tables in /usr/share) only while small, as
    // dozens of megabytes of one shape would add time and nothing new.
    bool yaml = ext == ".yaml" || ext == ".yml";
    if (it->is_regular_file() && (yaml || (ext == ".json" && it->file_size() < (256 << 10))))
      out.push_back(it->path());
  }
  return out;
}

TEST(YamlParseDiff, EveryYamlFileOfTheRepositoryAndOfUsrShare) {
  const char* source = std::getenv("TOLLGATE_SOURCE_DIR");
  ASSERT_NE(source, nullptr) << "run through ctest";
  std::vector<fs::path> files = yaml_files(source);
  size_t from_repo = files.size();
  for (const auto& f : yaml_files("/usr/share"))
    files.push_back(f);
  EXPECT_GT(from_repo, 10u);
  for (const auto& f : files)
    expect_same(files::read(f.string()), f.string());
}

}  // namespace
}  // namespace tollgate::yaml_parse
