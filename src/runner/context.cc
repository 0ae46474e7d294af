#include "runner/context.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "runner/settings.h"
#include "util/error.h"
#include "util/hash.h"
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

// CI_SERVER_URL and what GitLab derives from it: a component is named
// $CI_SERVER_FQDN/group/project/name@version.
Variables server_variables(const std::string& url) {
  size_t scheme_end = url.find("://");
  std::string protocol = scheme_end == std::string::npos ? "https" : url.substr(0, scheme_end);
  std::string fqdn = pipeline::url_host(url);
  size_t colon = fqdn.rfind(':');
  std::string host = colon == std::string::npos ? fqdn : fqdn.substr(0, colon);
  std::string port =
      colon == std::string::npos ? (protocol == "http" ? "80" : "443") : fqdn.substr(colon + 1);
  return {{"CI_SERVER_URL", url},           {"CI_SERVER_FQDN", fqdn},
          {"CI_SERVER_HOST", host},         {"CI_SERVER_PORT", port},
          {"CI_SERVER_PROTOCOL", protocol}, {"CI_API_V4_URL", url + "/api/v4"}};
}

namespace {

// The last 6 base-36 digits of a hex number (SHA-256 hex is 64 digits; only the remainder
// matters, unless the number itself has fewer than 6 base-36 digits).
std::string last_base36_digits(std::string_view hex) {
  constexpr uint64_t kSixDigits = 36ull * 36 * 36 * 36 * 36 * 36;
  uint64_t rest = 0;
  bool long_number = false;
  for (char c : hex) {
    uint64_t digit =
        static_cast<uint64_t>(std::isdigit(static_cast<unsigned char>(c))
                                  ? c - '0'
                                  : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10);
    rest = rest * 16 + digit;
    if (rest >= kSixDigits) long_number = true;
    rest %= kSixDigits;
  }
  std::string out;
  for (int i = 0; i < 6 && (long_number || rest > 0 || out.empty()); ++i, rest /= 36)
    out.insert(out.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[rest % 36]);
  return out;
}

}  // namespace

