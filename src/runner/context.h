#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/loader.h"
#include "pipeline/planner.h"
#include "pipeline/repo.h"

namespace tollgate::runner {

struct RunOptions {
  std::string file = ".gitlab-ci.yml";
  std::optional<std::string> changes_since;
  int parallelism = 0;                                           // 0: the number of cores
  std::vector<std::pair<std::string, std::string>> vars;         // --var K=V, highest precedence
  std::vector<std::pair<std::string, std::string>> masked_vars;  // --var-masked K=V
  std::vector<std::string> jobs;                                 // JOB... on the command line
  pipeline::InputValues inputs;  // --input NAME=VALUE: the main file's spec:inputs
  bool in_place = false;
  bool keep_workspaces = false;
  std::string executor;  // --executor as given; empty: $TOLLGATE_EXECUTOR, config, auto
  bool executor_build_socket = false;  // container jobs get the host engine's API socket
  std::string executor_network;  // --executor-network; empty: $TOLLGATE_EXECUTOR_NETWORK, config
  bool offline = false;   // --offline: includes from outside the project come from the cache only
  std::string state_dir;  // --state-dir; empty: .tollgate beside the pipeline file
  // A child pipeline's run: the parent run and trigger job that start it (--parent RUN:JOB).
  int64_t parent_run_id = 0;
  std::string parent_job;
};

// Everything a plan or a run is made from: the pipeline, the repository, the variables that
// rules read, the change set and the project's files.
struct Context {
  pipeline::Pipeline pipeline;
  pipeline::RepoInfo repo;
  pipeline::ChangeSet changes;
  std::vector<std::string> project_files;
  std::string project_dir;  // absolute, the pipeline file's directory
  std::string state_dir;    // project_dir/.tollgate
  std::string server_url;   // the GitLab instance includes come from (CI_SERVER_URL)
  pipeline::PlanContext plan_context;
  // .tollgate/variables: the project's own variables (GitLab's project CI/CD variables), with
  // their masked flags; above dotenv and the file's variables, below the command line.
  pipeline::Variables project_variables;
};

// Reads a project variables file: NAME: value, or NAME: {value: ..., masked: true}.
pipeline::Variables read_project_variables(const std::string& path);

// Reads the repository, loads and validates the pipeline (includes from outside the project
// fetched or taken from the cache; what could not be had is said on stderr, once). pipeline_id is
// CI_PIPELINE_ID (0 for a plan).
Context make_context(const RunOptions& opts, long long pipeline_id);

// Where includes from outside the project come from: CI_SERVER_URL (GitLab's own variable, so
// a pipeline run on GitLab and here name the same instance, else server_url in
// .tollgate/config), a token for private projects (GITLAB_TOKEN, gitlab_token, CI_JOB_TOKEN),
// and the cache that serves them offline ($XDG_CACHE_HOME/tollgate/includes).
pipeline::IncludeSettings include_settings(const RunOptions& opts, const std::string& state_dir);

// The predefined CI_* variables of the pipeline (not those of one job).
pipeline::Variables predefined_variables(const Context& ctx, long long pipeline_id);
// The CI_* variables particular to one job.
pipeline::Variables job_variables(const Context& ctx, const pipeline::Job& job, long long job_id,
                                  const std::string& build_dir);
// Sets the variables the pipeline gives one job, in GitLab's precedence, lowest first: the
// globals it inherits, workflow rules', its own, its rules', then `received` (the dotenv
// reports of the jobs it takes artifacts from; none in a plan), the project's and --var.
void set_pipeline_variables(pipeline::VariableSet& vars, const Context& ctx,
                            const pipeline::Plan& plan, const pipeline::PlannedJob& pj,
                            const std::vector<std::pair<std::string, std::string>>& received);
// GitLab's slug: lower case, anything but a-z0-9 as '-', at most 63 characters, no '-' at the ends.
std::string slug(std::string_view s);
// GitLab's CI_ENVIRONMENT_SLUG (Gitlab::Slug::Environment): lower case, a-z0-9 and single '-',
// starting with a letter ("env-" put before), at most 24 characters; a name that had to be
// changed or shortened gets the last 6 base-36 digits of its SHA-256 as a suffix, so that two
// names that slug alike stay apart. name_sha256_hex: the digest to use (tests); empty: computed.
std::string environment_slug(std::string_view name, std::string_view name_sha256_hex = "");

}  // namespace tollgate::runner
