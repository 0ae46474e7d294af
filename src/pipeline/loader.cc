#include "pipeline/loader.h"

#include <re2/re2.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>

#include "pipeline/keywords.h"
#include "pipeline/parallel.h"
#include "pipeline/resolver.h"
#include "util/files.h"
#include "util/strings.h"
#include "util/timefmt.h"

namespace tollgate::pipeline {
namespace {

using yaml::Node;

constexpr size_t kMaxJobName = 255;  // GitLab's limit on a job's name
constexpr size_t kMaxCaches = 4;     // GitLab's limit on a job's caches
constexpr int kMaxNesting = 10;      // GitLab flattens nested lists up to 10 levels

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

class Loader {
 public:
  Loader(std::string file, std::string project_dir, const LoadOptions& options)
      : file_(std::move(file)), project_dir_(std::move(project_dir)), options_(options) {}

  Pipeline load(Node raw) {
    Pipeline p;
    p.file = file_;
    p.project_dir = project_dir_;
    if (raw.is_null()) throw Error(SourceLocation{file_, 1, 1}, "the pipeline file is empty");
    if (!raw.is_mapping())
      throw Error(raw.where,
                  "a pipeline file must be a mapping of keywords and jobs, not " + raw.describe());
    Resolved resolved = resolve(std::move(raw), include_context(), errors_);
    Node& root = resolved.tree;
    unavailable_ = resolved.unavailable;
    unrunnable_ = std::move(resolved.unrunnable);
    for (const auto& u : unavailable_)
      p.warnings.push_back("include " + u.label + " is left out (" + u.why +
                           "); jobs that need what it defines cannot run here");
    if (options_.fetcher)
      for (const auto& note : options_.fetcher->notes())
        p.warnings.push_back("include " + note);
    resolve_failed_ = !errors_.empty();
    read_stages(root, p);
    if (const Node* v = root.find("variables")) p.variables = kw_.variables(*v);
    if (const Node* w = root.find("workflow")) read_workflow(*w, p);
    p.jobs.reserve(root.entries.size());
    for (const auto& e : root.entries) {
      const std::string& name = e.key.scalar;
      if (name == "spec")
        error(e.key.where,
              "spec must be a header document of its own: spec: inputs: ..., then a line '---', "
              "then the pipeline");
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
      if (name.size() > kMaxJobName) {
        error(e.key.where, "job name '" + name.substr(0, 40) + "...' is " +
                               std::to_string(name.size()) +
                               " characters long; GitLab's limit is 255");
        continue;
      }
      size_t errors_before = errors_.size();
      const Node* parallel = e.value.find("parallel");
      if (!parallel || parallel->is_null()) {
        p.jobs.push_back(job(name, e.key.where, e.value));  // the common case: one move
      } else {
        std::vector<Job> copies =
            expand_parallel(job(name, e.key.where, e.value), e.value, errors_);
        check_copy_names(copies, e.key.where);
        for (auto& j : copies)
          p.jobs.push_back(std::move(j));
      }
      for (size_t i = errors_before; i < errors_.size(); ++i)
        job_of_error_[i] = name;
    }
    if (p.jobs.empty() && errors_.empty())
      error(root.where, "the pipeline has no jobs (a job is a top-level key holding a script)");
    check_references(p);
    if (!errors_.empty()) throw ErrorList(deduplicated());
    return p;
  }

 private:
  void error(const SourceLocation& where, std::string what) {
    errors_.emplace_back(where, std::move(what));
  }

  IncludeContext include_context() const {
    return {project_dir_, options_.context, options_.fetcher};
  }

  // With an include left out, a name the job refers to may be defined there: the job cannot
  // run here, and that is not an error. True when the job was marked so.
  bool unrunnable_for_missing(Job& j, const std::string& what) {
    if (unavailable_.empty()) return false;
    if (j.unrunnable.empty()) j.unrunnable = what + "; " + maybe_from(unavailable_);
    return true;
  }

