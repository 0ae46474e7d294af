#include "pipeline/loader.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "pipeline/parallel.h"
#include "pipeline/resolver.h"
#include "util/files.h"
#include "util/strings.h"
#include "util/timefmt.h"

namespace tollgate::pipeline {
namespace {

using yaml::Node;

const std::vector<std::string> kJobKeywords = {"script",
                                               "before_script",
                                               "after_script",
                                               "stage",
                                               "variables",
                                               "when",
                                               "allow_failure",
                                               "needs",
                                               "dependencies",
                                               "rules",
                                               "only",
                                               "except",
                                               "timeout",
                                               "environment",
                                               "artifacts",
                                               "retry",
                                               "tags",
                                               "image",
                                               "services",
                                               "cache",
                                               "coverage",
                                               "resource_group",
                                               "extends",
                                               "interruptible",
                                               "parallel",
                                               "trigger",
                                               "inherit",
                                               "release",
                                               "pages",
                                               "secrets",
                                               "id_tokens",
                                               "hooks",
                                               "start_in",
                                               "identity",
                                               "manual_confirmation",
                                               "dast_configuration",
                                               "run"};

const std::vector<std::string> kWhenValues = {"on_success", "on_failure", "always",
                                              "manual",     "never",      "delayed"};

class Loader {
 public:
  Loader(std::string file, std::string project_dir)
      : file_(std::move(file)), project_dir_(std::move(project_dir)) {}

  Pipeline load(const Node& raw) {
    Pipeline p;
    p.file = file_;
    p.project_dir = project_dir_;
    if (raw.is_null()) throw Error(SourceLocation{file_}, "the pipeline file is empty");
    if (!raw.is_mapping())
      throw Error(raw.where,
                  "a pipeline file must be a mapping of keywords and jobs, not " + raw.describe());
    Node root = resolve(raw, project_dir_, errors_);
    read_stages(root, p);
    if (const Node* v = root.find("variables")) p.variables = variables(*v);
    if (const Node* w = root.find("workflow")) read_workflow(*w, p);
    for (const auto& e : root.entries) {
      const std::string& name = e.key.scalar;
      if (is_reserved_top_level_key(name)) continue;
      if (!name.empty() && name[0] == '.') continue;  // hidden: templates, anchors
      if (!e.value.is_mapping()) {
        std::string hint = str::closest(name, reserved_top_level_keys());
        if (!hint.empty())
          error(e.key.where, "unknown keyword '" + name + "' (did you mean '" + hint + "'?)");
        else
          error(e.key.where,
                "job '" + name + "' must be a mapping of keywords, not " + e.value.describe());
        continue;
      }
      std::vector<Job> expanded =
          expand_parallel(job(name, e.key.where, e.value), e.value, errors_);
      for (auto& j : expanded)
        p.jobs.push_back(std::move(j));
    }
    if (p.jobs.empty() && errors_.empty())
      error(root.where, "the pipeline has no jobs (a job is a top-level key holding a script)");
    check_references(p);
    if (!errors_.empty()) throw ErrorList(std::move(errors_));
    return p;
  }

 private:
  void error(const SourceLocation& where, std::string what) {
    errors_.emplace_back(where, std::move(what));
  }

  void read_stages(const Node& root, Pipeline& p) {
    std::vector<std::string> stages = {"build", "test", "deploy"};
    const Node* s = root.find("stages");
    if (!s) s = root.find("types");
    if (s) {
      stages.clear();
      for (const auto& item : sequence(*s, "stages")) {
        if (!item.is_scalar()) {
          error(item.where, "a stage name must be a string, not " + item.describe());
          continue;
        }
        stages.push_back(item.scalar);
      }
    }
    p.stages.push_back(".pre");
    for (auto& st : stages)
      if (st != ".pre" && st != ".post") p.stages.push_back(st);
    p.stages.push_back(".post");
  }

  void read_workflow(const Node& w, Pipeline& p) {
    if (!w.is_mapping()) {
      error(w.where, "workflow must be a mapping");
      return;
    }
    for (const auto& e : w.entries) {
      if (e.key.scalar == "rules") {
        p.workflow_rules = rules(e.value);
      } else if (e.key.scalar != "name" && e.key.scalar != "auto_cancel") {
        error(e.key.where, "unknown workflow keyword '" + e.key.scalar + "'");
      }
    }
  }

  // A value that may be one item or a list of items.
  std::vector<Node> sequence(const Node& n, const std::string& what) {
    if (n.is_sequence()) return n.items;
    if (n.is_null()) return {};
    if (n.is_scalar()) return {n};
    error(n.where, what + " must be a list, not " + n.describe());
    return {};
  }

