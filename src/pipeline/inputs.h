#pragma once

#include <string>
#include <utility>
#include <vector>

#include "util/error.h"
#include "util/yaml.h"

namespace tollgate::pipeline {

// `spec: inputs` of an included file, applied to the file's content: every `$[[ inputs.NAME ]]`
// in a key or scalar is replaced by the value the `include:` entry gives (or the input's
// default). A scalar that is exactly one placeholder takes the value's own type (a number, a
// boolean, a list). Inputs are checked against their spec: required ones present, no unknown
// ones, `type` (string, number, boolean, array), `options` and `regex`.
// spec is the header document's `spec` node (may be null: no inputs declared); given is the
// include entry's `inputs` (may be null). `$[[ matrix.NAME ]]` is left for parallel:matrix.
yaml::Node apply_inputs(const yaml::Node* spec, const yaml::Node* given, const yaml::Node& content,
                        std::vector<Error>& errors);

// The `inputs` mapping apply_inputs takes, from --input NAME=VALUE: each value is read as the
// type its spec declares (a number, a boolean, a [list]; text as it is for a string). Values are
// located at the input's declaration, so a wrong type is reported at the input's line.
yaml::Node command_line_inputs(const yaml::Node& spec,
                               const std::vector<std::pair<std::string, std::string>>& given,
                               std::vector<Error>& errors);

}  // namespace tollgate::pipeline
