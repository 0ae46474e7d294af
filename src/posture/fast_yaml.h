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
//
// A stream larger than parallel_from bytes is cut at its document markers (a line starting with
// "---" always starts a document, even inside a scalar) and the pieces are parsed on as many
// threads as the machine has cores; documents and locations come out as from one parse.
std::vector<yaml::Node> load_all_fast(std::string_view text, const std::string& file,
                                      size_t parallel_from = 4 << 20);

}  // namespace tollgate::posture
