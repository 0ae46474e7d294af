#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "pipeline/includer.h"
#include "util/error.h"
#include "util/yaml.h"

namespace tollgate::pipeline {

// The YAML-level steps GitLab takes before it reads jobs, in GitLab's order:
//   1. included files are merged under the including file, which wins (pipeline/includer.h);
//   2. `extends` chains are merged, hashes deep, everything else replaced, parents in order;
//   3. `!reference [job, key, ...]` tags are replaced by what they point at (a list spliced into
//      the list that holds it), after extends so that a reference may name an inherited key;
//   4. `default:` (and the old top-level image/services/cache/before_script/after_script) fill
//      what a job leaves out, unless `inherit:default` says otherwise.
// Problems are appended to errors; the returned tree holds what could be resolved.
struct Resolved {
  yaml::Node tree;
  std::vector<Includer::Unavailable> unavailable;  // includes left out, and why
  // Jobs that extend, reference or need what a left-out include may hold: job -> why.
  std::map<std::string, std::string> unrunnable;
};
Resolved resolve(yaml::Node root, const IncludeContext& context, std::vector<Error>& errors);

// Hashes merged key by key, recursively; any other value in `over` replaces the one in `base`.
// Both are taken by value: a caller that no longer needs them moves them in, and nothing is
// copied.
yaml::Node deep_merge(yaml::Node base, yaml::Node over);

// Top-level keys that are not jobs.
bool is_reserved_top_level_key(const std::string& key);
const std::vector<std::string>& reserved_top_level_keys();

}  // namespace tollgate::pipeline
