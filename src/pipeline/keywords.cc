#include "pipeline/keywords.h"

#include <algorithm>

#include "pipeline/expression.h"
#include "util/strings.h"
#include "util/timefmt.h"

namespace tollgate::pipeline {

using yaml::Node;

namespace {
const std::vector<std::string> kWhenValues = {"on_success", "on_failure", "always",
                                              "manual",     "never",      "delayed"};

// A YAML string as Ruby reads it: `3`, `true` or `1.5` unquoted are a number or a boolean, which
// GitLab's array_of_strings validators reject.
bool is_string(const Node& n) {
  return n.is_scalar() && n.to_json().is_string();
}

// Whether text names a variable ($NAME or ${NAME}), as GitLab's cache:policy pattern allows.
bool has_variable(const std::string& text) {
  size_t at = text.find('$');
  return at != std::string::npos && at + 1 < text.size() &&
         (std::isalnum(static_cast<unsigned char>(text[at + 1])) || text[at + 1] == '_' ||
          text[at + 1] == '{');
}
}  // namespace

std::vector<std::string> KeywordReader::string_list(const Node& n, const std::string& what) {
  if (!n.is_sequence()) {
    error(n.where, what + " must be a list of strings, not " + n.describe() +
                       (n.is_scalar() ? " (write [" + n.scalar + "])" : ""));
    return {};
  }
  std::vector<std::string> out;
  for (const auto& item : n.items) {
    if (is_string(item))
      out.push_back(item.scalar);
    else
      error(item.where, what + " entries must be strings, not " + item.describe());
  }
  return out;
}

std::vector<Node> KeywordReader::sequence(const Node& n, const std::string& what) {
  if (n.is_sequence()) return n.items;
  if (n.is_null()) return {};
  if (n.is_scalar()) return {n};
  error(n.where, what + " must be a list, not " + n.describe());
  return {};
}

std::vector<std::string> KeywordReader::strings(const Node& n, const std::string& what) {
  std::vector<std::string> out;
  for (const auto& item : sequence(n, what)) {
    if (item.is_scalar())
      out.push_back(item.scalar);
    else
      error(item.where, what + " entries must be strings, not " + item.describe());
  }
  return out;
}

// Script lines: a string or a list, nested lists (from anchors) flattened.
void KeywordReader::script_lines(const Node& n, const std::string& key,
                                 std::vector<std::string>& out, int depth) {
  if (depth > 10) {
    error(n.where, key + " is nested deeper than 10 levels");
    return;
  }
  if (n.is_scalar() && !n.is_bool()) {
    out.push_back(n.scalar);
    return;
  }
  if (n.is_sequence()) {
    for (const auto& item : n.items)
      script_lines(item, key, out, depth + 1);
    return;
  }
  if (n.is_bool()) {
    error(n.where, key + " line '" + n.scalar +
                       "' is read by YAML as a boolean, not a command;"
                       " quote it: - \"" +
                       n.scalar + "\"");
    return;
  }
  if (n.is_mapping() && !n.entries.empty()) {
    const auto& e = n.entries.front();
    std::string guess = e.key.scalar + ": " + (e.value.is_scalar() ? e.value.scalar : "...");
    error(n.where, key +
                       " line is read by YAML as a mapping because it contains ': '; quote "
                       "the whole line: - '" +
                       guess + "'");
    return;
  }
  if (n.is_null()) {
    error(n.where, key + " has an empty line (a '-' with nothing after it)");
    return;
  }
  error(n.where, key + " must be a string or a list of strings, not " + n.describe());
}

Variables KeywordReader::variables(const Node& n) {
  Variables out;
  if (!n.is_mapping()) {
    if (!n.is_null()) error(n.where, "variables must be a mapping of NAME: value");
    return out;
  }
  for (const auto& e : n.entries) {
    Variable v;
    v.name = e.key.scalar;
    v.where = e.key.where;
    if (v.name.empty() || !std::all_of(v.name.begin(), v.name.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
        })) {
      error(e.key.where, "variable name '" + v.name + "' may hold only letters, digits and _");
      continue;
    }
    const Node& val = e.value;
    if (val.is_scalar()) {
      v.value = val.scalar;
    } else if (val.is_null()) {
      v.value = "";
    } else if (val.is_mapping()) {
      for (const auto& f : val.entries) {
        const std::string& k = f.key.scalar;
        if (k == "value") {
          if (!f.value.is_scalar() && !f.value.is_null())
            error(f.value.where, "variable " + v.name + ": value must be a string");
          v.value = f.value.scalar;
        } else if (k == "expand") {
          if (!f.value.is_bool())
            error(f.value.where, "variable " + v.name + ": expand must be true or false");
          else
            v.expand = f.value.as_bool();
        } else if (k != "description" && k != "options") {
          error(f.key.where, "variable " + v.name + ": unknown key '" + k +
                                 "' (value, description, expand, options)");
        }
      }
    } else {
      error(val.where,
            "variable " + v.name + " must be a string or {value: ...}, not " + val.describe());
      continue;
    }
    out.push_back(std::move(v));
  }
  return out;
}

