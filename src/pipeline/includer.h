#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/include_fetch.h"
#include "pipeline/planner.h"
#include "util/error.h"
#include "util/yaml.h"

namespace tollgate::pipeline {

// What include: reads besides the file itself.
struct IncludeContext {
  std::filesystem::path project_dir;
  // The variables include entries and include:rules see: predefined, the project's and --var
  // (GitLab does not give includes the file's own `variables:`), and the change set and files
  // that `changes:` and `exists:` read. Null: every include is taken, variables are left as
  // written.
  const PlanContext* plan = nullptr;
  // Files from outside the project (remote, template, project, component). Null: they are
  // unavailable.
  IncludeFetcher* fetcher = nullptr;
};

// Merges every file a pipeline includes under it, as GitLab does before anything else: each
// include entry (`local`, `remote`, `template`, `project` with `file` and `ref`, `component`,
// a bare string) whose `rules` hold; variables in it expanded; a file's `spec:inputs` filled from
// the entry's `inputs`; nested includes followed (a `local` one inside a `project` or
// `component` file is a file of that project, at that ref). The including file wins.
// A file that cannot be had (no network, a 404, --offline with nothing cached) does not stop
// the pipeline: it is left out and listed in unavailable(); everything else wrong is an error.
class Includer {
 public:
  Includer(IncludeContext context, std::vector<Error>& errors);

  yaml::Node expand(yaml::Node root);

  // Each include left out: what it names ("template: Jobs/SAST.gitlab-ci.yml") and why.
  struct Unavailable {
    std::string label;
    std::string why;
  };
  const std::vector<Unavailable>& unavailable() const { return unavailable_; }

  // Where an included file came from, for the includes it holds in turn.
  struct Origin {
    enum class Kind { Project, Remote, Template, OtherProject } kind = Kind::Project;
    std::string project;  // OtherProject: its path
    std::string ref;      // OtherProject: the ref it was read at
  };

  // One file read for an include entry.
  struct File {
    std::string id;  // what a cycle is told by: a path or a URL
    std::string text;
    std::string name;  // the name in messages: a path, or the include's label
    Origin origin;
  };

 private:
  yaml::Node expand(yaml::Node root, const Origin& origin, int depth);
  void take(const yaml::Node& item, const Origin& origin, int depth, yaml::Node& merged);
  bool rules_hold(const yaml::Node& item);
  std::string expanded(const yaml::Node& value);
  std::vector<File> files_of(const yaml::Node& item, const Origin& origin);
  std::vector<File> local_files(const std::string& pattern, const SourceLocation& where,
                                const Origin& origin);
  std::vector<File> project_files(const yaml::Node& item);
  std::vector<File> component_files(const yaml::Node& item);
  std::string server_url() const;  // the GitLab instance, or "" without a fetcher
  File fetched(const std::string& label, const std::string& url, bool json, Origin origin);
  yaml::Node load_with_inputs(const File& file, const yaml::Node& item);

  IncludeContext context_;
  VariableSet variables_;
  std::vector<Error>& errors_;
  std::vector<std::string> stack_;
  std::vector<Unavailable> unavailable_;
  int count_ = 0;
};

// Why a job that refers to an undefined name cannot run: "it may come from template: X, which
// could not be included" (every include left out, by name: the warnings say why).
std::string maybe_from(const std::vector<Includer::Unavailable>& unavailable);

}  // namespace tollgate::pipeline
