#include "util/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "util/error.h"

namespace tollgate::files {

namespace {

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a plain file";
}

}  // namespace

int open_regular(const std::filesystem::path& path) {
  // O_NONBLOCK: opening a FIFO with no writer would otherwise wait here for one.
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    throw Error(SourceLocation{path.string()}, std::string("cannot read: ") + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    throw Error(SourceLocation{path.string()},
                std::string("cannot read: ") + kind_of(st.st_mode) +
                    ", not a regular file (tollgate reads inputs from regular files only)");
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

std::optional<std::filesystem::path> inside(const std::filesystem::path& root,
                                            const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path base = fs::weakly_canonical(root, ec);
  if (ec) return std::nullopt;
  fs::path real = fs::weakly_canonical(path.is_absolute() ? path : root / path, ec);
  if (ec) return std::nullopt;
  auto [end, unused] = std::mismatch(base.begin(), base.end(), real.begin(), real.end());
  if (end != base.end()) return std::nullopt;
  return real;
}

std::string read_range(const std::filesystem::path& path, uint64_t offset, size_t most) {
  int fd = open_regular(path);
  struct stat st {};
  uint64_t size = fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
  std::string data(offset < size ? std::min<uint64_t>(size - offset, most) : 0, '\0');
  size_t got = 0;
  while (got < data.size()) {
    ssize_t n = pread(fd, data.data() + got, data.size() - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // shorter than it was a moment ago: what is there
    got += static_cast<size_t>(n);
  }
  close(fd);
  data.resize(got);
  return data;
}

std::string read(const std::filesystem::path& path) {
  int fd = open_regular(path);
  std::string data;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      throw Error(SourceLocation{path.string()}, std::string("cannot read: ") + std::strerror(err));
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return data;
}

void write_atomic(const std::filesystem::path& path, std::string_view data) {
  // A device, fifo or socket (--output /dev/stdout, /dev/null) is written in place: renaming
  // a temporary file over it would replace the device with a plain file.
  struct stat st {};
  if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    std::ofstream out(path, std::ios::binary);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out)
      throw Error(SourceLocation{path.string()},
                  "cannot write: " + std::string(std::strerror(errno)));
    return;
  }
  std::filesystem::path tmp = path;
  tmp += ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      throw Error(SourceLocation{path.string()},
                  "cannot write: " + std::string(std::strerror(errno)));
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out) throw Error(SourceLocation{path.string()}, "cannot write: disk full?");
  }
  // The new file takes the old one's place in one step. An existing file is swapped with
  // RENAME_EXCHANGE and the old content then removed: a rename over an existing file makes ext4
  // allocate and start writing the new file's blocks at once (its auto_da_alloc guard against
  // empty files after a crash), which cost a 7 MB report 12 ms; readers still see the old file
  // or the new one, never a mix. Filesystems without the exchange get the plain rename.
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) == 0) {
    ::unlink(tmp.c_str());
    return;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp);
    throw Error(SourceLocation{path.string()}, "cannot write: " + ec.message());
  }
}

std::filesystem::path make_temp_dir(std::string_view prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string templ =
      std::string(base && *base ? base : "/tmp") + "/" + std::string(prefix) + ".XXXXXX";
  if (!mkdtemp(templ.data()))
    throw Error("cannot create a temporary directory in " + templ + ": " + std::strerror(errno));
  return templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace tollgate::files
