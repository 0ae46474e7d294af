#include "scan/layer_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include <memory>
#include <vector>

#include "scan/archive_error.h"
#include "util/error.h"

namespace tollgate::scan {
namespace {

std::string hex(const unsigned char* d, unsigned int n) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < n; ++i) {
    out += kHex[d[i] >> 4];
    out += kHex[d[i] & 15];
  }
  return out;
}

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
  }
  void update(const void* data, size_t n) { EVP_DigestUpdate(ctx_.get(), data, n); }
  std::string digest() {
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_.get(), d, &n);
    return "sha256:" + hex(d, n);
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

// Feeds libarchive from a ByteSource, hashing every raw byte it hands over.
struct Feed {
  const ByteSource* source;
  Sha256 hash;
  std::vector<char> buffer = std::vector<char>(1 << 17);
  bool failed = false;
  std::string error;

  static la_ssize_t read(archive*, void* self, const void** out) {
    auto* f = static_cast<Feed*>(self);
    try {
      size_t n = (*f->source)(f->buffer.data(), f->buffer.size());
      f->hash.update(f->buffer.data(), n);
      *out = f->buffer.data();
      return static_cast<la_ssize_t>(n);
    } catch (const std::exception& e) {
      f->failed = true;
      f->error = e.what();
      return -1;
    }
  }
  // libarchive stops at the tar end marker; the hash must still cover the padding after it.
  void drain() {
    while (size_t n = (*source)(buffer.data(), buffer.size()))
      hash.update(buffer.data(), n);
  }
};

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

std::string sha256_digest(std::string_view data) {
  Sha256 h;
  h.update(data.data(), data.size());
  return h.digest();
}

void apply_layer(LayeredFs& fs, const ByteSource& source, const std::string& name,
                 const std::string& expected_digest, const std::string& uncompressed_digest,
                 const LayerLimits& limits) {
  std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_tar(a.get());
  Feed feed{&source};
  auto fail = [&](const std::string& what) -> void { throw Error("layer " + name + ": " + what); };
  // Decompression bombs: the output may not outgrow the input without bound. Checked while
  // streaming past every entry, so a bomb stops early instead of being decompressed whole.
  auto check_growth = [&] {
    uint64_t out_bytes = static_cast<uint64_t>(archive_filter_bytes(a.get(), 0));
    uint64_t in_bytes = static_cast<uint64_t>(archive_filter_bytes(a.get(), -1));
    if (out_bytes > limits.max_layer_bytes)
      fail("refusing layer: more than " + std::to_string(limits.max_layer_bytes) +
           " uncompressed bytes");
    if (out_bytes > limits.bomb_min_bytes && in_bytes > 0 &&
        static_cast<double>(out_bytes) / static_cast<double>(in_bytes) > limits.max_ratio)
      fail("refusing layer: it expands " + std::to_string(out_bytes / in_bytes) +
           " times (a decompression bomb?)");
  };
  // Streams past an entry's data (what skipping would do anyway in a compressed stream).
  auto pass_over = [&] {
    const void* block;
    size_t size;
    la_int64_t offset;
    uint64_t since_check = 0;
    int rc;
    while ((rc = archive_read_data_block(a.get(), &block, &size, &offset)) == ARCHIVE_OK) {
      since_check += size;
      if (since_check > (1 << 20)) {
        check_growth();
        since_check = 0;
      }
    }
    if (rc != ARCHIVE_EOF)
      fail(feed.failed ? feed.error : std::string("broken layer: ") + archive_error(a.get()));
  };
  if (archive_read_open(a.get(), &feed, nullptr, &Feed::read, nullptr) != ARCHIVE_OK)
    fail(feed.failed ? feed.error : std::string("not a tar layer: ") + archive_error(a.get()));
  fs.begin_layer();
  archive_entry* entry = nullptr;
  while (true) {
    int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN)
      fail(feed.failed ? feed.error : std::string("broken layer: ") + archive_error(a.get()));
    const char* raw = archive_entry_pathname(entry);
    std::string raw_path = raw ? raw : "";
    // Image tools write relative names; an absolute one means the archive was made to be
    // extracted somewhere it should not be.
    if (raw_path.starts_with('/')) fail("refusing entry '" + raw_path + "': its path is absolute");
    auto path = normalize_image_path(raw_path);
    if (!path) fail("refusing entry '" + raw_path + "': its path climbs out of the image root");
    if (*path == "/") continue;
    if (archive_entry_size(entry) > 0 &&
        static_cast<uint64_t>(archive_entry_size(entry)) > limits.max_entry_bytes)
      fail("refusing entry '" + raw_path + "': " + std::to_string(archive_entry_size(entry)) +
           " bytes is over the limit of " + std::to_string(limits.max_entry_bytes));
    std::string base = path->substr(path->rfind('/') + 1);
    std::string dir = parent_of(*path);
    if (base == ".wh..wh..opq") {
      fs.make_opaque(dir);
    } else if (base.starts_with(".wh.")) {
      fs.remove((dir == "/" ? "" : dir) + "/" + base.substr(4));
    } else if (const char* link = archive_entry_hardlink(entry)) {
      auto target = link[0] == '/' ? std::nullopt : normalize_image_path(link);
      if (!target)
        fail("refusing hard link '" + raw_path + "' to '" + link + "' outside the image");
      fs.add_hardlink(*path, *target);
    } else {
      switch (archive_entry_filetype(entry)) {
        case AE_IFDIR:
          fs.add_directory(*path);
          break;
        case AE_IFLNK: {
          // Symlinks are kept as written, absolute or not: they are resolved inside the image.
          const char* target = archive_entry_symlink(entry);
          fs.add_symlink(*path, target ? target : "");
          break;
        }
        case AE_IFREG:
          if (LayeredFs::wanted(*path)) {
            if (static_cast<uint64_t>(archive_entry_size(entry)) > limits.max_kept_file_bytes)
              fail("refusing " + *path + ": " + std::to_string(archive_entry_size(entry)) +
                   " bytes is too large for a package database");
            std::string data;
            data.reserve(static_cast<size_t>(archive_entry_size(entry)));
            char buf[1 << 16];
            la_ssize_t n;
            while ((n = archive_read_data(a.get(), buf, sizeof buf)) > 0)
              data.append(buf, static_cast<size_t>(n));
            if (n < 0) fail(std::string("broken entry ") + *path + ": " + archive_error(a.get()));
            fs.add_file(*path, std::move(data));
            if (fs.kept_bytes() > limits.max_kept_total_bytes)
              fail("refusing " + *path + ": the image's package databases exceed " +
                   std::to_string(limits.max_kept_total_bytes) + " bytes in all");
          } else {
            fs.add_other(*path);
            pass_over();
          }
          break;
        default:
          fs.add_other(*path);
      }
    }
    check_growth();
  }
  check_growth();
  bool compressed = archive_filter_count(a.get()) > 1;
  a.reset();
  if (feed.failed) fail(feed.error);
  feed.drain();
  std::string got = feed.hash.digest();
  if (!expected_digest.empty() && got != expected_digest)
    fail("digest mismatch: expected " + expected_digest + ", got " + got);
  if (!compressed && !uncompressed_digest.empty() && got != uncompressed_digest)
    fail("digest mismatch: the config's diff_id is " + uncompressed_digest + ", the layer is " +
         got);
}

}  // namespace tollgate::scan
