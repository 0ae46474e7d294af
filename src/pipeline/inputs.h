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

// --input NAME=VALUE: the main file's spec:inputs, as given on the command line.
using InputValues = std::vector<std::pair<std::string, std::string>>;

// The main pipeline file's content: the document after a `spec:` header, its
// `$[[ inputs.NAME ]]` filled from `inputs` (each read as the type the input declares: a number,
// true/false, a [list], else the text; a wrong one is an error at the input's declaration) or
// the defaults; else the file's one document. `inputs` for a file without a spec is a UsageError.
yaml::Node main_file_content(const std::string& text, const std::string& file,
                             const InputValues& inputs);

}  // namespace tollgate::pipeline
