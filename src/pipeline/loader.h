#pragma once

#include <string>
#include <utility>
#include <vector>

#include "pipeline/include_fetch.h"
#include "pipeline/inputs.h"
#include "pipeline/model.h"
#include "pipeline/planner.h"
#include "util/yaml.h"

namespace tollgate::pipeline {

// Reads a .gitlab-ci.yml (resolving includes, extends, !reference and default) into a Pipeline.
// A file that starts with a `spec: inputs` document takes its inputs from LoadOptions::inputs
// (else their defaults) and its content from the document after `---`.
// Every problem is reported at once as an ErrorList of file:line:col messages that say how to
// fix them: unknown keywords (with a suggestion), wrong types, the YAML traps (`- echo "a: b"`
// read as a mapping, `- false` read as a boolean), needs on missing jobs.
// Includes that cannot be had are left out (Pipeline::warnings says which and why), and only
// the jobs that need what they define are marked unable to run (Job::unrunnable).
struct LoadOptions {
  InputValues inputs;  // --input NAME=VALUE for the main file's spec:inputs
  // The variables, changes and files that include:rules and include entries read (see
  // IncludeContext); null: every include is taken as written.
  const PlanContext* context = nullptr;
  IncludeFetcher* fetcher = nullptr;  // remote, template, project, component; null: left out
};
Pipeline load_pipeline(const std::string& file, const LoadOptions& options = {});
// The same from text already in memory (file is only used in messages); project_dir resolves
// include:local.
Pipeline load_pipeline_text(const std::string& text, const std::string& file,
                            const std::string& project_dir, const LoadOptions& options = {});

// The pipeline file after include, extends, !reference and default: what GitLab sees before it
// reads jobs (for `tollgate plan --show-config`).
yaml::Node resolve_pipeline_file(const std::string& file, const LoadOptions& options = {});

// Every keyword a job may hold.
const std::vector<std::string>& job_keywords();

}  // namespace tollgate::pipeline
