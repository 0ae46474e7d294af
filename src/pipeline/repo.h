#pragma once

#include <optional>
#include <string>
#include <vector>

namespace tollgate::pipeline {

// What the pipeline knows of the project's git repository (all empty when it is not one).
struct RepoInfo {
  bool is_git = false;
  std::string sha;
  std::string short_sha;
  std::string branch;  // empty on a detached HEAD
  std::string tag;     // a tag pointing at HEAD, if any
  std::string default_branch;
  std::string title;    // first line of the commit message
  std::string message;  // the whole message
  std::string author;   // "Name <email>"
  std::string timestamp;
  std::string before_sha;  // HEAD~1, or 40 zeros
};
RepoInfo read_repo(const std::string& dir);

// The files `changes:` compares against: changed between `base` and the working tree, plus
// untracked files. known is false without git (then every `changes` counts as true).
struct ChangeSet {
  bool known = false;
  std::string base;  // the revision compared with
  std::string why;   // how base was chosen, for `tollgate plan`
  std::vector<std::string> files;
};
// since: --changes-since; default: the merge base with the default branch when HEAD is on
// another branch, else HEAD~1 (a first commit counts every file as changed).
ChangeSet changed_files(const std::string& dir, const RepoInfo& repo,
                        const std::optional<std::string>& since);

// Every file of the project a job's copy holds: tracked and untracked but not ignored (git), or
// every file below dir (no git). Relative paths; .git and .tollgate never included.
std::vector<std::string> project_files(const std::string& dir, bool is_git);

}  // namespace tollgate::pipeline