  // One mistake said once: an anchor with a bad key merged into 15 jobs is one error at the
  // anchor, not 15. Errors read while reading a job are compared with that job's name left out.
  std::vector<Error> deduplicated() {
    std::vector<Error> out;
    std::vector<size_t> repeats;
    std::map<std::string, size_t> seen;
    for (size_t i = 0; i < errors_.size(); ++i) {
      std::string what = errors_[i].what();
      auto job = job_of_error_.find(i);
      if (job != job_of_error_.end()) what = str::replace_all(what, "'" + job->second + "'", "''");
      auto [it, fresh] = seen.emplace(errors_[i].where().str() + "\n" + what, out.size());
      if (fresh) {
        out.push_back(errors_[i]);
        repeats.push_back(0);
      } else {
        ++repeats[it->second];
      }
    }
    for (size_t i = 0; i < out.size(); ++i)
      if (repeats[i] > 0)
        out[i] = Error(out[i].where(), std::string(out[i].what()) + " (and " +
                                           std::to_string(repeats[i]) +
                                           " more times, where the same text is merged)");
    return out;
  }

  // A matrix job's names are its name and its values: a name past GitLab's limit is an error at
  // the job, said once.
  void check_copy_names(const std::vector<Job>& copies, const SourceLocation& where) {
    for (const auto& c : copies) {
      if (c.name.size() <= kMaxJobName) continue;
      error(where, "job '" + c.base_name + "': parallel:matrix makes the name '" +
                       c.name.substr(0, 60) + "...', " + std::to_string(c.name.size()) +
                       " characters long; GitLab's limit is 255");
      return;
    }
  }

  // stages: a list; lists nested in it (from anchors) are flattened, as GitLab does.
  void stage_names(const Node& n, std::vector<std::string>& out, int depth) {
    for (const auto& item : n.items) {
      if (item.is_sequence() && depth < kMaxNesting)
        stage_names(item, out, depth + 1);
      else if (item.is_scalar())
        out.push_back(item.scalar);
      else
        error(item.where, "a stage name must be a string, not " + item.describe());
    }
  }

  void read_stages(const Node& root, Pipeline& p) {
    std::vector<std::string> stages = {"build", "test", "deploy"};
    const Node* s = root.find("stages");
    if (!s || s->is_null()) s = root.find("types");
    if (s && s->is_sequence()) {
      stages.clear();
      stage_names(*s, stages, 0);
    } else if (s && !s->is_null()) {
      // Said once; the jobs are checked against the default stages, not against none.
      error(s->where, "stages must be a list of stage names, not " + s->describe() +
                          (s->is_scalar() ? " (write stages: [" + s->scalar + "])" : ""));
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
      if (e.value.is_null()) continue;
      if (e.key.scalar == "rules") {
        p.workflow_rules = kw_.rules(e.value, true);
      } else if (e.key.scalar == "auto_cancel") {
        p.auto_cancel = kw_.auto_cancel(e.value);
      } else if (e.key.scalar != "name") {
        error(e.key.where, "unknown workflow keyword '" + e.key.scalar + "'");
      }
    }
  }

