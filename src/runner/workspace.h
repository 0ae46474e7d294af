#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "pipeline/model.h"

namespace tollgate::runner {

// Copies one file: a reflink when the filesystem can share blocks, else an in-kernel
// copy_file_range. Symlinks are recreated as links; modes are kept.
void clone_file(const std::filesystem::path& from, const std::filesystem::path& to);

// Fills dir with a fresh copy of the project's files (relative paths), so a job cannot see
// another job's leftovers or change the working tree. Returns how many files were copied.
size_t make_workspace(const std::filesystem::path& project_dir,
                      const std::vector<std::string>& files, const std::filesystem::path& dir);

// Copies the files `artifacts:` selects from a finished job's workspace into dest (paths kept):
// `paths` (files, directories, globs), minus `exclude`, plus untracked files when asked. Returns
// the relative paths collected.
std::vector<std::string> collect_artifacts(const std::filesystem::path& workspace,
                                           const pipeline::Artifacts& artifacts,
                                           const std::vector<std::string>& project_files,
                                           const std::filesystem::path& dest);

// Copies everything under from into to (a later job's workspace), replacing what is there.
void restore_tree(const std::filesystem::path& from, const std::filesystem::path& to);

// Reads a dotenv report as GitLab does: KEY=VALUE lines (key [A-Za-z0-9_]), optional quotes
// around the value, the last duplicate wins; at most 5 KB and 20 variables. Throws Error with
// file:line on a malformed line or past a limit (GitLab then fails the job).
std::vector<std::pair<std::string, std::string>> read_dotenv(const std::filesystem::path& file);

}  // namespace tollgate::runner
