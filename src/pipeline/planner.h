#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/model.h"
#include "pipeline/repo.h"
#include "pipeline/variables.h"

namespace tollgate::pipeline {

// What the plan is made from, besides the pipeline.
struct PlanContext {
  VariableSet variables;  // predefined + global: what rules:if reads, below the job's own
  Variables overrides;    // --var: above the job's own variables
  ChangeSet changes;
  std::vector<std::string> project_files;  // for rules:exists
  std::string ref;                         // branch or tag name
  bool ref_is_tag = false;
  std::vector<std::string> requested;  // JOB... on the command line; empty: the whole pipeline
  // The change set against another revision, for `changes: compare_to`.
  std::function<ChangeSet(const std::string& ref)> changes_against;
  Variables global;  // the pipeline's own variables, which inherit:variables filters
};

struct PlannedJob {
  const Job* job = nullptr;
  When when = When::OnSuccess;
  AllowFailure allow_failure;
  Variables rule_variables;
  std::string decided_by;   // "rule 2: if $CI_COMMIT_BRANCH == "main"", "only:changes cart/x"
  bool run_manual = false;  // a manual job named on the command line: it runs
  // Jobs this one waits for (indices into Plan::jobs). For a job without `needs` these are not
  // listed one by one: it waits for every job of the earlier stages (Plan::stage_of).
  std::vector<size_t> needs;
  bool has_needs = false;
  std::optional<std::vector<Need>> rule_needs;  // rules:needs of the matching rule
  int stage = 0;                                // index into Pipeline::stages
};

struct ExcludedJob {
  std::string name;
  std::string stage;
  std::string why;
};

struct Plan {
  std::vector<PlannedJob> jobs;  // in stage order, then file order
  std::vector<ExcludedJob> excluded;
  bool workflow_excluded = false;
  std::string workflow_why;
  Variables workflow_variables;  // from the workflow rule that matched: pipeline-wide
  // workflow:auto_cancel:on_job_failure: all (or the matching workflow rule's): the first job
  // that fails without allow_failure cancels every other job of the run.
  bool cancel_on_job_failure = false;
  size_t find(const std::string& name) const;  // index or npos
  // What job i waits for: its needs, or without `needs` every job of the earlier stages. The
  // one statement of GitLab's rule: the plan table, the requested-jobs closure and the hand-over
  // of artifacts read it (the scheduler applies it stage by stage, in linear time).
  std::vector<size_t> waits_for(size_t i) const;
};

// Decides which jobs the pipeline creates (workflow:rules, rules, only/except, changes,
// exists), how each runs (when, allow_failure, variables) and what each waits for. With
// requested jobs, keeps only those and what they transitively wait for; a manual job named
// there runs. Throws ErrorList for needs that cannot be met (a needed job that rules left out,
// a need on a later stage, a cycle).
Plan make_plan(const Pipeline& p, const PlanContext& ctx);

// The global variables a job inherits (inherit:variables), below its own.
Variables inherited_globals(const Job& job, const Variables& global);

// Whether a rule's `if`, `changes` and `exists` all hold: nullopt when one does not, else the
// clauses that held ("if $X == "y", changes cart/a.go"; empty for a rule with none).
std::optional<std::string> rule_holds(const Rule& rule, const PlanContext& ctx,
                                      const VariableSet& vars);

// Whether a changed file matches any pattern (patterns may use $VARIABLES).
bool matches_changes(const std::vector<std::string>& patterns, const ChangeSet& changes,
                     const VariableSet& vars, std::string* matched_file);

}  // namespace tollgate::pipeline