  std::vector<std::string> strings(const Node& n, const std::string& what) {
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
  void script_lines(const Node& n, const std::string& key, std::vector<std::string>& out,
                    int depth = 0) {
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

  Variables variables(const Node& n) {
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

  std::optional<When> when_value(const Node& n) {
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

  std::vector<std::string> changes(const Node& n, std::string* compare_to) {
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

  std::vector<Rule> rules(const Node& n) {
    std::vector<Rule> out;
    for (const auto& item : sequence(n, "rules")) {
      if (!item.is_mapping()) {
        error(item.where, "each rule must be a mapping (if, changes, exists, when, ...), not " +
                              item.describe());
        continue;
      }
      Rule r;
      r.where = item.where;
      for (const auto& e : item.entries) {
        const std::string& k = e.key.scalar;
        if (k == "if") {
          r.if_expr = e.value.is_scalar() ? e.value.scalar : "";
          r.if_where = e.value.where;
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
          std::vector<std::string> keys = {
              "if", "changes", "exists", "when", "allow_failure", "variables", "needs", "start_in"};
          std::string hint = str::closest(k, keys);
          error(e.key.where, "unknown rule keyword '" + k + "'" +
                                 (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
        }
      }
      out.push_back(std::move(r));
    }
    return out;
  }

  RefFilter ref_filter(const Node& n, const std::string& key) {
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

  Environment environment(const Node& n) {
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

  Artifacts artifacts(const Node& n) {
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
          if (r.key.scalar == "dotenv")
            a.dotenv = strings(r.value, "artifacts:reports:dotenv");
          else if (r.value.is_mapping())
            a.reports[r.key.scalar] = {};  // coverage_report: {coverage_format, path}
          else
            a.reports[r.key.scalar] = strings(r.value, "artifacts:reports:" + r.key.scalar);
        }
      } else if (k != "expire_in" && k != "expose_as" && k != "public" && k != "access") {
        std::vector<std::string> keys = {"paths",  "exclude", "when",      "untracked",
                                         "name",   "reports", "expire_in", "expose_as",
                                         "public", "access"};
        std::string hint = str::closest(k, keys);
        error(e.key.where, "unknown artifacts keyword '" + k + "'" +
                               (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
    }
    return a;
  }

  void read_needs(const Node& n, Job& j) {
    std::vector<Need> needs;
    for (const auto& item : sequence(n, "needs")) {
      Need need;
      need.where = item.where;
      const Node* parallel = nullptr;
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
          else if (k == "pipeline" || k == "project" || k == "ref")
            error(e.key.where, "needs from another pipeline or project is not available locally");
          else
            error(e.key.where, "unknown needs keyword '" + k + "' (job, optional, artifacts)");
        }
        if (need.job.empty()) error(item.where, "a needs entry needs a job name");
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
  std::vector<std::string> matrix_job_names(const std::string& job, const Node& parallel) {
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

  void read_inherit(const Node& n, Job& j) {
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

  Cache cache(const Node& n) {
    Cache c;
    if (!n.is_mapping()) {
      error(n.where, "cache must be a mapping (key, paths, policy, when, untracked)");
      return c;
    }
    for (const auto& e : n.entries) {
      const std::string& k = e.key.scalar;
      if (k == "key") {
        if (e.value.is_mapping()) {
          if (const Node* f = e.value.find("files")) c.key_files = strings(*f, "cache:key:files");
          if (const Node* pre = e.value.find("prefix")) c.key_prefix = pre->scalar;
        } else {
          c.key = e.value.scalar;
        }
      } else if (k == "paths")
        c.paths = strings(e.value, "cache:paths");
      else if (k == "policy") {
        c.policy = e.value.scalar;
        if (c.policy != "pull" && c.policy != "push" && c.policy != "pull-push")
          error(e.value.where, "cache:policy must be pull, push or pull-push");
      } else if (k == "when")
        c.when = e.value.scalar;
      else if (k == "untracked")
        c.untracked = e.value.is_bool() && e.value.as_bool();
      else if (k != "fallback_keys" && k != "unprotect")
        error(e.key.where, "unknown cache keyword '" + k + "'");
    }
    return c;
  }

  void read_allow_failure(const Node& n, Job& j) {
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

  void read_retry(const Node& n, Job& j) {
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

  Job job(const std::string& name, const SourceLocation& where, const Node& n) {
    Job j;
    j.name = name;
    j.base_name = name;
    j.where = where;
    bool has_script = false, has_trigger = false;
    size_t errors_before = errors_.size();
    for (const auto& e : n.entries) {
      const std::string& k = e.key.scalar;
      const Node& v = e.value;
      if (k == "script") {
        script_lines(v, "script", j.script);
        has_script = true;
      } else if (k == "before_script")
        script_lines(v, "before_script", j.before_script);
      else if (k == "after_script")
        script_lines(v, "after_script", j.after_script);
      else if (k == "stage")
        j.stage = v.is_scalar() ? v.scalar : "";
      else if (k == "variables")
        j.variables = variables(v);
      else if (k == "when") {
        if (auto w = when_value(v)) j.when = *w;
      } else if (k == "allow_failure")
        read_allow_failure(v, j);
      else if (k == "needs")
        read_needs(v, j);
      else if (k == "dependencies")
        j.dependencies = strings(v, "dependencies");
      else if (k == "rules")
        j.rules = rules(v);
      else if (k == "only")
        j.only = ref_filter(v, "only");
      else if (k == "except")
        j.except = ref_filter(v, "except");
      else if (k == "timeout") {
        auto d = v.is_scalar() ? timefmt::parse_duration(v.scalar) : std::nullopt;
        if (!d || d->count() <= 0)
          error(v.where, "timeout '" + v.scalar + "' is not a duration (e.g. 30m, 1h 30m, 90s)");
        else
          j.timeout = *d;
      } else if (k == "environment")
        j.environment = environment(v);
      else if (k == "artifacts")
        j.artifacts = artifacts(v);
      else if (k == "retry")
        read_retry(v, j);
      else if (k == "tags")
        j.tags = strings(v, "tags");
      else if (k == "image")
        j.image = v.is_mapping() && v.find("name") ? v.find("name")->scalar : v.scalar;
      else if (k == "services") {
        for (const auto& s : sequence(v, "services"))
          j.services.push_back(s.is_mapping() && s.find("name") ? s.find("name")->scalar
                                                                : s.scalar);
      } else if (k == "coverage")
        j.coverage = v.scalar;
      else if (k == "resource_group")
        j.resource_group = v.scalar;
      else if (k == "trigger")
        has_trigger = true;
      else if (k == "inherit")
        read_inherit(v, j);
      else if (k == "cache") {
        for (const auto& c : v.is_sequence() ? v.items : std::vector<Node>{v})
          j.cache.push_back(cache(c));
      } else if (std::find(kJobKeywords.begin(), kJobKeywords.end(), k) == kJobKeywords.end()) {
        std::string hint = str::closest(k, kJobKeywords);
        error(e.key.where, "job '" + name + "': unknown keyword '" + k + "'" +
                               (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
    }
    if (has_trigger)
      error(where, "job '" + name + "': trigger (child pipelines) is not supported locally yet");
    else if (!has_script)
      error(where,
            "job '" + name + "' has no script" +
                std::string(str::closest(name, reserved_top_level_keys()).empty()
                                ? " (hide a template by starting its name with '.')"
                                : " (is '" + name + "' a misspelt keyword '" +
                                      str::closest(name, reserved_top_level_keys()) + "'?)"));
    else if (j.script.empty() && errors_.size() == errors_before)
      error(where, "job '" + name + "': script is empty");
    if (j.when == When::Never) j.rules = std::vector<Rule>{Rule{.when = When::Never}};
    return j;
  }

  void check_references(Pipeline& p) {
    std::set<std::string> names;
    for (const auto& j : p.jobs) {
      names.insert(j.name);
      names.insert(j.base_name);  // needs on a parallel job means every copy
    }
    std::vector<std::string> name_list(names.begin(), names.end());
    std::set<std::string> stages(p.stages.begin(), p.stages.end());
    for (const auto& j : p.jobs) {
      if (!stages.count(j.stage)) {
        std::string hint = str::closest(j.stage, p.stages);
        error(j.where,
              "job '" + j.name + "': stage '" + j.stage + "' is not in stages (" +
                  str::join(std::vector<std::string>(p.stages.begin() + 1, p.stages.end() - 1),
                            ", ") +
                  ")" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
      }
      if (j.needs) {
        for (const auto& n : *j.needs) {
          if (!names.count(n.job) && !n.optional) {
            std::string hint = str::closest(n.job, name_list);
            error(n.where, "job '" + j.name + "' needs '" + n.job + "', which is not a job" +
                               (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                               "; mark it optional: true if it may be absent");
          }
        }
      }
      if (j.dependencies) {
        for (const auto& d : *j.dependencies)
          if (!names.count(d))
            error(j.where, "job '" + j.name + "' has dependency '" + d + "', which is not a job");
      }
    }
  }

  std::string file_;
  std::string project_dir_;
  std::vector<Error> errors_;
};

}  // namespace

const std::vector<std::string>& job_keywords() {
  return kJobKeywords;
}

Pipeline load_pipeline_text(const std::string& text, const std::string& file,
                            const std::string& project_dir) {
  Node root = yaml::load(text, file);
  Loader loader(file, project_dir);
  return loader.load(root);
}

yaml::Node resolve_pipeline_file(const std::string& file) {
  std::filesystem::path path = std::filesystem::absolute(file);
  std::vector<Error> errors;
  Node root = resolve(yaml::load_file(path.string()), path.parent_path(), errors);
  if (!errors.empty()) throw ErrorList(std::move(errors));
  return root;
}

Pipeline load_pipeline(const std::string& file) {
  std::filesystem::path path = std::filesystem::absolute(file);
  if (!std::filesystem::exists(path))
    throw Error(SourceLocation{file}, "no pipeline file here (use --file to name one)");
  return load_pipeline_text(files::read(path), file, path.parent_path().string());
}

}  // namespace tollgate::pipeline