std::optional<When> KeywordReader::when_value(const Node& n) {
  if (!n.is_scalar() ||
      std::find(kWhenValues.begin(), kWhenValues.end(), n.scalar) == kWhenValues.end()) {
    std::string hint = n.is_scalar() ? str::closest(n.scalar, kWhenValues) : "";
    error(n.where, "when must be one of on_success, on_failure, always, manual, delayed, never" +
                       (hint.empty() ? std::string() : " (did you mean '" + hint + "'?)"));
    return std::nullopt;
  }
  size_t i = std::find(kWhenValues.begin(), kWhenValues.end(), n.scalar) - kWhenValues.begin();
  return static_cast<When>(i);
}

std::vector<std::string> KeywordReader::changes(const Node& n, std::string* compare_to) {
  if (n.is_mapping()) {
    std::vector<std::string> paths;
    for (const auto& e : n.entries) {
      if (e.key.scalar == "paths")
        paths = strings(e.value, "changes:paths");
      else if (e.key.scalar == "compare_to" && compare_to)
        *compare_to = e.value.scalar;
      else
        error(e.key.where, "changes takes paths and compare_to, not '" + e.key.scalar + "'");
    }
    return paths;
  }
  return strings(n, "changes");
}

std::vector<Rule> KeywordReader::rules(const Node& n, bool workflow) {
  std::vector<Rule> out;
  if (!n.is_sequence()) {
    error(n.where, "rules must be a list of rules, not " + n.describe());
    return out;
  }
  if (n.items.empty()) {
    // GitLab: "rules config can't be blank". An empty list is not "no rules".
    error(n.where,
          "rules must not be empty: GitLab rejects 'rules: []' (remove the key, or write "
          "'- when: never' to leave the job out)");
    return out;
  }
  for (const auto& item : n.items) {
    if (!item.is_mapping()) {
      error(item.where,
            "each rule must be a mapping (if, changes, exists, when, ...), not " + item.describe());
      continue;
    }
    Rule r;
    r.where = item.where;
    for (const auto& e : item.entries) {
      const std::string& k = e.key.scalar;
      if (e.value.is_null()) continue;  // as GitLab: a rule keyword without a value is unset
      if (k == "if") {
        read_if(e.value, r);
      } else if (k == "auto_cancel" && workflow) {
        r.auto_cancel = auto_cancel(e.value);
      } else if (k == "changes") {
        r.changes = changes(e.value, &r.compare_to);
      } else if (k == "exists") {
        r.exists = strings(
            e.value.is_mapping() && e.value.find("paths") ? *e.value.find("paths") : e.value,
            "exists");
      } else if (k == "when") {
        r.when = when_value(e.value);
      } else if (k == "allow_failure") {
        if (e.value.is_bool())
          r.allow_failure = e.value.as_bool();
        else
          error(e.value.where, "rules:allow_failure must be true or false");
      } else if (k == "variables") {
        r.variables = variables(e.value);
      } else if (k == "needs") {
        Job scratch;
        read_needs(e.value, scratch);
        r.needs = scratch.needs;
      } else if (k != "start_in" && k != "interruptible") {
        std::vector<std::string> keys = {"if",        "changes", "exists",  "when", "allow_failure",
                                         "variables", "needs",   "start_in"};
        std::string hint = str::closest(k, keys);
        error(e.key.where, "unknown rule keyword '" + k + "'" +
                               (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
    }
    out.push_back(std::move(r));
  }
  return out;
}

// GitLab checks an expression's syntax when it reads the file, whether or not the rule is ever
// reached; so does tollgate, by evaluating it once. Every variable then holds a pattern, so that
// `$A =~ $PATTERN` is not taken for a mistake.
void KeywordReader::read_if(const Node& n, Rule& r) {
  if (!is_string(n)) {
    error(n.where, "rules:if must be an expression such as $CI_COMMIT_BRANCH == \"main\", not " +
                       n.describe());
    return;
  }
  r.if_expr = n.scalar;
  r.if_where = n.where;
  try {
    evaluate_expression(
        r.if_expr, [](std::string_view) { return std::optional<std::string>("/.*/"); }, n.where);
  } catch (const Error& e) {
    errors_.push_back(e);
  }
}

AutoCancel KeywordReader::auto_cancel(const Node& n) {
  static const std::vector<std::string> on_new_commit = {"conservative", "interruptible", "none"};
  static const std::vector<std::string> on_job_failure = {"none", "all"};
  AutoCancel a;
  if (!n.is_mapping()) {
    error(n.where, "auto_cancel must be a mapping (on_new_commit, on_job_failure)");
    return a;
  }
  for (const auto& e : n.entries) {
    const std::string& k = e.key.scalar;
    const auto* allowed = k == "on_new_commit"    ? &on_new_commit
                          : k == "on_job_failure" ? &on_job_failure
                                                  : nullptr;
    if (!allowed) {
      error(e.key.where, "auto_cancel takes on_new_commit and on_job_failure, not '" + k + "'");
      continue;
    }
    if (!is_string(e.value) ||
        std::find(allowed->begin(), allowed->end(), e.value.scalar) == allowed->end()) {
      error(e.value.where, "auto_cancel:" + k + " must be one of " + str::join(*allowed, ", "));
      continue;
    }
    (k == "on_new_commit" ? a.on_new_commit : a.on_job_failure) = e.value.scalar;
  }
  return a;
}

RefFilter KeywordReader::ref_filter(const Node& n, const std::string& key) {
  RefFilter f;
  f.present = true;
  f.where = n.where;
  if (n.is_mapping()) {
    for (const auto& e : n.entries) {
      if (e.key.scalar == "refs")
        f.refs = strings(e.value, key + ":refs");
      else if (e.key.scalar == "variables")
        f.variables = strings(e.value, key + ":variables");
      else if (e.key.scalar == "changes")
        f.changes = changes(e.value, nullptr);
      else if (e.key.scalar != "kubernetes")
        error(e.key.where,
              key + " takes refs, variables, changes or kubernetes, not '" + e.key.scalar + "'");
    }
  } else {
    f.refs = strings(n, key);
  }
  return f;
}

Environment KeywordReader::environment(const Node& n) {
  Environment env;
  if (n.is_scalar()) {
    env.name = n.scalar;
    return env;
  }
  if (!n.is_mapping()) {
    error(n.where, "environment must be a name or a mapping with name");
    return env;
  }
  for (const auto& e : n.entries) {
    const std::string& k = e.key.scalar;
    if (k == "name")
      env.name = e.value.scalar;
    else if (k == "url")
      env.url = e.value.scalar;
    else if (k == "action") {
      env.action = e.value.scalar;
      static const std::vector<std::string> actions = {"start", "prepare", "stop", "verify",
                                                       "access"};
      if (std::find(actions.begin(), actions.end(), env.action) == actions.end())
        error(e.value.where, "environment:action must be start, prepare, stop, verify or access");
    } else if (k == "deployment_tier")
      env.tier = e.value.scalar;
    else if (k != "on_stop" && k != "auto_stop_in" && k != "kubernetes")
      error(e.key.where, "unknown environment keyword '" + k + "'");
  }
  if (env.name.empty()) error(n.where, "environment needs a name");
  return env;
}

Artifacts KeywordReader::artifacts(const Node& n) {
  Artifacts a;
  if (!n.is_mapping()) {
    error(n.where, "artifacts must be a mapping (paths, exclude, when, reports, ...)");
    return a;
  }
  for (const auto& e : n.entries) {
    const std::string& k = e.key.scalar;
    if (k == "paths")
      a.paths = strings(e.value, "artifacts:paths");
    else if (k == "exclude")
      a.exclude = strings(e.value, "artifacts:exclude");
    else if (k == "when") {
      a.when = e.value.scalar;
      if (a.when != "on_success" && a.when != "on_failure" && a.when != "always")
        error(e.value.where, "artifacts:when must be on_success, on_failure or always");
    } else if (k == "untracked")
      a.untracked = e.value.is_bool() && e.value.as_bool();
    else if (k == "name")
      a.name = e.value.scalar;
    else if (k == "reports") {
      if (!e.value.is_mapping()) {
        error(e.value.where, "artifacts:reports must be a mapping of report type to files");
        continue;
      }
      for (const auto& r : e.value.entries) {
        if (r.value.is_mapping()) {
          a.reports[r.key.scalar] = {};  // coverage_report: {coverage_format, path}
          continue;
        }
        std::string what = "artifacts:reports:" + r.key.scalar;
        // GitLab: a file or a list of files; `junit: 3` is a number, not a file.
        if (r.value.is_scalar() && !is_string(r.value)) {
          error(r.value.where, what + " must be a file path or a list of them, not " +
                                   r.value.describe() + " (quote it if it is a file name)");
          continue;
        }
        std::vector<std::string> paths =
            r.value.is_sequence() ? string_list(r.value, what) : strings(r.value, what);
        if (r.key.scalar == "dotenv")
          a.dotenv = std::move(paths);
        else
          a.reports[r.key.scalar] = std::move(paths);
      }
    } else if (k != "expire_in" && k != "expose_as" && k != "public" && k != "access") {
      std::vector<std::string> keys = {"paths",   "exclude",   "when",      "untracked", "name",
                                       "reports", "expire_in", "expose_as", "public",    "access"};
      std::string hint = str::closest(k, keys);
      error(e.key.where, "unknown artifacts keyword '" + k + "'" +
                             (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
  }
  return a;
}

void KeywordReader::read_needs(const Node& n, Job& j) {
  std::vector<Need> needs;
  // GitLab takes a list, or one {job: ...} mapping; a bare name is "can only be a Hash or an
  // Array".
  if (n.is_scalar()) {
    error(n.where, "needs must be a list of jobs, not " + n.describe() + " (write needs: [" +
                       n.scalar + "])");
    return;
  }
  for (const auto& item : n.is_mapping() ? std::vector<Node>{n} : sequence(n, "needs")) {
    Need need;
    need.where = item.where;
    const Node* parallel = nullptr;
    std::string elsewhere;  // another project's or pipeline's job: it cannot be had here
    if (item.is_scalar()) {
      need.job = item.scalar;
    } else if (item.is_mapping()) {
      for (const auto& e : item.entries) {
        const std::string& k = e.key.scalar;
        if (k == "job")
          need.job = e.value.scalar;
        else if (k == "optional")
          need.optional = e.value.is_bool() && e.value.as_bool();
        else if (k == "artifacts")
          need.artifacts = !e.value.is_bool() || e.value.as_bool();
        else if (k == "parallel")
          parallel = &e.value;
        else if (k == "pipeline" || k == "project")
          elsewhere = k + " " + e.value.scalar;
        else if (k != "ref")
          error(e.key.where, "unknown needs keyword '" + k +
                                 "' (job, optional, artifacts, project, ref, pipeline)");
      }
      if (need.job.empty()) error(item.where, "a needs entry needs a job name");
      if (!elsewhere.empty()) {
        // The pipeline stays valid; only this job waits for what runs on GitLab alone.
        if (j.unrunnable.empty())
          j.unrunnable =
              "needs job '" + need.job + "' of " + elsewhere + ", which runs on GitLab, not here";
        continue;
      }
      if (parallel) {
        // needs:parallel:matrix picks permutations of a matrix job: one need per name.
        for (const auto& name : matrix_job_names(need.job, *parallel)) {
          Need one = need;
          one.job = name;
          needs.push_back(std::move(one));
        }
        continue;
      }
    } else {
      error(item.where, "needs entries are job names or {job: ...}");
      continue;
    }
    if (!need.job.empty()) needs.push_back(std::move(need));
  }
  j.needs = std::move(needs);
}

// The job names a needs:parallel:matrix entry selects: "job: [v1, v2]" per permutation.
std::vector<std::string> KeywordReader::matrix_job_names(const std::string& job,
                                                         const Node& parallel) {
  const Node* matrix = parallel.is_mapping() ? parallel.find("matrix") : nullptr;
  if (!matrix || !matrix->is_sequence()) {
    error(parallel.where, "needs:parallel takes {matrix: [...]}");
    return {};
  }
  std::vector<std::string> names;
  for (const auto& entry : matrix->items) {
    std::vector<std::vector<std::string>> combos = {{}};
    for (const auto& e : entry.entries) {
      std::vector<std::vector<std::string>> next;
      std::vector<std::string> values;
      if (e.value.is_sequence())
        for (const auto& v : e.value.items)
          values.push_back(v.scalar);
      else
        values.push_back(e.value.scalar);
      for (const auto& c : combos)
        for (const auto& v : values) {
          auto more = c;
          more.push_back(v);
          next.push_back(std::move(more));
        }
      combos = std::move(next);
    }
    for (const auto& c : combos)
      names.push_back(job + ": [" + str::join(c, ", ") + "]");
  }
  return names;
}

void KeywordReader::read_inherit(const Node& n, Job& j) {
  if (!n.is_mapping()) {
    error(n.where, "inherit must be a mapping with default and/or variables");
    return;
  }
  for (const auto& e : n.entries) {
    if (e.key.scalar == "default") continue;  // applied while resolving
    if (e.key.scalar != "variables") {
      error(e.key.where, "inherit takes default and variables, not '" + e.key.scalar + "'");
      continue;
    }
    if (e.value.is_bool())
      j.inherit_variables =
          e.value.as_bool() ? std::nullopt
                            : std::optional<std::vector<std::string>>(std::vector<std::string>{});
    else if (e.value.is_sequence())
      j.inherit_variables = strings(e.value, "inherit:variables");
    else
      error(e.value.where, "inherit:variables takes true, false or a list of variable names");
  }
}

Cache KeywordReader::cache(const Node& n) {
  Cache c;
  if (!n.is_mapping()) {
    error(n.where, "cache must be a mapping (key, paths, policy, when, untracked)");
    return c;
  }
  for (const auto& e : n.entries) {
    const std::string& k = e.key.scalar;
    if (e.value.is_null()) continue;  // as GitLab's entry factory: a key without a value is unset
    if (k == "key") {
      if (e.value.is_mapping())
        read_cache_key(e.value, c);
      else
        c.key = e.value.scalar;
    } else if (k == "paths")
      c.paths = string_list(e.value, "cache:paths");
    else if (k == "policy") {
      // A variable is expanded when the job runs.
      c.policy = e.value.scalar;
      if (c.policy != "pull" && c.policy != "push" && c.policy != "pull-push" &&
          !has_variable(c.policy))
        error(e.value.where, "cache:policy must be pull, push, pull-push or a $VARIABLE");
    } else if (k == "when") {
      c.when = e.value.scalar;
      if (c.when != "on_success" && c.when != "on_failure" && c.when != "always")
        error(e.value.where, "cache:when must be on_success, on_failure or always");
    } else if (k == "untracked")
      c.untracked = e.value.is_bool() && e.value.as_bool();
    else if (k != "fallback_keys" && k != "unprotect")
      error(e.key.where, "unknown cache keyword '" + k + "'");
  }
  return c;
}

// key: {files: [...], prefix: ...}: files is required and holds one or two files.
void KeywordReader::read_cache_key(const Node& key, Cache& c) {
  for (const auto& e : key.entries) {
    if (e.key.scalar == "files") {
      c.key_files = string_list(e.value, "cache:key:files");
      if (e.value.is_sequence() && e.value.items.empty())
        error(e.value.where, "cache:key:files must name at least one file");
    } else if (e.key.scalar == "prefix") {
      c.key_prefix = e.value.scalar;
    } else {
      error(e.key.where, "cache:key takes files and prefix, not '" + e.key.scalar + "'");
    }
  }
  if (!key.find("files")) error(key.where, "cache:key needs files (and may have a prefix)");
}

void KeywordReader::read_allow_failure(const Node& n, Job& j) {
  AllowFailure af;
  if (n.is_bool()) {
    af.allowed = n.as_bool();
  } else if (n.is_mapping() && n.find("exit_codes")) {
    af.allowed = true;
    for (const auto& c : sequence(*n.find("exit_codes"), "exit_codes")) {
      if (c.is_int())
        af.exit_codes.push_back(static_cast<int>(c.as_int()));
      else
        error(c.where, "exit_codes must be integers");
    }
  } else {
    error(n.where, "allow_failure must be true, false or {exit_codes: [...]}");
    return;
  }
  j.allow_failure = af;
}

void KeywordReader::read_retry(const Node& n, Job& j) {
  const Node* max = &n;
  if (n.is_mapping()) {
    max = n.find("max");
    if (const Node* w = n.find("when")) j.retry_when = strings(*w, "retry:when");
    if (const Node* c = n.find("exit_codes"))
      for (const auto& code : sequence(*c, "retry:exit_codes"))
        if (code.is_int()) j.retry_exit_codes.push_back(static_cast<int>(code.as_int()));
  }
  if (max && max->is_int() && max->as_int() >= 0 && max->as_int() <= 2)
    j.retry_max = static_cast<int>(max->as_int());
  else if (max)
    error(max->where, "retry must be 0, 1 or 2 (or {max: 0..2, when, exit_codes})");
}

}  // namespace tollgate::pipeline

namespace tollgate::pipeline {
namespace {

const std::vector<std::string> kPullPolicies = {"always", "if-not-present", "never"};

}  // namespace

Image KeywordReader::image(const Node& n, const std::string& what,
                           std::vector<const Node*>* extra) {
  Image img;
  img.where = n.where;
  if (n.is_scalar()) {
    img.name = n.scalar;
  } else if (!n.is_mapping()) {
    error(n.where, what + " must be an image name or a mapping with name, not " + n.describe());
    return img;
  }
  for (const auto& e : n.entries) {
    const std::string& k = e.key.scalar;
    const Node& v = e.value;
    if (k == "name") {
      if (!v.is_scalar()) error(v.where, what + ":name must be a string");
      img.name = v.scalar;
    } else if (k == "entrypoint") {
      if (!v.is_sequence())
        error(v.where, what + ":entrypoint must be a list, e.g. [\"\"] or [\"/bin/sh\", \"-c\"]");
      else
        img.entrypoint = strings(v, what + ":entrypoint");
    } else if (k == "pull_policy") {
      img.pull_policy =
          v.is_scalar() ? std::vector<std::string>{v.scalar} : strings(v, what + ":pull_policy");
      for (const auto& p : img.pull_policy)
        if (std::find(kPullPolicies.begin(), kPullPolicies.end(), p) == kPullPolicies.end())
          error(v.where, what + ":pull_policy '" + p + "' is not always, if-not-present or never");
    } else if (k == "docker") {
      if (!v.is_mapping()) {
        error(v.where, what + ":docker must be a mapping (user, platform)");
        continue;
      }
      for (const auto& d : v.entries) {
        if (d.key.scalar == "user")
          img.user = d.value.scalar;
        else if (d.key.scalar == "platform")
          img.platform = d.value.scalar;
        else
          error(d.key.where, what + ":docker: unknown key '" + d.key.scalar + "' (user, platform)");
      }
    } else if (k == "kubernetes") {
      // Read by GitLab's Kubernetes executor only.
    } else if (extra) {
      extra->push_back(&e.key);
    } else {
      error(e.key.where,
            what + ": unknown key '" + k + "' (name, entrypoint, pull_policy, docker, kubernetes)");
    }
  }
  if (img.name.empty()) error(n.where, what + " needs a name");
  return img;
}

Service KeywordReader::service(const Node& n) {
  Service svc;
  std::vector<const Node*> keys;
  svc.image = image(n, "services", &keys);
  for (const Node* key : keys) {
    const Node& v = *n.find(key->scalar);
    if (key->scalar == "alias") {
      if (!v.is_scalar()) {
        error(v.where, "services:alias must be a string (several: comma-separated)");
        continue;
      }
      for (const auto& a : str::split(v.scalar, ','))
        if (auto t = std::string(str::trim(a)); !t.empty()) svc.aliases.push_back(t);
    } else if (key->scalar == "command") {
      if (!v.is_sequence())
        error(v.where,
              "services:command must be a list, e.g. [\"redis-server\", \"--port\", \"6380\"]");
      else
        svc.command = strings(v, "services:command");
    } else if (key->scalar == "variables") {
      svc.variables = variables(v);
    } else {
      error(key->where, "services: unknown key '" + key->scalar +
                            "' (name, alias, entrypoint, command, variables, pull_policy, docker)");
    }
  }
  return svc;
}

}  // namespace tollgate::pipeline
