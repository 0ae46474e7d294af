#pragma once

#include <string>

#include "pipeline/model.h"
#include "util/yaml.h"

namespace tollgate::pipeline {

// Reads a .gitlab-ci.yml (resolving includes, !reference, extends and default) into a Pipeline.
// Every problem is reported at once as an ErrorList of file:line:col messages that say how to
// fix them: unknown keywords (with a suggestion), wrong types, the YAML traps (`- echo "a: b"`
// read as a mapping, `- false` read as a boolean), needs on missing jobs.
Pipeline load_pipeline(const std::string& file);
// The same from text already in memory (file is only used in messages); project_dir resolves
// include:local.
Pipeline load_pipeline_text(const std::string& text, const std::string& file,
                            const std::string& project_dir);

// The pipeline file after include, !reference, extends and default: what GitLab sees before it
// reads jobs (for `tollgate plan --show-config`).
yaml::Node resolve_pipeline_file(const std::string& file);

// Every keyword a job may hold.
const std::vector<std::string>& job_keywords();

}  // namespace tollgate::pipeline
