#include "scan/tar_index.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "scan/image_fs.h"
#include "util/error.h"

namespace tollgate::scan {
namespace {

constexpr size_t kBlock = 512;

// Numeric header fields: octal text, or base-256 when the top bit of the first byte is set.
uint64_t tar_number(const char* field, size_t len) {
  const auto* u = reinterpret_cast<const unsigned char*>(field);
  if (u[0] & 0x80) {
    uint64_t v = u[0] & 0x7f;
    for (size_t i = 1; i < len; ++i)
      v = (v << 8) | u[i];
    return v;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < len && field[i]; ++i) {
    if (field[i] == ' ') continue;
    if (field[i] < '0' || field[i] > '7') break;
    v = v * 8 + static_cast<uint64_t>(field[i] - '0');
  }
  return v;
}

std::string field(const char* p, size_t len) {
  return std::string(p, strnlen(p, len));
}

// "path=..." records of a pax extended header.
std::string pax_value(const std::string& data, const std::string& key) {
  size_t pos = 0;
  while (pos < data.size()) {
    size_t space = data.find(' ', pos);
    if (space == std::string::npos) break;
    size_t len = std::stoul(data.substr(pos, space - pos));
    if (len == 0 || pos + len > data.size()) break;
    std::string record = data.substr(space + 1, len - (space + 1 - pos) - 1);
    if (record.starts_with(key + "=")) return record.substr(key.size() + 1);
    pos += len;
  }
  return "";
}

}  // namespace

TarIndex::TarIndex(const std::filesystem::path& file) : file_(file) {
  // O_NONBLOCK: opening a FIFO for reading would wait for a writer; index() refuses it.
  fd_ = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd_ < 0)
    throw Error(SourceLocation{file.string()}, std::string("cannot open: ") + std::strerror(errno));
  // No destructor runs for a constructor that throws: every error closes the file here.
  try {
    index();
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
}

bool TarIndex::read_at(char* buf, size_t n, uint64_t at) const {
  return ::pread(fd_, buf, n, static_cast<off_t>(at)) == static_cast<ssize_t>(n);
}

void TarIndex::index() {
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode))
    throw Error(SourceLocation{file_.string()}, "not a regular file");
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);
  char header[kBlock];
  uint64_t offset = 0;
  std::string long_name, long_link;
  while (read_at(header, kBlock, offset)) {
    if (header[0] == '\0') break;  // end-of-archive blocks
    if (std::memcmp(header + 257, "ustar", 5) != 0 && std::memcmp(header + 257, "ustar ", 6) != 0) {
      if (offset == 0)
        throw Error(SourceLocation{file_.string()},
                    "not an uncompressed tar archive (a compressed one must be decompressed "
                    "first: gunzip or zstd -d)");
      break;
    }
    uint64_t size = tar_number(header + 124, 12);
    uint64_t data = offset + kBlock;
    // A size past the end of the file (a base-256 size near 2^64 wrapped the next offset
    // around and looped for ever) is a broken archive, whatever the member's type.
    if (size > file_size - std::min(data, file_size))
      throw Error(SourceLocation{file_.string()},
                  "broken tar archive: member at offset " + std::to_string(offset) + " claims " +
                      std::to_string(size) + " bytes, past the end of the file");
    char type = header[156];
    if (type == 'x' || type == 'L' || type == 'K') {
      read_extended(type, size, data, long_name, long_link);
    } else {
      std::string name = field(header, 100), prefix = field(header + 345, 155);
      if (!prefix.empty()) name = prefix + "/" + name;
      add_member(type, long_name.empty() ? name : long_name,
                 long_link.empty() ? field(header + 157, 100) : long_link, data, size);
      long_name.clear();
      long_link.clear();
    }
    offset = data + (size + kBlock - 1) / kBlock * kBlock;
  }
}

