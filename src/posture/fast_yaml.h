#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/yaml.h"

namespace tollgate::posture {

// Parses every document of a YAML (or JSON) stream into the same location-keeping trees as
// yaml::load_all, with the same rules (aliases expanded, merge keys applied, a later duplicate
// key wins, custom tags kept), but through libfyaml's event parser, which reads Kubernetes
// manifests about eight times faster than yaml-cpp: a cluster dump is tens of megabytes.
// Throws Error with file:line:col on invalid input.
std::vector<yaml::Node> load_all_fast(std::string_view text, const std::string& file);

}  // namespace tollgate::posture
