#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "scan/image_fs.h"

namespace tollgate::scan {

// Limits that make hostile layers fail instead of exhausting the machine.
struct LayerLimits {
  uint64_t max_entry_bytes = 32ULL << 30;            // one file's declared size
  uint64_t max_layer_bytes = 64ULL << 30;            // all of a layer's uncompressed bytes
  uint64_t bomb_min_bytes = 1ULL << 30;              // the ratio check starts past this much output
  double max_ratio = 200.0;                          // uncompressed : compressed
  uint64_t max_kept_file_bytes = kMaxKeptFileBytes;  // a package database kept in memory
  // All the package databases and release files of an image kept at once (status.d files of
  // many layers add up), hard links counted once.
  uint64_t max_kept_total_bytes = 1ULL << 30;
};

// Raw (possibly compressed) layer bytes: fills buf, returns the count, 0 at the end.
using ByteSource = std::function<size_t(char* buf, size_t size)>;

// Streams one layer tar (gzip, zstd or uncompressed: detected from its bytes) into fs, applying
// whiteouts, keeping only what LayeredFs::wanted() asks for. The raw bytes are hashed on the
// way; when expected_digest ("sha256:<hex>") is set, a mismatch is an Error. When
// uncompressed_digest is set (a docker-archive diff_id) it is checked only if the layer turned
// out to be uncompressed. `name` identifies the layer in errors.
void apply_layer(LayeredFs& fs, const ByteSource& source, const std::string& name,
                 const std::string& expected_digest, const std::string& uncompressed_digest,
                 const LayerLimits& limits);

// SHA-256 of a string as "sha256:<hex>".
std::string sha256_digest(std::string_view data);

}  // namespace tollgate::scan