std::string environment_slug(std::string_view name, std::string_view name_sha256_hex) {
  std::string out;
  for (unsigned char c : name) {
    char l = static_cast<char>(std::tolower(c));
    bool keep = c < 0x80 && std::isalnum(static_cast<unsigned char>(l));
    if (keep || out.empty() || out.back() != '-') out += keep ? l : '-';  // dashes squeezed
  }
  if (out.empty() || out.front() < 'a' || out.front() > 'z')
    out = (out.starts_with('-') ? "env" : "env-") + out;
  if (out.size() <= 24 && out == name) {
    if (out.ends_with('-')) out.pop_back();  // a label may not end with one
    return out;
  }
  // Shortened or changed: the suffix keeps two names that slug alike apart.
  out.resize(std::min<size_t>(out.size(), 17));
  if (!out.ends_with('-')) out += '-';
  std::string digest =
      name_sha256_hex.empty() ? hash::sha256_hex(name) : std::string(name_sha256_hex);
  return out + last_base36_digits(digest);
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
      // GitLab's short SHA is always the first 8 characters, never git's longer unique prefix.
      {"CI_COMMIT_SHORT_SHA", r.sha.empty() ? std::string(8, '0') : r.sha.substr(0, 8)},
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
  for (auto& server : server_variables(ctx.server_url))
    v.push_back(std::move(server));
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
      // GitLab's status while the job's script runs; after_script sees how it ended.
      {"CI_JOB_STATUS", "running"},
      // 1 without `parallel:`; the copies of a parallel job set their own (and CI_NODE_INDEX).
      {"CI_NODE_TOTAL", "1"},
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

pipeline::IncludeSettings include_settings(const RunOptions& opts, const std::string& state_dir) {
  yaml::Node config = load_config(state_dir);
  pipeline::IncludeSettings s;
  if (auto url = setting_from("", "", "CI_SERVER_URL", config, "server_url"))
    s.server_url = url->value;
  while (!s.server_url.empty() && s.server_url.back() == '/')
    s.server_url.pop_back();
  if (auto token = setting_from("", "", "GITLAB_TOKEN", config, "gitlab_token")) {
    s.token = token->value;
  } else if (const char* job_token = std::getenv("CI_JOB_TOKEN"); job_token && *job_token) {
    s.token = job_token;
    s.token_header = "JOB-TOKEN";
  }
  s.offline = opts.offline;
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  if (xdg && *xdg)
    s.cache_dir = std::filesystem::path(xdg) / "tollgate" / "includes";
  else if (home && *home)
    s.cache_dir = std::filesystem::path(home) / ".cache" / "tollgate" / "includes";
  return s;
}

namespace {
// --var CI_COMMIT_BRANCH=X, CI_COMMIT_TAG=X or CI_COMMIT_REF_NAME=X plans and runs the pipeline
// as for that ref: `only/except: refs` and the other CI_COMMIT_* variables follow it, as they
// follow `rules:if`. A branch and a tag exclude each other, as on GitLab.
void take_ref_from_command_line(pipeline::RepoInfo& repo,
                                const std::vector<std::pair<std::string, std::string>>& vars) {
  for (const auto& [name, value] : vars) {
    if (name == "CI_COMMIT_BRANCH") {
      repo.branch = value;
      if (!value.empty()) repo.tag.clear();
    } else if (name == "CI_COMMIT_TAG") {
      repo.tag = value;
      if (!value.empty()) repo.branch.clear();
    } else if (name == "CI_COMMIT_REF_NAME") {
      (repo.tag.empty() ? repo.branch : repo.tag) = value;
    }
  }
}

void fill_plan_context(Context& ctx, const RunOptions& opts, long long pipeline_id,
                       const pipeline::RepoInfo& git_repo) {
  auto& pc = ctx.plan_context;
  pc.variables.set_all(predefined_variables(ctx, pipeline_id));
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
  pc.changes_against = [dir, git_repo](const std::string& ref) {
    return pipeline::changed_files(dir, git_repo, ref);
  };
}

}  // namespace

Context make_context(const RunOptions& opts, long long pipeline_id) {
  std::filesystem::path file = std::filesystem::absolute(opts.file);
  if (!std::filesystem::exists(file))
    throw Error(SourceLocation{opts.file}, "no pipeline file here (use --file to name one)");
  Context ctx;
  ctx.project_dir = file.parent_path().string();
  ctx.state_dir = opts.state_dir.empty()
                      ? (std::filesystem::path(ctx.project_dir) / ".tollgate").string()
                      : std::filesystem::absolute(opts.state_dir).string();
  ctx.repo = pipeline::read_repo(ctx.project_dir);
  ctx.changes = pipeline::changed_files(ctx.project_dir, ctx.repo, opts.changes_since);
  ctx.project_files = pipeline::project_files(ctx.project_dir, ctx.repo.is_git);
  pipeline::RepoInfo git_repo = ctx.repo;  // what `changes: compare_to` asks git about
  take_ref_from_command_line(ctx.repo, opts.vars);
  pipeline::IncludeFetcher fetcher(include_settings(opts, ctx.state_dir));
  ctx.server_url = fetcher.settings().server_url;
  // Includes see the predefined, project and --var variables (not the file's own), so the plan
  // context is made before the file is read.
  fill_plan_context(ctx, opts, pipeline_id, git_repo);
  ctx.pipeline = pipeline::load_pipeline(opts.file, {opts.inputs, &ctx.plan_context, &fetcher});
  ctx.plan_context.global = ctx.pipeline.variables;
  for (const auto& w : ctx.pipeline.warnings)
    std::cerr << "tollgate: warning: " << w << "\n";
  return ctx;
}

}  // namespace tollgate::runner
