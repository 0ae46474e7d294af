#include "pipeline/loader.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "pipeline/keywords.h"
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

class Loader {
 public:
  Loader(std::string file, std::string project_dir, const LoadOptions& options)
      : file_(std::move(file)), project_dir_(std::move(project_dir)), options_(options) {}

  Pipeline load(Node raw) {
    Pipeline p;
    p.file = file_;
    p.project_dir = project_dir_;
    if (raw.is_null()) throw Error(SourceLocation{file_}, "the pipeline file is empty");
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
    read_stages(root, p);
    if (const Node* v = root.find("variables")) p.variables = kw_.variables(*v);
    if (const Node* w = root.find("workflow")) read_workflow(*w, p);
    p.jobs.reserve(root.entries.size());
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
      if (!e.value.find("parallel")) {
        p.jobs.push_back(job(name, e.key.where, e.value));  // the common case: one move
        continue;
      }
      for (auto& j : expand_parallel(job(name, e.key.where, e.value), e.value, errors_))
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

  void read_stages(const Node& root, Pipeline& p) {
    std::vector<std::string> stages = {"build", "test", "deploy"};
    const Node* s = root.find("stages");
    if (!s) s = root.find("types");
    if (s) {
      stages.clear();
      for (const auto& item : kw_.sequence(*s, "stages")) {
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
        p.workflow_rules = kw_.rules(e.value);
      } else if (e.key.scalar != "name" && e.key.scalar != "auto_cancel") {
        error(e.key.where, "unknown workflow keyword '" + e.key.scalar + "'");
      }
    }
  }

  // A value that may be one item or a list of items.
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
      const Node& v = e.value;
      if (k == "script") {
        kw_.script_lines(v, "script", j.script);
        has_script = true;
      } else if (k == "before_script")
        kw_.script_lines(v, "before_script", j.before_script);
      else if (k == "after_script")
        kw_.script_lines(v, "after_script", j.after_script);
      else if (k == "stage")
        j.stage = v.is_scalar() ? v.scalar : "";
      else if (k == "variables")
        j.variables = kw_.variables(v);
      else if (k == "when") {
        if (auto w = kw_.when_value(v)) j.when = *w;
      } else if (k == "allow_failure")
        kw_.read_allow_failure(v, j);
      else if (k == "needs")
        kw_.read_needs(v, j);
      else if (k == "dependencies")
        j.dependencies = kw_.strings(v, "dependencies");
      else if (k == "rules")
        j.rules = kw_.rules(v);
      else if (k == "only")
        j.only = kw_.ref_filter(v, "only");
      else if (k == "except")
        j.except = kw_.ref_filter(v, "except");
      else if (k == "timeout") {
        auto d = v.is_scalar() ? timefmt::parse_duration(v.scalar) : std::nullopt;
        if (!d || d->count() <= 0)
          error(v.where, "timeout '" + v.scalar + "' is not a duration (e.g. 30m, 1h 30m, 90s)");
        else
          j.timeout = *d;
      } else if (k == "environment")
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
        j.coverage = v.scalar;
      else if (k == "resource_group")
        j.resource_group = v.scalar;
      else if (k == "trigger") {
        has_trigger = true;
        read_trigger(v, j);
      } else if (k == "inherit")
        kw_.read_inherit(v, j);
      else if (k == "cache") {
        for (const auto& c : v.is_sequence() ? v.items : std::vector<Node>{v})
          j.cache.push_back(kw_.cache(c));
      } else if (std::find(kJobKeywords.begin(), kJobKeywords.end(), k) == kJobKeywords.end()) {
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
    if (has_trigger && has_script)
      error(where, "job '" + name + "' has both trigger and script; a trigger job runs no script");
    else if (!has_script && !has_trigger && j.unrunnable.empty())
      error(where,
            "job '" + name + "' has no script" +
                std::string(str::closest(name, reserved_top_level_keys()).empty()
                                ? " (hide a template by starting its name with '.')"
                                : " (is '" + name + "' a misspelt keyword '" +
                                      str::closest(name, reserved_top_level_keys()) + "'?)"));
    else if (has_script && j.script.empty() && j.unrunnable.empty() &&
             errors_.size() == errors_before)
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
          if (!names.count(n.job) && !n.optional &&
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
            error(j.where, "job '" + j.name + "' has dependency '" + d + "', which is not a job");
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

  std::string file_;
  std::string project_dir_;
  const LoadOptions& options_;
  std::vector<Includer::Unavailable> unavailable_;
  std::map<std::string, std::string> unrunnable_;
  std::vector<Error> errors_;
  KeywordReader kw_{errors_};
};

}  // namespace

const std::vector<std::string>& job_keywords() {
  return kJobKeywords;
}

Pipeline load_pipeline_text(const std::string& text, const std::string& file,
                            const std::string& project_dir, const LoadOptions& options) {
  Node root = yaml::load(text, file);
  Loader loader(file, project_dir, options);
  return loader.load(std::move(root));
}

yaml::Node resolve_pipeline_file(const std::string& file, const LoadOptions& options) {
  std::filesystem::path path = std::filesystem::absolute(file);
  std::vector<Error> errors;
  Resolved resolved = resolve(yaml::load_file(path.string()),
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
