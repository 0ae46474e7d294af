#include "runner/workspace.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "pipeline/glob.h"
#include "util/error.h"
#include "util/files.h"
#include "util/strings.h"

namespace tollgate::runner {
namespace fs = std::filesystem;

namespace {

constexpr size_t kDotenvMaxBytes = 5 * 1024;
constexpr size_t kDotenvMaxVariables = 20;

[[noreturn]] void fail(const fs::path& path, const std::string& what) {
  throw Error(SourceLocation{path.string()}, what + ": " + std::strerror(errno));
}

void walk_files(const fs::path& root, const fs::path& start, std::vector<std::string>& out) {
  std::error_code ec;
  if (fs::is_symlink(start, ec) || fs::is_regular_file(start, ec)) {
    out.push_back(fs::relative(start, root).string());
    return;
  }
  for (auto it = fs::recursive_directory_iterator(start, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (!it->is_directory(ec) || it->is_symlink(ec))
      out.push_back(fs::relative(it->path(), root).string());
  }
}

// Creates `to` for writing, never through what is there: a file or link already at `to` (an
// artifact handed on over the project's copy) is removed first. A fresh workspace has nothing
// there, so the common case is one open.
int create_exclusive(const fs::path& to, mode_t mode) {
  int out = open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (out < 0 && errno == EEXIST) {
    unlink(to.c_str());
    out = open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  }
  return out;
}

// Copies the bytes: a reflink while the filesystem takes one (try_reflink is cleared at its
// first refusal, so a tree on ext4 does not ask again for every file), else copy_file_range,
// else read and write.
void copy_bytes(int in, int out, off_t size, const fs::path& to, bool& try_reflink) {
  if (try_reflink) {
    if (ioctl(out, FICLONE, in) == 0) return;
    try_reflink = false;
  }
  off_t left = size;
  while (left > 0) {
    ssize_t n = copy_file_range(in, nullptr, out, nullptr, static_cast<size_t>(left), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    left -= n;
  }
  if (left <= 0) return;
  // Some filesystems refuse copy_file_range: the rest by read and write.
  char buf[65536];
  ssize_t r;
  while ((r = read(in, buf, sizeof buf)) > 0)
    if (write(out, buf, static_cast<size_t>(r)) != r) fail(to, "cannot write");
}

// One entry whose lstat is st into `to`, whose directory exists: a link is recreated, a
// regular file copied with its mode; sockets and FIFOs are not project content.
void copy_entry(const fs::path& from, const struct stat& st, const fs::path& to,
                bool& try_reflink) {
  if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    fs::path target = fs::read_symlink(from, ec);
    fs::remove(to, ec);
    fs::create_symlink(target, to, ec);
    if (ec) throw Error(SourceLocation{to.string()}, "cannot create a link: " + ec.message());
    return;
  }
  if (!S_ISREG(st.st_mode)) return;
  int in = open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) fail(from, "cannot read");
  int out = create_exclusive(to, st.st_mode & 07777);
  if (out < 0) {
    close(in);
    fail(to, "cannot write");
  }
  try {
    copy_bytes(in, out, st.st_size, to, try_reflink);
  } catch (...) {
    close(in);
    close(out);
    throw;
  }
  close(in);
  close(out);
}

}  // namespace

void clone_file(const fs::path& from, const fs::path& to) {
  struct stat st {};
  if (lstat(from.c_str(), &st) != 0) fail(from, "cannot read");
  fs::create_directories(to.parent_path());
  bool try_reflink = true;
  copy_entry(from, st, to, try_reflink);
}

size_t make_workspace(const fs::path& project_dir, const std::vector<std::string>& files,
                      const fs::path& dir) {
  fs::create_directories(dir);
  std::set<fs::path> made;
  size_t copied = 0;
  bool try_reflink = true;
  for (const auto& rel : files) {
    fs::path from = project_dir / rel;
    struct stat st {};
    if (lstat(from.c_str(), &st) != 0) continue;  // tracked but deleted in the working tree
    fs::path to = dir / rel;
    fs::path parent = to.parent_path();
    if (!made.count(parent)) {
      fs::create_directories(parent);
      made.insert(parent);
    }
    copy_entry(from, st, to, try_reflink);
    ++copied;
  }
  return copied;
}

std::vector<std::string> collect_artifacts(const fs::path& workspace,
                                           const pipeline::Artifacts& artifacts,
                                           const std::vector<std::string>& project_files,
                                           const fs::path& dest) {
  std::vector<std::string> all;
  walk_files(workspace, workspace, all);
  std::set<std::string> selected;
  for (const auto& pattern : artifacts.paths) {
    std::string p = pattern;
    while (p.size() > 1 && p.back() == '/')
      p.pop_back();
    if (p.rfind("./", 0) == 0) p = p.substr(2);
    for (const auto& f : all) {
      // A directory path selects everything below it.
      if (f == p || f.rfind(p + "/", 0) == 0 || pipeline::glob_match(p, f) ||
          pipeline::glob_match(p + "/**/*", f))
        selected.insert(f);
    }
  }
  if (artifacts.untracked) {
    std::set<std::string> tracked(project_files.begin(), project_files.end());
    for (const auto& f : all)
      if (!tracked.count(f)) selected.insert(f);
  }
  for (const auto& report : artifacts.dotenv)
    for (const auto& f : all)
      if (f == report || pipeline::glob_match(report, f)) selected.insert(f);
  for (const auto& [type, paths] : artifacts.reports)
    for (const auto& report : paths)
      for (const auto& f : all)
        if (f == report || pipeline::glob_match(report, f)) selected.insert(f);
  std::vector<std::string> out;
  for (const auto& f : selected) {
    bool excluded = false;
    for (const auto& ex : artifacts.exclude)
      if (pipeline::glob_match(ex, f) || f.rfind(ex + "/", 0) == 0) excluded = true;
    if (excluded) continue;
    clone_file(workspace / f, dest / f);
    out.push_back(f);
  }
  return out;
}

void restore_tree(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  if (!fs::exists(from, ec)) return;
  std::vector<std::string> files;
  walk_files(from, from, files);
  for (const auto& f : files)
    clone_file(from / f, to / f);
}

std::vector<std::pair<std::string, std::string>> read_dotenv(const fs::path& file) {
  std::string text = files::read(file);
  // GitLab refuses the whole report (and the upload fails the job) past these limits.
  if (text.size() > kDotenvMaxBytes)
    throw Error(SourceLocation{file.string()}, "dotenv report is " + std::to_string(text.size()) +
                                                   " bytes; GitLab accepts at most 5 KB");
  std::vector<std::pair<std::string, std::string>> out;
  int line_no = 0;
  for (const auto& raw : str::split_lines(text)) {
    ++line_no;
    std::string_view line = raw;
    size_t eq = line.find('=');
    std::string key(line.substr(0, eq == std::string_view::npos ? 0 : eq));
    bool valid_key = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
    if (eq == std::string_view::npos || !valid_key)
      throw Error(SourceLocation{file.string(), line_no, 1},
                  "dotenv report line is not KEY=VALUE (GitLab allows no blank lines, comments "
                  "or spaces around '='): " +
                      std::string(line));
    std::string value(str::trim(line.substr(eq + 1)));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front())
      value = value.substr(1, value.size() - 2);
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& kv) { return kv.first == key; });
    if (it != out.end())
      it->second = value;
    else
      out.emplace_back(key, value);
  }
  if (out.size() > kDotenvMaxVariables)
    throw Error(SourceLocation{file.string()},
                "dotenv report sets " + std::to_string(out.size()) +
                    " variables; GitLab accepts at most 20 (its default limit)");
  return out;
}

}  // namespace tollgate::runner
