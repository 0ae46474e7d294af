#include "scan/image_fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "util/error.h"
#include "util/strings.h"

namespace tollgate::scan {
namespace {

constexpr int kMaxSymlinkHops = 40;  // as Linux's MAXSYMLINKS

std::vector<std::string> components(std::string_view path) {
  std::vector<std::string> out;
  for (auto& part : str::split(path, '/'))
    if (!part.empty() && part != ".") out.push_back(std::move(part));
  return out;
}

std::string join_path(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts)
    out += "/" + p;
  return out.empty() ? "/" : out;
}

}  // namespace

std::optional<std::string> normalize_image_path(std::string_view path) {
  std::vector<std::string> out;
  for (auto& part : components(path)) {
    if (part == "..") return std::nullopt;
    out.push_back(std::move(part));
  }
  return join_path(out);
}

std::optional<std::string> ImageFs::resolve(std::string_view path) const {
  std::vector<std::string> todo = components(path);
  std::reverse(todo.begin(), todo.end());  // a stack: back() is the next component
  std::vector<std::string> done;
  int hops = 0;
  while (!todo.empty()) {
    std::string part = std::move(todo.back());
    todo.pop_back();
    if (part == "..") {
      if (!done.empty()) done.pop_back();  // ".." at the root stays at the root
      continue;
    }
    done.push_back(part);
    Node node = stat(join_path(done));
    if (node.kind == Kind::Missing) return std::nullopt;
    if (node.kind != Kind::Symlink) continue;
    if (++hops > kMaxSymlinkHops) return std::nullopt;
    done.pop_back();
    if (!node.target.empty() && node.target[0] == '/') done.clear();
    std::vector<std::string> target = components(node.target);
    for (auto it = target.rbegin(); it != target.rend(); ++it)
      todo.push_back(*it);
  }
  return join_path(done);
}

std::optional<std::string> ImageFs::read(std::string_view path) const {
  auto real = resolve(path);
  if (!real || stat(*real).kind != Kind::File) return std::nullopt;
  return read_file(*real);
}

std::vector<std::string> ImageFs::list(std::string_view path) const {
  auto real = resolve(path);
  if (!real || stat(*real).kind != Kind::Directory) return {};
  auto names = list_dir(*real);
  std::sort(names.begin(), names.end());
  return names;
}

// --- DirectoryFs ---------------------------------------------------------------------------

DirectoryFs::DirectoryFs(std::filesystem::path root) : root_(std::move(root)) {}

ImageFs::Node DirectoryFs::stat(const std::string& path) const {
  std::string host = root_.string() + path;
  struct stat st;
  if (::lstat(host.c_str(), &st) != 0) return {};
  if (S_ISLNK(st.st_mode)) {
    std::string target(4096, '\0');
    ssize_t n = ::readlink(host.c_str(), target.data(), target.size());
    if (n < 0) return {};
    target.resize(static_cast<size_t>(n));
    return {Kind::Symlink, target};
  }
  if (S_ISREG(st.st_mode)) return {Kind::File, ""};
  if (S_ISDIR(st.st_mode)) return {Kind::Directory, ""};
  return {Kind::Other, ""};
}

std::optional<std::string> DirectoryFs::read_file(const std::string& path) const {
  std::string host = root_.string() + path;
  // O_NOFOLLOW: resolve() already walked every link inside the root; a link swapped in since
  // then must not lead out of it.
  // O_NONBLOCK: a FIFO must not block the open; only a regular file is read.
  int fd = ::open(host.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return std::nullopt;
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxKeptFileBytes) {
    ::close(fd);
    throw Error(SourceLocation{host}, std::to_string(st.st_size) +
                                          " bytes is too large for a package database (the "
                                          "limit is " +
                                          std::to_string(kMaxKeptFileBytes >> 20) + " MiB)");
  }
  std::string out;
  char buf[1 << 16];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0)
    out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  if (n < 0) return std::nullopt;
  return out;
}

