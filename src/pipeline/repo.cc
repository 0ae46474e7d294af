#include "pipeline/repo.h"

#include <algorithm>
#include <filesystem>

#include "util/error.h"
#include "util/process.h"
#include "util/strings.h"

namespace tollgate::pipeline {
namespace {

// Runs git in dir; nullopt when it fails.
std::optional<std::string> git(const std::string& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {"git", "-C", dir});
  process::Command cmd(std::move(args));
  try {
    process::Captured c = process::run_capture(cmd);
    if (c.outcome.exit_code != 0) return std::nullopt;
    std::string out = c.output;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
      out.pop_back();
    return out;
  } catch (const Error&) {
    return std::nullopt;
  }
}

bool excluded_path(const std::string& rel) {
  return rel == ".git" || rel.rfind(".git/", 0) == 0 || rel == ".tollgate" ||
         rel.rfind(".tollgate/", 0) == 0;
}

}  // namespace

RepoInfo read_repo(const std::string& dir) {
  RepoInfo r;
  // One git call for everything about HEAD keeps start-up cheap.
  // %h at 8 digits at least: GitLab's $CI_COMMIT_SHORT_SHA is the first eight.
  auto head = git(dir, {"log", "-1", "--abbrev=8", "--format=%H%n%h%n%an <%ae>%n%cI%n%B"});
  if (!head) {
    r.is_git = git(dir, {"rev-parse", "--git-dir"}).has_value();
    return r;
  }
  r.is_git = true;
  std::vector<std::string> lines = str::split(*head, '\n');
  if (lines.size() >= 4) {
    r.sha = lines[0];
    r.short_sha = lines[1];
    r.author = lines[2];
    r.timestamp = lines[3];
    std::vector<std::string> msg(lines.begin() + 4, lines.end());
    r.message = str::join(msg, "\n");
    r.title = msg.empty() ? "" : msg.front();
  }
  r.branch = git(dir, {"symbolic-ref", "--short", "-q", "HEAD"}).value_or("");
  r.tag = git(dir, {"describe", "--tags", "--exact-match", "HEAD"}).value_or("");
  r.before_sha = git(dir, {"rev-parse", "-q", "--verify", "HEAD~1"})
                     .value_or("0000000000000000000000000000000000000000");
  if (auto origin = git(dir, {"symbolic-ref", "--short", "-q", "refs/remotes/origin/HEAD"})) {
    r.default_branch = origin->substr(origin->find('/') + 1);
  } else {
    for (const char* candidate : {"main", "master"}) {
      if (git(dir, {"rev-parse", "-q", "--verify", std::string("refs/heads/") + candidate})) {
        r.default_branch = candidate;
        break;
      }
    }
    if (r.default_branch.empty()) r.default_branch = r.branch.empty() ? "main" : r.branch;
  }
  return r;
}

ChangeSet changed_files(const std::string& dir, const RepoInfo& repo,
                        const std::optional<std::string>& since) {
  ChangeSet cs;
  if (!repo.is_git) {
    cs.why = "not a git repository: every 'changes' counts as true";
    return cs;
  }
  if (since) {
    if (!git(dir, {"rev-parse", "-q", "--verify", *since + "^{commit}"}))
      throw Error("--changes-since " + *since + ": no such revision in " + dir);
    cs.base = *since;
    cs.why = "--changes-since " + *since;
  } else if (!repo.branch.empty() && repo.branch != repo.default_branch) {
    auto base = git(dir, {"merge-base", "HEAD", repo.default_branch});
    if (base) {
      cs.base = *base;
      cs.why = "merge base of " + repo.branch + " with " + repo.default_branch;
    }
  }
  if (cs.base.empty()) {
    if (repo.before_sha.find_first_not_of('0') == std::string::npos || repo.sha.empty()) {
      // A first commit: like a new branch on GitLab, everything counts as changed.
      cs.known = true;
      cs.why = "first commit: every file counts as changed";
      cs.files = project_files(dir, true);
      return cs;
    }
    cs.base = "HEAD~1";
    cs.why = "the previous commit (HEAD~1)";
  }
  auto diff = git(dir, {"diff", "--name-only", "--relative", "--no-renames", "-z", cs.base});
  auto untracked = git(dir, {"ls-files", "--others", "--exclude-standard", "-z"});
  if (!diff || !untracked) {
    cs.why = "git diff failed: every 'changes' counts as true";
    return cs;
  }
  cs.known = true;
  for (const auto* list : {&*diff, &*untracked})
    for (auto& f : str::split(*list, '\0'))
      if (!f.empty() && !excluded_path(f)) cs.files.push_back(f);
  std::sort(cs.files.begin(), cs.files.end());
  cs.files.erase(std::unique(cs.files.begin(), cs.files.end()), cs.files.end());
  return cs;
}

std::vector<std::string> project_files(const std::string& dir, bool is_git) {
  std::vector<std::string> out;
  if (is_git) {
    if (auto list = git(dir, {"ls-files", "--cached", "--others", "--exclude-standard", "-z"})) {
      for (auto& f : str::split(*list, '\0'))
        if (!f.empty() && !excluded_path(f)) out.push_back(f);
      std::sort(out.begin(), out.end());
      out.erase(std::unique(out.begin(), out.end()), out.end());
      return out;
    }
  }
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    std::string rel = std::filesystem::relative(it->path(), dir).string();
    if (excluded_path(rel)) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_directory()) out.push_back(rel);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace tollgate::pipeline