// A pax header (x) or a GNU long name (L) or long link (K): the name or link of the next member.
void TarIndex::read_extended(char type, uint64_t size, uint64_t at, std::string& long_name,
                             std::string& long_link) const {
  if (size > (1 << 20))
    throw Error(SourceLocation{file_.string()}, "tar extended header larger than 1 MiB");
  std::string body(size, '\0');
  if (!read_at(body.data(), size, at))
    throw Error(SourceLocation{file_.string()}, "broken tar extended header");
  if (type == 'x') {
    long_name = pax_value(body, "path");
    long_link = pax_value(body, "linkpath");
  } else if (type == 'L') {
    long_name = field(body.data(), body.size());
  } else {
    long_link = field(body.data(), body.size());
  }
}

void TarIndex::add_member(char type, const std::string& name, const std::string& link,
                          uint64_t data, uint64_t size) {
  auto clean = normalize_image_path(name);
  if (!clean)
    throw Error(SourceLocation{file_.string()},
                "refusing member '" + name + "': it climbs out of the archive");
  if (type == '0' || type == '\0' || type == '7') {
    members_[*clean] = {data, size, ""};
  } else if (type == '2') {
    members_[*clean] = {0, 0, link.empty() ? "." : link};
  } else if (type == '1') {
    auto target = normalize_image_path(link);
    auto it = target ? members_.find(*target) : members_.end();
    if (it != members_.end()) members_[*clean] = it->second;
  }
}

TarIndex::~TarIndex() {
  if (fd_ >= 0) ::close(fd_);
}

const TarIndex::Member& TarIndex::find(const std::string& name) const {
  auto clean = normalize_image_path(name);
  for (int hops = 0; clean && hops < 16; ++hops) {
    auto it = members_.find(*clean);
    if (it == members_.end()) break;
    if (it->second.link.empty()) return it->second;
    std::string target = it->second.link;
    std::string base = target[0] == '/' ? "" : clean->substr(0, clean->rfind('/'));
    // Resolve ".." inside the archive; climbing out of it leaves `clean` empty.
    std::vector<std::string> parts;
    bool escaped = false;
    for (const auto& part : std::vector<std::string>{base, target}) {
      size_t start = 0;
      while (start <= part.size()) {
        size_t slash = part.find('/', start);
        std::string c =
            part.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (c == "..") {
          if (parts.empty())
            escaped = true;
          else
            parts.pop_back();
        } else if (!c.empty() && c != ".") {
          parts.push_back(c);
        }
        if (slash == std::string::npos) break;
        start = slash + 1;
      }
    }
    if (escaped) break;
    std::string next;
    for (const auto& p : parts)
      next += "/" + p;
    clean = next;
  }
  throw Error(SourceLocation{file_.string()}, "the archive has no member '" + name + "'");
}

bool TarIndex::contains(const std::string& name) const {
  try {
    find(name);
    return true;
  } catch (const Error&) {
    return false;
  }
}

std::string TarIndex::read(const std::string& name, uint64_t max_bytes) const {
  const Member& m = find(name);
  if (m.size > max_bytes)
    throw Error(SourceLocation{file_.string()},
                "member '" + name + "' is too large to be metadata");
  std::string out(m.size, '\0');
  if (::pread(fd_, out.data(), m.size, static_cast<off_t>(m.offset)) !=
      static_cast<ssize_t>(m.size))
    throw Error(SourceLocation{file_.string()}, "archive is truncated in member '" + name + "'");
  return out;
}

ByteSource TarIndex::open(const std::string& name) const {
  const Member& m = find(name);
  auto pos = std::make_shared<uint64_t>(m.offset);
  uint64_t end = m.offset + m.size;
  int fd = fd_;
  std::string file = file_.string();
  return [pos, end, fd, file, name](char* buf, size_t size) -> size_t {
    uint64_t left = end - *pos;
    size_t n = static_cast<size_t>(std::min<uint64_t>(left, size));
    if (n == 0) return 0;
    ssize_t got = ::pread(fd, buf, n, static_cast<off_t>(*pos));
    if (got <= 0)
      throw Error(SourceLocation{file}, "archive is truncated in member '" + name + "'");
    *pos += static_cast<uint64_t>(got);
    return static_cast<size_t>(got);
  };
}

}  // namespace tollgate::scan