std::vector<std::string> DirectoryFs::list_dir(const std::string& path) const {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(root_.string() + path, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    out.push_back(it->path().filename().string());
  return out;
}

// --- LayeredFs -----------------------------------------------------------------------------

bool LayeredFs::wanted(std::string_view path) {
  static const std::set<std::string_view> kFiles = {
      "/etc/os-release",       "/usr/lib/os-release",   "/etc/debian_version",
      "/etc/alpine-release",   "/etc/apk/repositories", "/var/lib/dpkg/status",
      "/lib/apk/db/installed",
  };
  return kFiles.count(path) || path.starts_with("/var/lib/dpkg/status.d/");
}

void LayeredFs::begin_layer() {
  ++layer_;
}

void LayeredFs::ensure_parents(const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    std::string parent = path.substr(0, slash);
    auto it = entries_.find(parent);
    if (it == entries_.end()) entries_[parent] = Entry{.kind = Kind::Directory, .layer = layer_};
  }
}

void LayeredFs::forget(const Entry& e) {
  // The last name of a file's contents (hard links share them) takes its bytes with it.
  if (e.kind == Kind::File && e.contents.use_count() == 1) kept_bytes_ -= e.contents->size();
}

void LayeredFs::erase_below(const std::string& dir, bool keep_current_layer) {
  std::string prefix = dir == "/" ? "/" : dir + "/";
  for (auto it = entries_.lower_bound(prefix);
       it != entries_.end() && it->first.starts_with(prefix);) {
    if (keep_current_layer && it->second.layer == layer_) {
      ++it;
      continue;
    }
    forget(it->second);
    it = entries_.erase(it);
  }
}

void LayeredFs::put(const std::string& path, Entry e) {
  if (path == "/") return;
  ensure_parents(path);
  auto it = entries_.find(path);
  if (it != entries_.end()) {
    // A directory replaced by anything else takes its contents with it.
    if (it->second.kind == Kind::Directory && e.kind != Kind::Directory) erase_below(path, false);
    forget(it->second);
  }
  e.layer = layer_;
  entries_[path] = std::move(e);
}

void LayeredFs::add_file(const std::string& path, std::string contents) {
  kept_bytes_ += contents.size();
  Entry e{.kind = Kind::File};
  e.contents = std::make_shared<const std::string>(std::move(contents));
  put(path, std::move(e));
}
void LayeredFs::add_directory(const std::string& path) {
  auto it = entries_.find(path);
  if (it != entries_.end() && it->second.kind == Kind::Directory) return;
  put(path, Entry{.kind = Kind::Directory});
}
void LayeredFs::add_symlink(const std::string& path, std::string target) {
  put(path, Entry{.kind = Kind::Symlink, .data = std::move(target)});
}
void LayeredFs::add_other(const std::string& path) {
  // Nothing to keep; forgetting the path is enough to hide what lower layers had there.
  remove(path);
}
void LayeredFs::add_hardlink(const std::string& path, const std::string& target) {
  auto it = entries_.find(target);
  if (it == entries_.end()) return add_other(path);
  Entry link = it->second;  // a file's contents are shared, not copied
  put(path, std::move(link));
}

void LayeredFs::remove(const std::string& path) {
  auto it = entries_.find(path);
  if (it == entries_.end()) return;
  forget(it->second);
  entries_.erase(it);
  erase_below(path, false);
}

void LayeredFs::make_opaque(const std::string& dir) {
  erase_below(dir, true);
}

ImageFs::Node LayeredFs::stat(const std::string& path) const {
  if (path == "/") return {Kind::Directory, ""};
  auto it = entries_.find(path);
  if (it == entries_.end()) return {};
  if (it->second.kind == Kind::Symlink) return {Kind::Symlink, it->second.data};
  return {it->second.kind, ""};
}

std::optional<std::string> LayeredFs::read_file(const std::string& path) const {
  auto it = entries_.find(path);
  if (it == entries_.end() || it->second.kind != Kind::File) return std::nullopt;
  return *it->second.contents;
}

std::vector<std::string> LayeredFs::list_dir(const std::string& path) const {
  std::vector<std::string> out;
  std::string prefix = path == "/" ? "/" : path + "/";
  for (auto it = entries_.lower_bound(prefix);
       it != entries_.end() && it->first.starts_with(prefix); ++it) {
    std::string_view rest = std::string_view(it->first).substr(prefix.size());
    if (rest.find('/') == std::string_view::npos) out.emplace_back(rest);
  }
  return out;
}

}  // namespace tollgate::scan
