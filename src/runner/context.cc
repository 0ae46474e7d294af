#include "runner/context.h"

#include <unistd.h>

#include <filesystem>

#include "util/error.h"
#include "util/process.h"
#include "util/strings.h"
#include "util/timefmt.h"
#include "util/yaml.h"

namespace tollgate::runner {

using pipeline::Variable;
using pipeline::Variables;

std::string slug(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    char l = static_cast<char>(std::tolower(c));
    out += (std::isalnum(static_cast<unsigned char>(l)) && c < 0x80) ? l : '-';
  }
  if (out.size() > 63) out.resize(63);
  while (!out.empty() && out.front() == '-')
    out.erase(0, 1);
  while (!out.empty() && out.back() == '-')
    out.pop_back();
  return out;
}

Variables predefined_variables(const Context& ctx, long long pipeline_id) {
  const auto& r = ctx.repo;
  std::string project = std::filesystem::path(ctx.project_dir).filename().string();
  std::string ref = r.tag.empty() ? (r.branch.empty() ? r.short_sha : r.branch) : r.tag;
  const char* user = getenv("USER");
  Variables v = {
      {"CI", "true"},
      // GITLAB_CI is "true" as on GitLab so pipelines behave the same; TOLLGATE tells a local
      // run apart.
      {"GITLAB_CI", "true"},
      {"TOLLGATE", "true"},
      {"CI_SERVER", "yes"},
      {"CI_SERVER_NAME", "tollgate"},
      {"CI_PIPELINE_ID", std::to_string(pipeline_id)},
      {"CI_PIPELINE_IID", std::to_string(pipeline_id)},
      {"CI_PIPELINE_SOURCE", "push"},
      {"CI_PIPELINE_CREATED_AT", timefmt::iso8601(timefmt::Clock::now())},
      {"CI_PROJECT_NAME", project},
      {"CI_PROJECT_TITLE", project},
      {"CI_PROJECT_NAMESPACE", "local"},
      {"CI_PROJECT_PATH", "local/" + project},
      {"CI_PROJECT_PATH_SLUG", slug("local/" + project)},
      {"CI_PROJECT_URL", "file://" + ctx.project_dir},
      {"CI_DEFAULT_BRANCH", r.default_branch.empty() ? "main" : r.default_branch},
      {"CI_COMMIT_SHA", r.sha.empty() ? std::string(40, '0') : r.sha},
      {"CI_COMMIT_SHORT_SHA", r.short_sha.empty() ? std::string(8, '0') : r.short_sha},
      {"CI_COMMIT_BEFORE_SHA", r.before_sha.empty() ? std::string(40, '0') : r.before_sha},
      {"CI_COMMIT_REF_NAME", ref},
      {"CI_COMMIT_REF_SLUG", slug(ref)},
      {"CI_COMMIT_TITLE", r.title},
      {"CI_COMMIT_MESSAGE", r.message},
      {"CI_COMMIT_AUTHOR", r.author},
      {"CI_COMMIT_TIMESTAMP", r.timestamp},
      {"CI_COMMIT_DESCRIPTION", r.message.size() > r.title.size()
                                    ? std::string(str::trim(r.message.substr(r.title.size())))
                                    : ""},
      // The default branch is protected on GitLab unless someone changed it.
      {"CI_COMMIT_REF_PROTECTED", ref == r.default_branch ? "true" : "false"},
      {"CI_PROJECT_ID", "0"},
      {"CI_PROJECT_ROOT_NAMESPACE", "local"},
      {"CI_PIPELINE_URL", "file://" + ctx.state_dir + "/runs/" + std::to_string(pipeline_id)},
      {"CI_RUNNER_DESCRIPTION", "tollgate shell executor"},
      {"CI_RUNNER_TAGS", "[]"},
      {"GITLAB_USER_LOGIN", user ? user : "local"},
      {"GITLAB_USER_NAME", user ? user : "local"},
  };
  if (!r.branch.empty()) v.push_back({"CI_COMMIT_BRANCH", r.branch});
  if (!r.tag.empty()) v.push_back({"CI_COMMIT_TAG", r.tag});
  for (auto& var : v)
    var.expand = false;
  return v;
}

void set_pipeline_variables(pipeline::VariableSet& vars, const Context& ctx,
                            const pipeline::Plan& plan, const pipeline::PlannedJob& pj,
                            const std::vector<std::pair<std::string, std::string>>& received) {
  vars.set_all(pipeline::inherited_globals(*pj.job, ctx.pipeline.variables));
  vars.set_all(plan.workflow_variables);
  vars.set_all(pj.job->variables);
  vars.set_all(pj.rule_variables);
  for (const auto& [name, value] : received)
    vars.set(name, value);
  vars.set_all(ctx.project_variables);
  vars.set_all(ctx.plan_context.overrides);
}

