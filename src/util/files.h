#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace tollgate::files {

// A read-only descriptor (close-on-exec) of path, which must be a regular file (after
// symlinks): a FIFO would block the reader forever and /dev/zero never ends, so anything else is
// an Error naming what it is. Every reader of a named input opens it here; stdin is read only
// when the user asks for it with "-".
int open_regular(const std::filesystem::path& path);
// path (relative to root, or absolute) after "..", "." and symlinks, when it stays inside root
// (itself resolved); nullopt when it leads out. For names taken from input that must not reach
// outside their directory: include:local files, blobs of an image layout.
std::optional<std::filesystem::path> inside(const std::filesystem::path& root,
                                            const std::filesystem::path& path);
// Whole-file read, through open_regular; throws Error naming the path and the reason.
std::string read(const std::filesystem::path& path);
// At most `most` bytes from `offset` on (fewer at the end of the file): the new part of a log
// that grows. Throws Error as read() does.
std::string read_range(const std::filesystem::path& path, uint64_t offset, size_t most);
// Writes via a temporary file and rename, so readers never see half a file.
void write_atomic(const std::filesystem::path& path, std::string_view data);
// Creates a fresh private directory under $TMPDIR (or /tmp) named prefix.XXXXXX.
std::filesystem::path make_temp_dir(std::string_view prefix);

// Removes a directory tree when it goes out of scope.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "tollgate") : path_(make_temp_dir(prefix)) {}
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace tollgate::files
