#pragma once

#include <filesystem>
#include <vector>

#include "util/error.h"
#include "util/yaml.h"

namespace tollgate::pipeline {

// The YAML-level steps GitLab takes before it reads jobs, in GitLab's order:
//   1. include:local files are merged under the including file (which wins);
//   2. `!reference [job, key, ...]` tags are replaced by what they point at (a list spliced into
//      the list that holds it);
//   3. `extends` chains are merged, hashes deep, everything else replaced, parents in order;
//   4. `default:` (and the old top-level image/services/cache/before_script/after_script) fill
//      what a job leaves out, unless `inherit:default` says otherwise.
// Problems are appended to errors; the returned tree holds what could be resolved.
yaml::Node resolve(yaml::Node root, const std::filesystem::path& project_dir,
                   std::vector<Error>& errors);

// Hashes merged key by key, recursively; any other value in `over` replaces the one in `base`.
yaml::Node deep_merge(const yaml::Node& base, const yaml::Node& over);

// Top-level keys that are not jobs.
bool is_reserved_top_level_key(const std::string& key);
const std::vector<std::string>& reserved_top_level_keys();

}  // namespace tollgate::pipeline
