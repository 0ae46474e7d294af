#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/error.h"

namespace tollgate::pipeline {

// A variable as written in the file or given on the command line.
struct Variable {
  std::string name;
  std::string value;
  bool expand = true;  // false: `expand: false`, the value is taken literally
  bool masked = false;
  SourceLocation where;
  // A file-type variable (GitLab's variable_type: file): a job gets the path of a file that
  // holds the value, not the value.
  bool file = false;
};
using Variables = std::vector<Variable>;

enum class When { OnSuccess, OnFailure, Always, Manual, Never, Delayed };
std::string_view to_string(When w);

struct Need {
  std::string job;
  bool optional = false;
  bool artifacts = true;
  SourceLocation where;
};

// workflow:auto_cancel, or a workflow rule's. A local run has no newer commit to cancel for, so
// on_new_commit is read and checked only; on_job_failure is acted on (Plan::cancel_on_job_failure).
struct AutoCancel {
  std::string on_new_commit;   // conservative, interruptible, none; empty: not given
  std::string on_job_failure;  // none, all; empty: not given
};

// One entry of `rules:`. The first rule that matches decides whether and how the job runs.
struct Rule {
  std::string if_expr;  // empty: no `if`
  SourceLocation if_where;
  std::optional<std::vector<std::string>> changes;  // glob patterns
  std::string compare_to;
  std::optional<std::vector<std::string>> exists;
  std::optional<When> when;
  std::optional<bool> allow_failure;
  Variables variables;
  std::optional<std::vector<Need>> needs;  // replaces the job's needs when this rule matches
  std::optional<AutoCancel> auto_cancel;   // workflow rules only
  SourceLocation where;
};

// `only:` or `except:` (deprecated, but the reference shop pipeline uses `only: changes`).
struct RefFilter {
  bool present = false;
  std::vector<std::string> refs;       // branch names, /regex/, or keywords (branches, tags...)
  std::vector<std::string> variables;  // expressions, any one true matches
  std::optional<std::vector<std::string>> changes;
  SourceLocation where;
};

struct Environment {
  std::string name;
  std::string url;
  std::string action = "start";  // start, prepare, stop, verify, access
  std::string tier;
};

struct Artifacts {
  std::vector<std::string> paths;
  std::vector<std::string> exclude;
  std::string when = "on_success";  // on_success, on_failure, always
  bool untracked = false;
  std::string name;
  std::vector<std::string> dotenv;                          // reports:dotenv files
  std::map<std::string, std::vector<std::string>> reports;  // other report types -> paths
};

// One `cache:` entry, kept under .tollgate/cache/<key>/ between runs.
struct Cache {
  std::string key = "default";         // may use $VARIABLES
  std::vector<std::string> key_files;  // key:files: the key is a hash of these files
  std::string key_prefix;
  std::vector<std::string> paths;
  std::string policy = "pull-push";  // pull, push, pull-push
  std::string when = "on_success";   // on_success, on_failure, always
  bool untracked = false;
};

// `image:`, or the image of one `services:` entry, as written: variables are expanded when the
// job runs, since they may come from an earlier job's dotenv report.
struct Image {
  std::string name;
  // Unset: the image's own entrypoint. Set: replaces it; [""] clears it (the script runs with
  // no entrypoint at all).
  std::optional<std::vector<std::string>> entrypoint;
  // always, if-not-present, never; a list means "try each in turn". Empty: the executor's
  // default (if-not-present: a local run uses what is already there).
  std::vector<std::string> pull_policy;
  std::string user;      // docker:user
  std::string platform;  // docker:platform
  SourceLocation where;
};

// One `services:` entry: a container beside the job's, reachable by its aliases.
struct Service {
  Image image;
  std::vector<std::string> aliases;                 // alias: (a comma-separated list too)
  std::optional<std::vector<std::string>> command;  // replaces the image's CMD
  Variables variables;                              // over the job's own for this service
};

// `trigger:` with `include:`: a child pipeline made of those files, run in the trigger job's
// workspace (where the artifact a generated configuration comes from is).
struct ChildPipeline {
  std::string include_yaml;  // the `include:` entries, `artifact:` ones as the local file
  bool depend = false;       // strategy: depend or mirror: the trigger job takes its status
  bool forward_yaml_variables = true;       // forward:yaml_variables (the job's variables)
  bool forward_pipeline_variables = false;  // forward:pipeline_variables (--var)
};

struct AllowFailure {
  bool allowed = false;
  std::vector<int> exit_codes;  // non-empty: only these exit codes are allowed
};

struct Job {
  std::string name;
  std::string base_name;  // the name in the file; differs from name for parallel copies
  std::string stage = "test";
  SourceLocation where;  // the job's key in the file

  std::vector<std::string> before_script;
  std::vector<std::string> script;
  std::vector<std::string> after_script;
  Variables variables;

  When when = When::OnSuccess;
  std::optional<AllowFailure> allow_failure;  // unset: the default (true for manual jobs)
  std::optional<std::vector<Need>> needs;     // unset: stage order; empty: start at once
  std::optional<std::vector<std::string>> dependencies;
  SourceLocation dependencies_where;
  std::optional<std::vector<Rule>> rules;
  RefFilter only;
  RefFilter except;
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<Environment> environment;
  std::optional<Artifacts> artifacts;
  int retry_max = 0;
  std::vector<std::string> retry_when;  // failure kinds; empty means always
  std::vector<int> retry_exit_codes;

  std::vector<Cache> cache;
  // inherit:variables: unset inherits every global variable; a list only those named.
  std::optional<std::vector<std::string>> inherit_variables;

  std::vector<std::string> tags;
  std::optional<Image> image;
  std::vector<Service> services;
  std::string coverage;  // as written: /regex/, checked to compile with RE2
  std::string resource_group;
  std::optional<ChildPipeline> child;  // a trigger of a child pipeline

  // Why the job cannot run on this machine: it extends, references or needs what an include
  // that could not be had may define; it needs a job of another project or pipeline; it
  // triggers another project's pipeline. Empty: it can run. Such a job is planned and shown,
  // never run: it counts as failed (fail closed: what did not run verified nothing; allow_failure
  // makes it a warning), except when its outcome would not count on GitLab either
  // (`outcome_counts` false: a trigger GitLab does not wait for), when it is skipped.
  std::string unrunnable;
  bool unrunnable_outcome_counts = true;
};

struct Pipeline {
  std::string file;                 // the pipeline file as given
  std::string project_dir;          // absolute
  std::vector<std::string> stages;  // with .pre first and .post last
  Variables variables;
  std::vector<Job> jobs;  // in file order, hidden jobs removed
  std::optional<std::vector<Rule>> workflow_rules;
  // What the user should hear once: includes left out and why, a cached copy used.
  std::vector<std::string> warnings;
  std::optional<AutoCancel> auto_cancel;  // workflow:auto_cancel

  const Job* find(const std::string& name) const;
};

}  // namespace tollgate::pipeline
