#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::scan {

// The largest package database or release file read into memory (a real dpkg status is a few
// MiB): a larger one is refused, in a layer or in a root filesystem, whatever it claims.
inline constexpr uint64_t kMaxKeptFileBytes = 256ULL << 20;

// A read-only view of an image's merged root filesystem. Paths are absolute inside the image
// ("/etc/os-release"); symlinks are resolved inside the image as a chroot would (an absolute
// target starts again at the image root, ".." stops at the root), never on the host.
class ImageFs {
 public:
  virtual ~ImageFs() = default;

  // The contents of the regular file at path (symlinks followed); nullopt when there is none.
  std::optional<std::string> read(std::string_view path) const;
  // The names in the directory at path (symlinks followed), sorted; empty when there is none.
  std::vector<std::string> list(std::string_view path) const;
  // The path with every symlink resolved, or nullopt if a component is missing or the links loop.
  std::optional<std::string> resolve(std::string_view path) const;

 protected:
  enum class Kind { Missing, File, Directory, Symlink, Other };
  struct Node {
    Kind kind = Kind::Missing;
    std::string target;  // for symlinks
  };
  // Primitives over canonical paths ("/a/b", no symlinks in the parent components).
  virtual Node stat(const std::string& path) const = 0;
  virtual std::optional<std::string> read_file(const std::string& path) const = 0;
  virtual std::vector<std::string> list_dir(const std::string& path) const = 0;
};

// A root filesystem directory on the host (tollgate scan rootfs DIR).
class DirectoryFs : public ImageFs {
 public:
  explicit DirectoryFs(std::filesystem::path root);

 protected:
  Node stat(const std::string& path) const override;
  std::optional<std::string> read_file(const std::string& path) const override;
  std::vector<std::string> list_dir(const std::string& path) const override;

 private:
  std::filesystem::path root_;
};

// The files of an image that the analyzers need, collected while streaming its layers: the
// package databases and release files, every symlink and directory. Nothing touches the disk.
class LayeredFs : public ImageFs {
 public:
  // Whether a path's contents are worth keeping (package databases, os-release ...).
  static bool wanted(std::string_view path);

  void add_file(const std::string& path, std::string contents);
  void add_directory(const std::string& path);
  void add_symlink(const std::string& path, std::string target);
  // A file the analyzers do not read: it still hides what lower layers had at that path.
  void add_other(const std::string& path);
  // The hard link `path` gets whatever `target` is now.
  void add_hardlink(const std::string& path, const std::string& target);
  // Whiteouts: ".wh.name" removes dir/name from lower layers; ".wh..wh..opq" empties dir of
  // everything lower layers put there. Entries of the current layer stay.
  void remove(const std::string& path);
  void make_opaque(const std::string& dir);
  // Marks the start of a new layer (what is added from now on is "current").
  void begin_layer();
  // The bytes of file contents kept, each counted once however many hard links name it.
  size_t kept_bytes() const { return kept_bytes_; }

 protected:
  Node stat(const std::string& path) const override;
  std::optional<std::string> read_file(const std::string& path) const override;
  std::vector<std::string> list_dir(const std::string& path) const override;

 private:
  struct Entry {
    Kind kind = Kind::File;
    std::string data;                             // a symlink's target
    std::shared_ptr<const std::string> contents;  // a file's, shared by its hard links
    uint64_t layer = 0;
  };
  void put(const std::string& path, Entry e);
  void forget(const Entry& e);
  void erase_below(const std::string& dir, bool keep_current_layer);
  void ensure_parents(const std::string& path);

  std::map<std::string, Entry> entries_;  // "/etc/os-release" -> ...
  uint64_t layer_ = 0;
  size_t kept_bytes_ = 0;
};

// Normalises an in-archive path to "/a/b" (drops "./", duplicate and trailing slashes); nullopt
// when a ".." component would climb out of the root.
std::optional<std::string> normalize_image_path(std::string_view path);

}  // namespace tollgate::scan