  // One job from its mapping: every keyword into the Job, then the checks that need them all
  // (a script or a trigger, not both, and not empty).
  Job job(const std::string& name, const SourceLocation& where, const Node& n) {
    Job j;
    j.name = name;
    j.base_name = name;
    j.where = where;
    if (auto it = unrunnable_.find(name); it != unrunnable_.end()) j.unrunnable = it->second;
    bool has_script = false, has_trigger = false;
    size_t errors_before = errors_.size();
    for (const auto& e : n.entries) {
      const std::string& k = e.key.scalar;
      if (k == "script") {
        has_script = true;
        read_script(name, e.value, j);
        continue;
      }
      // As GitLab's entry factory has it, a keyword written without a value is unset.
      if (e.value.is_null() && is_job_keyword(k)) continue;
      has_trigger = has_trigger || k == "trigger";
      if (!read_job_keyword(k, e.value, j) && !is_job_keyword(k)) {
        std::string hint = str::closest(k, kJobKeywords);
        error(e.key.where, "job '" + name + "': unknown keyword '" + k + "'" +
                               (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
    }
    if (has_trigger) {
      // A trigger job runs no script of its own: default's image and scripts do not apply.
      j.image.reset();
      j.services.clear();
      j.before_script.clear();
      j.after_script.clear();
    }
    check_script_or_trigger(j, has_script, has_trigger, errors_.size() == errors_before);
    return j;
  }

  void read_script(const std::string& name, const Node& v, Job& j) {
    // A list a broken !reference emptied is that reference's error, already said, or the
    // reason the job cannot run here.
    if (is_blank(v) && !(resolve_failed_ && v.is_sequence()) && j.unrunnable.empty())
      error(v.where, "job '" + name + "': script must not be empty (GitLab: can't be blank)");
    else
      kw_.script_lines(v, "script", j.script);
  }

  // Reads keyword k (other than script) into j; false when it is not one read here (other job
  // keywords are read before, by the resolver and the matrix expansion).
  bool read_job_keyword(const std::string& k, const Node& v, Job& j) {
    if (k == "before_script")
      kw_.script_lines(v, "before_script", j.before_script);
    else if (k == "after_script")
      kw_.script_lines(v, "after_script", j.after_script);
    else if (k == "stage")
      j.stage = v.is_scalar() ? v.scalar : "";
    else if (k == "variables")
      j.variables = kw_.variables(v);
    else if (k == "when")
      read_when(j.name, v, j);
    else if (k == "allow_failure")
      kw_.read_allow_failure(v, j);
    else if (k == "needs")
      kw_.read_needs(v, j);
    else if (k == "dependencies") {
      j.dependencies = kw_.strings(v, "dependencies");
      j.dependencies_where = v.where;
    } else if (k == "rules")
      j.rules = kw_.rules(v);
    else if (k == "only")
      j.only = kw_.ref_filter(v, "only");
    else if (k == "except")
      j.except = kw_.ref_filter(v, "except");
    else if (k == "timeout")
      read_timeout(v, j);
    else if (k == "environment")
      j.environment = kw_.environment(v);
    else if (k == "artifacts")
      j.artifacts = kw_.artifacts(v);
    else if (k == "retry")
      kw_.read_retry(v, j);
    else if (k == "tags")
      j.tags = kw_.strings(v, "tags");
    else if (k == "image")
      j.image = kw_.image(v, "image");
    else if (k == "services") {
      for (const auto& s : kw_.sequence(v, "services"))
        j.services.push_back(kw_.service(s));
    } else if (k == "coverage")
      j.coverage = coverage(v);
    else if (k == "resource_group")
      j.resource_group = v.scalar;
    else if (k == "trigger")
      read_trigger(v, j);
    else if (k == "inherit")
      kw_.read_inherit(v, j);
    else if (k == "cache")
      read_caches(v, j, 0);
    else
      return false;
    return true;
  }

  void read_timeout(const Node& v, Job& j) {
    auto d = v.is_scalar() ? timefmt::parse_duration(v.scalar) : std::nullopt;
    if (!d || d->count() <= 0)
      error(v.where, "timeout '" + v.scalar + "' is not a duration (e.g. 30m, 1h 30m, 90s)");
    else
      j.timeout = *d;
  }

  // A job runs a script or triggers a pipeline, never both; a job that cannot run here (a
  // missing include) or whose definition already went wrong is not blamed again.
  void check_script_or_trigger(const Job& j, bool has_script, bool has_trigger,
                               bool no_new_errors) {
    const std::string& name = j.name;
    if (has_trigger && has_script) {
      error(j.where,
            "job '" + name + "' has both trigger and script; a trigger job runs no script");
    } else if (!has_script && !has_trigger && j.unrunnable.empty()) {
      std::string keyword = str::closest(name, reserved_top_level_keys());
      error(j.where,
            "job '" + name + "' has no script" +
                (keyword.empty() ? " (hide a template by starting its name with '.')"
                                 : " (is '" + name + "' a misspelt keyword '" + keyword + "'?)"));
    } else if (has_script && j.script.empty() && j.unrunnable.empty() && no_new_errors &&
               !resolve_failed_) {
      error(j.where, "job '" + name + "': script is empty");
    }
  }

  static bool is_job_keyword(const std::string& k) {
    return std::find(kJobKeywords.begin(), kJobKeywords.end(), k) != kJobKeywords.end();
  }

  // script: "" and script: [] are "can't be blank" to GitLab; so is script written bare.
  static bool is_blank(const Node& v) {
    return v.is_null() || (v.is_scalar() && v.scalar.empty()) ||
           (v.is_sequence() && v.items.empty());
  }

  void read_when(const std::string& name, const Node& v, Job& j) {
    std::optional<When> w = kw_.when_value(v);
    if (w == When::Never) {
      // GitLab allows never only in rules; a job's own when is one of the other five.
      error(v.where, "job '" + name +
                         "': when: never is only valid in rules (to leave the job out, write "
                         "rules: [{when: never}])");
      return;
    }
    if (w) j.when = *w;
  }

  // cache: one mapping or a list of them; lists nested in the list (`cache: [*a, *b]` where an
  // anchor is itself a list) are flattened, as GitLab does.
  void read_caches(const Node& v, Job& j, int depth) {
    if (!v.is_sequence()) {
      j.cache.push_back(kw_.cache(v));
    } else if (depth >= kMaxNesting) {
      error(v.where, "cache is nested deeper than 10 levels");
    } else {
      for (const auto& item : v.items)
        read_caches(item, j, depth + 1);
    }
    if (depth == 0 && j.cache.size() > kMaxCaches)
      error(v.where, "a job has at most 4 caches, this one " + std::to_string(j.cache.size()));
  }

  // coverage: /regex/ (RE2 syntax), kept as written.
  std::string coverage(const Node& v) {
    const std::string& text = v.scalar;
    if (!v.is_scalar() || text.size() < 2 || text.front() != '/' || text.back() != '/') {
      error(v.where,
            "coverage must be a regular expression between slashes, e.g. "
            "/Total: \\d+\\.\\d+%/, not " +
                v.describe());
      return "";
    }
    RE2::Options options;
    options.set_log_errors(false);
    RE2 re(text.substr(1, text.size() - 2), options);
    if (!re.ok()) error(v.where, "coverage " + text + " is not a valid RE2 pattern: " + re.error());
    return text;
  }

  void check_references(Pipeline& p) {
    std::set<std::string> names;
    std::unordered_map<std::string, std::string> base_of;  // each name and base name: its base
    for (const auto& j : p.jobs) {
      names.insert(j.name);
      names.insert(j.base_name);  // needs on a parallel job means every copy
      base_of.emplace(j.name, j.base_name);
      base_of.emplace(j.base_name, j.base_name);
    }
    std::vector<std::string> name_list(names.begin(), names.end());
    std::set<std::string> stages(p.stages.begin(), p.stages.end());
    for (auto& j : p.jobs) {
      if (!stages.count(j.stage) &&
          !unrunnable_for_missing(j, "its stage '" + j.stage + "' is not in stages")) {
        std::string hint = str::closest(j.stage, p.stages);
        error(j.where,
              "job '" + j.name + "': stage '" + j.stage + "' is not in stages (" +
                  str::join(std::vector<std::string>(p.stages.begin() + 1, p.stages.end() - 1),
                            ", ") +
                  ")" + (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
      }
      if (j.needs) {
        for (const auto& n : *j.needs) {
          if (n.job.find("$[[ matrix.") != std::string::npos) {
            error(n.where, "job '" + j.name +
                               "': $[[ matrix.NAME ]] in needs is filled only in a "
                               "parallel:matrix job");
          } else if (!names.count(n.job) && !n.optional &&
                     !unrunnable_for_missing(j, "it needs '" + n.job + "', which is not a job")) {
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
            error(j.dependencies_where,
                  "job '" + j.name + "' has dependency '" + d + "', which is not a job");
        check_dependencies_in_needs(j, base_of);
      }
    }
  }

  // `trigger:` starts another pipeline: a child pipeline of this project (`include:`), which
  // the runner runs in the trigger job's place, or another project's (a string, or
  // `project:`), which runs on GitLab only. GitLab waits for it, and takes its status, only with
  // `strategy: depend` (or mirror).
  void read_trigger(const Node& v, Job& j) {
    std::string project = v.is_scalar() ? v.scalar : "";
    ChildPipeline child;
    const Node* include = nullptr;
    if (v.is_mapping()) {
      for (const auto& e : v.entries) {
        const std::string& k = e.key.scalar;
        if (k == "project")
          project = e.value.scalar;
        else if (k == "include")
          include = &e.value;
        else if (k == "strategy")
          child.depend = e.value.scalar == "depend" || e.value.scalar == "mirror";
        else if (k == "forward")
          read_forward(e.value, child);
        else if (k != "branch")
          error(e.key.where, "unknown trigger keyword '" + k +
                                 "' (include, project, branch, strategy, forward)");
      }
    } else if (!v.is_scalar()) {
      error(v.where, "trigger takes a project path or a mapping (include, project, strategy)");
    }
    if (include && project.empty()) {
      child.include_yaml = child_include_yaml(*include);
      j.child = std::move(child);
      return;
    }
    if (!j.unrunnable.empty()) return;
    j.unrunnable =
        "it triggers a pipeline of project " + project + ", which runs on GitLab, not here";
    j.unrunnable_outcome_counts = child.depend;
  }

  void read_forward(const Node& v, ChildPipeline& child) {
    if (!v.is_mapping())
      return error(v.where, "forward takes yaml_variables and pipeline_variables");
    for (const auto& e : v.entries) {
      bool on = e.value.is_bool() && e.value.as_bool();
      if (e.key.scalar == "yaml_variables")
        child.forward_yaml_variables = on;
      else if (e.key.scalar == "pipeline_variables")
        child.forward_pipeline_variables = on;
      else
        error(e.key.where, "unknown forward keyword '" + e.key.scalar +
                               "' (yaml_variables, pipeline_variables)");
    }
  }

  // The child's `include:` as YAML. `artifact: F` with `job: J` is the file F in the trigger
  // job's workspace, where J's artifacts are when the trigger job needs J.
  std::string child_include_yaml(const Node& include) {
    Node list;
    list.kind = yaml::Kind::Sequence;
    for (const Node& item : include.is_sequence() ? include.items : std::vector<Node>{include}) {
      const Node* artifact = item.is_mapping() ? item.find("artifact") : nullptr;
      if (!artifact) {
        list.items.push_back(item);
        continue;
      }
      if (!item.find("job"))
        error(item.where, "trigger:include:artifact needs the job that made it (job: NAME)");
      Node local;
      local.kind = yaml::Kind::Mapping;
      local.entries.push_back({Node::make_scalar("local"), Node::make_scalar(artifact->scalar)});
      list.items.push_back(std::move(local));
    }
    Node root;
    root.kind = yaml::Kind::Mapping;
    root.entries.push_back({Node::make_scalar("include"), std::move(list)});
    return yaml::emit(root);
  }

  // With both needs and dependencies, GitLab requires every dependency to be one of the needs
  // (needs: [] is no needs here: GitLab checks only a non-empty list).
  void check_dependencies_in_needs(const Job& j,
                                   const std::unordered_map<std::string, std::string>& base_of) {
    if (!j.needs || j.needs->empty()) return;
    std::set<std::string> needed;
    for (const auto& n : *j.needs) {
      needed.insert(n.job);
      if (auto it = base_of.find(n.job); it != base_of.end()) needed.insert(it->second);
    }
    for (const auto& d : *j.dependencies)
      if (base_of.count(d) && !needed.count(d))
        error(j.dependencies_where, "job '" + j.name + "': dependency '" + d +
                                        "' must also be in needs (with both, GitLab takes "
                                        "dependencies only from the needs)");
  }

  std::string file_;
  std::string project_dir_;
  const LoadOptions& options_;
  std::vector<Includer::Unavailable> unavailable_;
  std::map<std::string, std::string> unrunnable_;
  std::vector<Error> errors_;
  std::map<size_t, std::string> job_of_error_;  // error index -> the job being read
  bool resolve_failed_ = false;                 // include, !reference or extends went wrong
  KeywordReader kw_{errors_};
};

}  // namespace

const std::vector<std::string>& job_keywords() {
  return kJobKeywords;
}

Pipeline load_pipeline_text(const std::string& text, const std::string& file,
                            const std::string& project_dir, const LoadOptions& options) {
  Node root = main_file_content(text, file, options.inputs);
  Loader loader(file, project_dir, options);
  return loader.load(std::move(root));
}

yaml::Node resolve_pipeline_file(const std::string& file, const LoadOptions& options) {
  std::filesystem::path path = std::filesystem::absolute(file);
  std::vector<Error> errors;
  Resolved resolved = resolve(main_file_content(files::read(path), path.string(), options.inputs),
                              {path.parent_path(), options.context, options.fetcher}, errors);
  if (!errors.empty()) throw ErrorList(std::move(errors));
  return std::move(resolved.tree);
}

Pipeline load_pipeline(const std::string& file, const LoadOptions& options) {
  std::filesystem::path path = std::filesystem::absolute(file);
  if (!std::filesystem::exists(path))
    throw Error(SourceLocation{file}, "no pipeline file here (use --file to name one)");
  return load_pipeline_text(files::read(path), file, path.parent_path().string(), options);
}

}  // namespace tollgate::pipeline
