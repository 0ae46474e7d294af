// util/yaml_parse: every YAML stream tollgate reads (pipelines, manifests, SLO files,
// scenarios) goes through it. The tree is walked whole, as the readers do, and converted to the
// util/yaml form the pipeline loader works on.
#include "fuzz_support.h"
#include "util/yaml.h"
#include "util/yaml_parse.h"

namespace {

size_t walk(const tollgate::yaml_parse::Node& n, int depth) {
  size_t count = 1 + n.text().size() + n.tag().size() + static_cast<size_t>(n.line());
  if (depth > 1000) return count;
  for (const auto& item : n.items())
    count += walk(item, depth + 1);
  for (const auto& e : n.entries())
    count += walk(e.key, depth + 1) + walk(e.value, depth + 1);
  return count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tollgate;
  std::string input(fuzz::text(data, size));
  fuzz::expect_errors([&] {
    yaml_parse::Options options;
    options.max_expanded_nodes = 1'000'000;
    auto tree = yaml_parse::parse(input, "f.yaml", options);
    volatile size_t sink = 0;
    for (const auto& doc : tree.documents())
      sink = sink + walk(doc, 0);
  });
  fuzz::expect_errors([&] {
    yaml_parse::Options options;
    options.duplicate_keys = yaml_parse::DuplicateKeys::LastWins;
    options.merge_keys = false;
    options.max_expanded_nodes = 1'000'000;
    yaml_parse::parse(input, "f.yaml", options);
  });
  fuzz::expect_errors([&] {
    for (const auto& node : yaml::load_all(input, "f.yaml"))
      yaml::emit(node);
  });
  return 0;
}
