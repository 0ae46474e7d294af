#include "pipeline/planner.h"

#include <algorithm>
#include <map>

#include "pipeline/expression.h"
#include "pipeline/glob.h"
#include "util/strings.h"

namespace tollgate::pipeline {
namespace {

struct Decision {
  bool created = true;
  std::string why;
  When when = When::OnSuccess;
  std::optional<bool> allow_failure;
  Variables variables;
  std::optional<std::vector<Need>> needs;
  std::optional<AutoCancel> auto_cancel;  // a workflow rule's
};

bool any_exists(const std::vector<std::string>& patterns, const PlanContext& ctx,
                const VariableSet& vars) {
  for (const auto& raw : patterns) {
    std::string pattern = expand_variables(raw, vars.lookup());
    for (const auto& f : ctx.project_files)
      if (glob_match(pattern, f)) return true;
  }
  return false;
}

VariableSet job_variables(const Pipeline&, const Job& job, const PlanContext& ctx,
                          const Variables& workflow) {
  VariableSet vars = ctx.variables;
  vars.set_all(inherited_globals(job, ctx.global));
  vars.set_all(workflow);
  vars.set_all(job.variables);
  vars.set_all(ctx.overrides);
  vars.set("CI_JOB_NAME", job.name);
  vars.set("CI_JOB_STAGE", job.stage);
  return vars;
}

Decision decide_rules(const Job& job, const std::vector<Rule>& rules, const PlanContext& ctx,
                      const VariableSet& vars) {
  for (size_t i = 0; i < rules.size(); ++i) {
    const Rule& r = rules[i];
    std::optional<std::string> clauses = rule_holds(r, ctx, vars);
    if (!clauses) continue;
    Decision d;
    d.when = r.when.value_or(job.when == When::Never ? When::OnSuccess : job.when);
    d.allow_failure = r.allow_failure;
    d.variables = r.variables;
    d.needs = r.needs;
    d.auto_cancel = r.auto_cancel;
    d.why = "rule " + std::to_string(i + 1) + (clauses->empty() ? "" : ": " + *clauses);
    if (d.when == When::Never) {
      d.created = false;
      d.why += " (when: never)";
    }
    return d;
  }
  Decision d;
  d.created = false;
  d.why = rules.empty() ? "rules is empty" : "no rule matched";
  return d;
}

bool ref_matches(const std::string& pattern, const PlanContext& ctx, const VariableSet&) {
  if (pattern == "branches") return !ctx.ref_is_tag;
  if (pattern == "tags") return ctx.ref_is_tag;
  if (pattern == "pushes") return true;
  if (pattern == "merge_requests" || pattern == "schedules" || pattern == "web" ||
      pattern == "api" || pattern == "triggers" || pattern == "pipelines" ||
      pattern == "external" || pattern == "external_pull_requests" || pattern == "chat")
    return false;
  if (pattern.size() >= 2 && pattern.front() == '/') {
    std::string expr = "$REF =~ " + pattern;
    return evaluate_expression(
        expr, [&](std::string_view) -> std::optional<std::string> { return ctx.ref; });
  }
  return pattern == ctx.ref;
}

// only/except: each key present must have one condition that holds.
bool filter_holds(const RefFilter& f, const PlanContext& ctx, const VariableSet& vars,
                  std::string* why) {
  std::vector<std::string> parts;
  std::vector<std::string> refs = f.refs;
  if (!refs.empty()) {
    auto it = std::find_if(refs.begin(), refs.end(),
                           [&](const std::string& r) { return ref_matches(r, ctx, vars); });
    if (it == refs.end()) return false;
    parts.push_back("refs " + *it);
  }
  if (!f.variables.empty()) {
    auto it = std::find_if(f.variables.begin(), f.variables.end(), [&](const std::string& e) {
      return evaluate_expression(e, vars.lookup(), f.where);
    });
    if (it == f.variables.end()) return false;
    parts.push_back("variables " + *it);
  }
  if (f.changes) {
    std::string file;
    if (!matches_changes(*f.changes, ctx.changes, vars, &file)) return false;
    parts.push_back(file.empty() ? "changes (no change list)" : "changes " + file);
  }
  *why = str::join(parts, ", ");
  return true;
}

Decision decide(const Job& job, const PlanContext& ctx, const VariableSet& vars) {
  if (job.rules) return decide_rules(job, *job.rules, ctx, vars);
  Decision d;
  d.when = job.when;
  std::string why;
  if (job.only.present) {
    RefFilter only = job.only;
    if (only.refs.empty() && only.variables.empty() && !only.changes)
      only.refs = {"branches", "tags"};
    if (!filter_holds(only, ctx, vars, &why)) {
      d.created = false;
      d.why = "only: did not match";
      if (only.changes && !ctx.changes.files.empty())
        d.why = "only:changes: no changed file matches";
      else if (only.changes)
        d.why = "only:changes: nothing changed";
      return d;
    }
    d.why = "only: " + why;
  }
  if (job.except.present && filter_holds(job.except, ctx, vars, &why)) {
    d.created = false;
    d.why = "except: " + why;
    return d;
  }
  if (d.why.empty()) d.why = "always (no rules)";
  return d;
}

// The jobs a name in `needs` or on the command line means: the job of that name or, for a job
// split by `parallel`, every copy. Built once per plan: lookups stay cheap on big pipelines.
class NameIndex {
 public:
  explicit NameIndex(const std::vector<PlannedJob>& jobs) {
    for (size_t i = 0; i < jobs.size(); ++i) {
      by_name_[jobs[i].job->name].push_back(i);
      by_base_[jobs[i].job->base_name].push_back(i);
    }
  }
  std::vector<size_t> find(const std::string& name) const {
    if (auto it = by_name_.find(name); it != by_name_.end()) return it->second;
    if (auto it = by_base_.find(name); it != by_base_.end()) return it->second;
    return {};
  }