Variables job_variables(const Context& ctx, const pipeline::Job& job, long long job_id,
                        const std::string& build_dir) {
  Variables v = {
      {"CI_JOB_NAME", job.name},
      {"CI_JOB_NAME_SLUG", slug(job.name)},
      {"CI_JOB_STAGE", job.stage},
      {"CI_JOB_ID", std::to_string(job_id)},
      {"CI_JOB_STARTED_AT", timefmt::iso8601(timefmt::Clock::now())},
      {"CI_PROJECT_DIR", build_dir},
      {"CI_BUILDS_DIR", std::filesystem::path(build_dir).parent_path().string()},
      {"TOLLGATE_SOURCE_DIR", ctx.project_dir},
  };
  if (job.image) v.push_back({"CI_JOB_IMAGE", job.image->name});
  for (auto& var : v)
    var.expand = false;
  return v;
}

Variables read_project_variables(const std::string& path) {
  Variables out;
  if (!std::filesystem::exists(path)) return out;
  yaml::Node root = yaml::load_file(path);
  if (root.is_null()) return out;
  if (!root.is_mapping()) throw Error(root.where, "a variables file holds NAME: value entries");
  for (const auto& e : root.entries) {
    Variable v{e.key.scalar, "", false, false, e.key.where};
    if (e.value.is_mapping()) {
      for (const auto& f : e.value.entries) {
        if (f.key.scalar == "value")
          v.value = f.value.scalar;
        else if (f.key.scalar == "masked")
          v.masked = f.value.is_bool() && f.value.as_bool();
        else if (f.key.scalar == "expand")
          v.expand = f.value.is_bool() && f.value.as_bool();
        else if (f.key.scalar == "variable_type") {
          if (f.value.scalar != "file" && f.value.scalar != "env_var")
            throw Error(f.value.where, "variable_type is env_var or file");
          v.file = f.value.scalar == "file";
        } else if (f.key.scalar != "description")
          throw Error(f.key.where, "unknown key '" + f.key.scalar +
                                       "' (value, masked, expand, variable_type, description)");
      }
    } else if (e.value.is_scalar() || e.value.is_null()) {
      v.value = e.value.scalar;
    } else {
      throw Error(e.value.where, "variable " + v.name + " must be a string or {value, masked}");
    }
    if (v.masked)
      if (std::string why = pipeline::unmaskable_because(v.value, !v.expand); !why.empty())
        throw Error(e.key.where, "variable " + v.name + " cannot be masked: " + why);
    out.push_back(std::move(v));
  }
  return out;
}

Context make_context(const RunOptions& opts, long long pipeline_id) {
  Context ctx;
  ctx.pipeline = pipeline::load_pipeline(opts.file, opts.inputs);
  ctx.project_dir = ctx.pipeline.project_dir;
  ctx.state_dir = (std::filesystem::path(ctx.project_dir) / ".tollgate").string();
  ctx.repo = pipeline::read_repo(ctx.project_dir);
  ctx.changes = pipeline::changed_files(ctx.project_dir, ctx.repo, opts.changes_since);
  ctx.project_files = pipeline::project_files(ctx.project_dir, ctx.repo.is_git);

  auto& pc = ctx.plan_context;
  pc.variables.set_all(predefined_variables(ctx, pipeline_id));
  pc.global = ctx.pipeline.variables;
  ctx.project_variables = read_project_variables(ctx.state_dir + "/variables");
  pc.variables.set_all(ctx.project_variables);
  for (const auto& [k, val] : opts.vars)
    pc.overrides.push_back(Variable{k, val, false});
  for (const auto& [k, val] : opts.masked_vars) {
    if (std::string why = pipeline::unmaskable_because(val, true); !why.empty())
      throw UsageError("--var-masked " + k + " cannot be masked: " + why);
    Variable v{k, val, false};
    v.masked = true;
    pc.overrides.push_back(v);
  }
  pc.changes = ctx.changes;
  pc.project_files = ctx.project_files;
  pc.ref = ctx.repo.tag.empty() ? ctx.repo.branch : ctx.repo.tag;
  pc.ref_is_tag = !ctx.repo.tag.empty();
  pc.requested = opts.jobs;
  std::string dir = ctx.project_dir;
  pipeline::RepoInfo repo = ctx.repo;
  pc.changes_against = [dir, repo](const std::string& ref) {
    return pipeline::changed_files(dir, repo, ref);
  };
  return ctx;
}

}  // namespace tollgate::runner
