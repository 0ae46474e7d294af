#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "scan/layer_reader.h"

namespace tollgate::scan {

// An uncompressed tar file (docker save, an OCI archive) indexed by member name, so each member
// can be read in place (pread) without extracting anything. Symlinked members (docker save
// links duplicate layers) are resolved inside the archive.
class TarIndex {
 public:
  explicit TarIndex(const std::filesystem::path& file);
  ~TarIndex();
  TarIndex(const TarIndex&) = delete;
  TarIndex& operator=(const TarIndex&) = delete;

  bool contains(const std::string& name) const;
  // Reads a small member whole (manifests, configs); throws Error when missing.
  std::string read(const std::string& name, uint64_t max_bytes = 64ULL << 20) const;
  // A ByteSource over a member's bytes.
  ByteSource open(const std::string& name) const;

 private:
  struct Member {
    uint64_t offset = 0, size = 0;
    std::string link;  // symlink target, as written
  };
  const Member& find(const std::string& name) const;
  bool read_at(char* buf, size_t n, uint64_t at) const;
  void index();
  void read_extended(char type, uint64_t size, uint64_t at, std::string& long_name,
                     std::string& long_link) const;
  void add_member(char type, const std::string& name, const std::string& link, uint64_t data,
                  uint64_t size);

  std::filesystem::path file_;
  int fd_ = -1;
  std::map<std::string, Member> members_;
};

}  // namespace tollgate::scan