 private:
  std::map<std::string, std::vector<size_t>> by_name_, by_base_;
};

void check_cycles(const Plan& plan, std::vector<Error>& errors) {
  std::vector<int> state(plan.jobs.size(), 0);  // 0 new, 1 on stack, 2 done
  std::vector<std::string> path;
  std::function<bool(size_t)> visit = [&](size_t i) {
    if (state[i] == 2) return false;
    if (state[i] == 1) {
      path.push_back(plan.jobs[i].job->name);
      return true;
    }
    state[i] = 1;
    path.push_back(plan.jobs[i].job->name);
    for (size_t n : plan.jobs[i].needs)
      if (visit(n)) return true;
    path.pop_back();
    state[i] = 2;
    return false;
  };
  for (size_t i = 0; i < plan.jobs.size(); ++i) {
    path.clear();
    if (visit(i)) {
      errors.emplace_back(plan.jobs[i].job->where,
                          "needs form a cycle: " + str::join(path, " -> "));
      return;
    }
  }
}

}  // namespace

std::optional<std::string> rule_holds(const Rule& r, const PlanContext& ctx,
                                      const VariableSet& vars) {
  std::vector<std::string> clauses;
  if (!r.if_expr.empty()) {
    if (!evaluate_expression(r.if_expr, vars.lookup(), r.if_where)) return std::nullopt;
    clauses.push_back("if " + r.if_expr);
  }
  if (r.changes) {
    std::string file;
    ChangeSet against;
    if (!r.compare_to.empty()) {
      if (!ctx.changes_against) throw Error(r.where, "changes:compare_to needs a git repository");
      against = ctx.changes_against(expand_variables(r.compare_to, vars.lookup()));
    }
    if (!matches_changes(*r.changes, r.compare_to.empty() ? ctx.changes : against, vars, &file))
      return std::nullopt;
    clauses.push_back(file.empty() ? "changes (no change list)" : "changes " + file);
  }
  if (r.exists) {
    if (!any_exists(*r.exists, ctx, vars)) return std::nullopt;
    clauses.push_back("exists");
  }
  return str::join(clauses, ", ");
}

Variables inherited_globals(const Job& job, const Variables& global) {
  if (!job.inherit_variables) return global;
  Variables out;
  for (const auto& v : global)
    if (std::find(job.inherit_variables->begin(), job.inherit_variables->end(), v.name) !=
        job.inherit_variables->end())
      out.push_back(v);
  return out;
}

bool matches_changes(const std::vector<std::string>& patterns, const ChangeSet& changes,
                     const VariableSet& vars, std::string* matched_file) {
  if (!changes.known) return true;
  for (const auto& raw : patterns) {
    std::string pattern = expand_variables(raw, vars.lookup());
    for (const auto& f : changes.files) {
      if (glob_match(pattern, f)) {
        if (matched_file) *matched_file = f;
        return true;
      }
    }
  }
  return false;
}

std::vector<size_t> Plan::waits_for(size_t i) const {
  if (jobs[i].has_needs) return jobs[i].needs;
  std::vector<size_t> out;
  for (size_t k = 0; k < jobs.size(); ++k)
    if (jobs[k].stage < jobs[i].stage) out.push_back(k);
  return out;
}

size_t Plan::find(const std::string& name) const {
  for (size_t i = 0; i < jobs.size(); ++i)
    if (jobs[i].job->name == name) return i;
  return std::string::npos;
}

namespace {

// workflow:rules: whether a pipeline is created at all, and its pipeline-wide variables. False:
// no pipeline (plan says why).
bool apply_workflow(const Pipeline& p, const PlanContext& ctx, Plan& plan) {
  if (p.auto_cancel) plan.cancel_on_job_failure = p.auto_cancel->on_job_failure == "all";
  if (!p.workflow_rules) return true;
  Job pseudo;
  pseudo.name = "workflow";
  VariableSet vars = ctx.variables;
  vars.set_all(ctx.global);
  vars.set_all(ctx.overrides);
  Decision d = decide_rules(pseudo, *p.workflow_rules, ctx, vars);
  plan.workflow_why = "workflow:rules: " + d.why;
  if (!d.created) {
    plan.workflow_excluded = true;
    return false;
  }
  plan.workflow_variables = d.variables;
  // The matching rule's auto_cancel overrides workflow:auto_cancel, setting by setting.
  if (d.auto_cancel && !d.auto_cancel->on_job_failure.empty())
    plan.cancel_on_job_failure = d.auto_cancel->on_job_failure == "all";
  return true;
}

// The jobs in stage order, then file order, so the plan reads like the pipeline graph. A job
// whose stage is unknown can only be one that cannot run (its stages were in an include left
// out): it goes last, where it holds nothing back.
std::vector<std::pair<int, const Job*>> in_stage_order(const Pipeline& p) {
  std::map<std::string, int> stage_of;
  for (size_t s = 0; s < p.stages.size(); ++s)
    stage_of.emplace(p.stages[s], static_cast<int>(s));
  const int last_stage = static_cast<int>(p.stages.size()) - 1;
  std::vector<std::pair<int, const Job*>> ordered;
  ordered.reserve(p.jobs.size());
  for (const auto& j : p.jobs) {
    auto it = stage_of.find(j.stage);
    ordered.emplace_back(it == stage_of.end() ? last_stage : it->second, &j);
  }
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  return ordered;
}

// Which jobs the pipeline creates (rules, only/except, when) and how each runs.
void decide_jobs(const Pipeline& p, const PlanContext& ctx, Plan& plan,
                 std::vector<Error>& errors) {
  for (const auto& [stage, j] : in_stage_order(p)) {
    VariableSet vars = job_variables(p, *j, ctx, plan.workflow_variables);
    Decision d;
    try {
      d = decide(*j, ctx, vars);
    } catch (const Error& e) {
      errors.push_back(e);
      continue;
    }
    if (!d.created) {
      plan.excluded.push_back({j->name, j->stage, d.why});
      continue;
    }
    PlannedJob pj;
    pj.job = j;
    pj.when = d.when;
    pj.decided_by = d.why;
    pj.rule_variables = d.variables;
    pj.rule_needs = d.needs;
    pj.stage = stage;
    pj.allow_failure = j->allow_failure.value_or(AllowFailure{d.when == When::Manual && !j->rules});
    if (d.allow_failure) pj.allow_failure = AllowFailure{*d.allow_failure};
    plan.jobs.push_back(std::move(pj));
  }
}

// Needs, now that the set of created jobs is known. A name is a job's own name or, for
// parallel copies, the name they share.
void link_needs(Plan& plan, const NameIndex& index, std::vector<Error>& errors) {
  for (auto& pj : plan.jobs) {
    const auto& job_needs = pj.rule_needs ? pj.rule_needs : pj.job->needs;
    if (!job_needs) continue;
    pj.has_needs = true;
    for (const auto& need : *job_needs) {
      std::vector<size_t> targets = index.find(need.job);
      if (targets.empty()) {
        // A job that cannot run may need what an include left out defines (the loader said so).
        if (!need.optional && pj.job->unrunnable.empty())
          errors.emplace_back(need.where, "job '" + pj.job->name + "' needs '" + need.job +
                                              "', but rules or only/except left '" + need.job +
                                              "' out of this pipeline (add optional: true if "
                                              "that is expected)");
        continue;
      }
      for (size_t t : targets) {
        if (plan.jobs[t].stage > pj.stage)
          errors.emplace_back(need.where, "job '" + pj.job->name + "' (stage " + pj.job->stage +
                                              ") needs '" + plan.jobs[t].job->name +
                                              "', which is in the later stage " +
                                              plan.jobs[t].job->stage);
        pj.needs.push_back(t);
      }
    }
  }
}

// The jobs named on the command line: each must be in the pipeline.
std::vector<size_t> requested_jobs(const Pipeline& p, const PlanContext& ctx, Plan& plan,
                                   const NameIndex& index) {
  std::vector<size_t> out;
  for (const auto& name : ctx.requested) {
    std::vector<size_t> found = index.find(name);
    if (found.empty()) {
      bool excluded = std::any_of(plan.excluded.begin(), plan.excluded.end(),
                                  [&](const ExcludedJob& e) { return e.name == name; });
      std::vector<std::string> names;
      for (const auto& j : p.jobs)
        names.push_back(j.name);
      std::string hint = str::closest(name, names);
      throw UsageError(excluded
                           ? "job '" + name + "' is not in this pipeline: its rules left it out"
                           : "no job named '" + name + "'" +
                                 (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
    for (size_t f : found) {
      plan.jobs[f].run_manual = true;  // a manual job named there runs
      out.push_back(f);
    }
  }
  return out;
}

// Keeps only the requested jobs and what they transitively wait for, re-indexed.
void keep_requested(Plan& plan, std::vector<size_t> stack) {
  std::vector<bool> keep(plan.jobs.size(), false);
  while (!stack.empty()) {
    size_t i = stack.back();
    stack.pop_back();
    if (keep[i]) continue;
    keep[i] = true;
    for (size_t n : plan.waits_for(i))
      stack.push_back(n);
  }
  std::vector<size_t> new_index(plan.jobs.size(), std::string::npos);
  std::vector<PlannedJob> kept;
  for (size_t i = 0; i < plan.jobs.size(); ++i) {
    if (!keep[i]) continue;
    new_index[i] = kept.size();
    kept.push_back(plan.jobs[i]);
  }
  for (auto& pj : kept) {
    std::vector<size_t> needs;
    for (size_t n : pj.needs)
      if (new_index[n] != std::string::npos) needs.push_back(new_index[n]);
    pj.needs = std::move(needs);
  }
  plan.jobs = std::move(kept);
}

}  // namespace

Plan make_plan(const Pipeline& p, const PlanContext& ctx) {
  Plan plan;
  plan.jobs.reserve(p.jobs.size());
  if (!apply_workflow(p, ctx, plan)) return plan;
  std::vector<Error> errors;
  decide_jobs(p, ctx, plan, errors);
  NameIndex index(plan.jobs);
  link_needs(plan, index, errors);
  check_cycles(plan, errors);
  if (!errors.empty()) throw ErrorList(std::move(errors));
  if (!ctx.requested.empty()) keep_requested(plan, requested_jobs(p, ctx, plan, index));
  return plan;
}

}  // namespace tollgate::pipeline
