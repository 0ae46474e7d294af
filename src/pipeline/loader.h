#pragma once

#include <string>
#include <utility>
#include <vector>

#include "pipeline/inputs.h"
#include "pipeline/model.h"
#include "util/yaml.h"

namespace tollgate::pipeline {

// Reads a .gitlab-ci.yml (resolving includes, !reference, extends and default) into a Pipeline.
// A file that starts with a `spec: inputs` document takes its inputs from `inputs` (else their
// defaults) and its content from the document after `---`.
// Every problem is reported at once as an ErrorList of file:line:col messages that say how to
// fix them: unknown keywords (with a suggestion), wrong types, the YAML traps (`- echo "a: b"`
// read as a mapping, `- false` read as a boolean), needs on missing jobs.
Pipeline load_pipeline(const std::string& file, const InputValues& inputs = {});
// The same from text already in memory (file is only used in messages); project_dir resolves
// include:local.
Pipeline load_pipeline_text(const std::string& text, const std::string& file,
                            const std::string& project_dir, const InputValues& inputs = {});

// The pipeline file after include, !reference, extends and default: what GitLab sees before it
// reads jobs (for `tollgate plan --show-config`).
yaml::Node resolve_pipeline_file(const std::string& file, const InputValues& inputs = {});

// Every keyword a job may hold.
const std::vector<std::string>& job_keywords();

}  // namespace tollgate::pipeline
