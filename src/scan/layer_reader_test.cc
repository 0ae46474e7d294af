#include "scan/layer_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "scan/inventory.h"
#include "util/error.h"

namespace tollgate::scan {
namespace {

enum class Compression { None, Gzip, Zstd };

struct TarEntry {
  std::string path;
  std::string contents;
  char type = 'f';  // f file, d directory, l symlink, h hard link
  std::string link;
  int64_t declared_size = -1;  // a size to claim in the header instead of contents.size()
};

// Writes a layer with libarchive: the real tar and compression code, not a hand-made byte string.
std::string make_layer(const std::vector<TarEntry>& entries, Compression c = Compression::Gzip) {
  std::string out;
  std::unique_ptr<archive, decltype(&archive_write_free)> a(archive_write_new(),
                                                            archive_write_free);
  archive_write_set_format_pax_restricted(a.get());
  if (c == Compression::Gzip) archive_write_add_filter_gzip(a.get());
  if (c == Compression::Zstd) archive_write_add_filter_zstd(a.get());
  archive_write_set_bytes_in_last_block(a.get(), 1);
  archive_write_open(
      a.get(), &out, nullptr,
      [](archive*, void* self, const void* buf, size_t n) -> la_ssize_t {
        static_cast<std::string*>(self)->append(static_cast<const char*>(buf), n);
        return static_cast<la_ssize_t>(n);
      },
      nullptr);
  for (const auto& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.path.c_str());
    archive_entry_set_perm(entry, 0644);
    if (e.type == 'd') {
      archive_entry_set_filetype(entry, AE_IFDIR);
    } else if (e.type == 'l') {
      archive_entry_set_filetype(entry, AE_IFLNK);
      archive_entry_set_symlink(entry, e.link.c_str());
    } else if (e.type == 'h') {
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_hardlink(entry, e.link.c_str());
    } else {
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_size(
          entry, e.declared_size >= 0 ? e.declared_size : static_cast<int64_t>(e.contents.size()));
    }
    archive_write_header(a.get(), entry);
    if (e.type == 'f') archive_write_data(a.get(), e.contents.data(), e.contents.size());
    archive_entry_free(entry);
  }
  archive_write_close(a.get());
  return out;
}

ByteSource from_string(std::string data) {
  auto s = std::make_shared<std::string>(std::move(data));
  auto pos = std::make_shared<size_t>(0);
  return [s, pos](char* buf, size_t n) {
    n = std::min(n, s->size() - *pos);
    std::memcpy(buf, s->data() + *pos, n);
    *pos += n;
    return n;
  };
}

void add_layer(LayeredFs& fs, const std::string& layer, const std::string& digest = "",
               LayerLimits limits = {}) {
  apply_layer(fs, from_string(layer), "test", digest, "", limits);
}

std::string expect_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(Layers, StreamsGzipZstdAndPlainLayersWithWhiteouts) {
  LayeredFs fs;
  add_layer(fs, make_layer({{"etc/", "", 'd'},
                            {"usr/lib/os-release", "ID=debian\nVERSION_ID=\"12\"\n"},
                            {"etc/os-release", "", 'l', "../usr/lib/os-release"},
                            {"var/lib/dpkg/status",
                             "Package: old\nStatus: install ok installed\nVersion: 1\n"},
                            {"usr/bin/big", std::string(100000, 'x')}},
                           Compression::Gzip));
  add_layer(fs, make_layer({{"var/lib/dpkg/.wh.status", ""},
                            {"var/lib/dpkg/status.d/new", "Package: new\nVersion: 2\n"}},
                           Compression::Zstd));
  add_layer(fs, make_layer({{"./var/lib/dpkg/status.d/more", "Package: more\nVersion: 3\n"}},
                           Compression::None));
  Inventory inv = read_inventory(fs);
  EXPECT_EQ(inv.os.ecosystem, "Debian:12");
  ASSERT_EQ(inv.packages.size(), 2u);
  EXPECT_EQ(inv.packages[0].name, "more");
  EXPECT_EQ(inv.packages[1].name, "new");
  EXPECT_LT(fs.kept_bytes(), 1000u);  // the 100 kB binary was streamed past, not kept
}

TEST(Layers, OpaqueWhiteoutHidesLowerLayers) {
  LayeredFs fs;
  add_layer(fs, make_layer({{"var/lib/dpkg/status.d/a", "Package: a\nVersion: 1\n"}}));
  add_layer(fs, make_layer({{"var/lib/dpkg/status.d/.wh..wh..opq", ""},
                            {"var/lib/dpkg/status.d/b", "Package: b\nVersion: 1\n"}}));
  EXPECT_EQ(fs.list("/var/lib/dpkg/status.d"), std::vector<std::string>{"b"});
}

TEST(Layers, HardLinksShareTheirTargetsContents) {
  LayeredFs fs;
  add_layer(fs, make_layer({{"usr/lib/os-release", "ID=alpine\nVERSION_ID=3.18.4\n"},
                            {"etc/os-release", "", 'h', "usr/lib/os-release"}}));
  EXPECT_EQ(read_inventory(fs).os.ecosystem, "Alpine:v3.18");
}

// 1,000 links to one 1 MiB status were kept as 1,000 copies: a small archive took gigabytes.
TEST(Layers, AThousandHardLinksToOneFileKeepItsContentsOnce) {
  std::vector<TarEntry> entries = {{"var/lib/dpkg/status", std::string(1 << 20, ' ')}};
  for (int i = 0; i < 1000; ++i)
    entries.push_back(
        {"var/lib/dpkg/status.d/" + std::to_string(i), "", 'h', "var/lib/dpkg/status"});
  LayeredFs fs;
  add_layer(fs, make_layer(entries));
  EXPECT_EQ(fs.kept_bytes(), 1u << 20);
  EXPECT_EQ(fs.read("/var/lib/dpkg/status.d/999")->size(), 1u << 20);
  // The contents go when their last name goes, not before.
  add_layer(fs, make_layer({{"var/lib/dpkg/.wh.status", ""}}));
  EXPECT_EQ(fs.kept_bytes(), 1u << 20);
  add_layer(fs, make_layer({{"var/lib/dpkg/.wh.status.d", ""}}));
  EXPECT_EQ(fs.kept_bytes(), 0u);
}

// Each layer's status.d files are small; many layers of them were kept without any bound.
TEST(Layers, PackageDatabasesOfAllLayersHaveATotalBound) {
  LayerLimits limits;
  limits.max_kept_total_bytes = 10'000;
  LayeredFs fs;
  for (int layer = 0; layer < 4; ++layer)  // 4 x 2,000 bytes: within 10,000
    add_layer(
        fs,
        make_layer({{"var/lib/dpkg/status.d/l" + std::to_string(layer), std::string(2000, 'x')}}),
        "", limits);
  EXPECT_EQ(fs.kept_bytes(), 8000u);
  EXPECT_EQ(
      expect_error([&] {
        add_layer(fs, make_layer({{"var/lib/dpkg/status.d/l4", std::string(2001, 'x')}}), "",
                  limits);
      }),
      "layer test: refusing /var/lib/dpkg/status.d/l4: the image's package databases exceed 10000 "
      "bytes in all");
}

TEST(Layers, RefusesPathsThatClimbOutOfTheRoot) {
  LayeredFs fs;
  std::string msg = expect_error([&] {
    add_layer(fs, make_layer({{"../../etc/cron.d/evil", "x"}}));
  });
  EXPECT_NE(msg.find("climbs out"), std::string::npos) << msg;
  msg = expect_error([&] { add_layer(fs, make_layer({{"etc/x", "", 'h', "../../etc/shadow"}})); });
  EXPECT_NE(msg.find("outside the image"), std::string::npos) << msg;
}

TEST(Layers, RefusesAbsolutePathsAndHardLinksThatEscape) {
  LayeredFs fs;
  std::string msg = expect_error([&] { add_layer(fs, make_layer({{"/etc/passwd", "x"}})); });
  EXPECT_NE(msg.find("'/etc/passwd': its path is absolute"), std::string::npos) << msg;
  msg = expect_error([&] { add_layer(fs, make_layer({{"etc/x", "", 'h', "/etc/shadow"}})); });
  EXPECT_NE(msg.find("to '/etc/shadow' outside the image"), std::string::npos) << msg;
  msg = expect_error([&] {
    add_layer(fs, make_layer({{"etc/y", "", 'h', "etc/../../../etc/shadow"}}));
  });
  EXPECT_NE(msg.find("outside the image"), std::string::npos) << msg;
  // A hard link inside the image is fine.
  add_layer(fs, make_layer({{"usr/lib/os-release", "ID=alpine\n"},
                            {"etc/os-release", "", 'h', "usr/lib/os-release"}}));
  EXPECT_EQ(fs.read("/etc/os-release"), "ID=alpine\n");
}

TEST(Layers, SymlinkChainsStopAtTheImageRoot) {
  // A layer is never resolved against the host: a chain climbing towards /etc ends at the
  // image's own /etc, and at nothing when the image has no such file.
  LayeredFs fs;
  add_layer(fs, make_layer({{"etc/os-release", "ID=debian\nVERSION_ID=12\n"},
                            {"usr/share/a", "", 'l', "b"},
                            {"usr/share/b", "", 'l', "../../../../etc/os-release"},
                            {"usr/share/c", "", 'l', "/../../../../../etc/os-release"},
                            {"usr/share/p", "", 'l', "../../../../etc/passwd"}}));
  EXPECT_EQ(fs.read("/usr/share/a"), "ID=debian\nVERSION_ID=12\n");
  EXPECT_EQ(fs.read("/usr/share/c"), "ID=debian\nVERSION_ID=12\n");
  EXPECT_EQ(fs.resolve("/usr/share/a"), "/etc/os-release");
  EXPECT_FALSE(fs.resolve("/usr/share/p"));
  EXPECT_FALSE(fs.read("/usr/share/p"));
}

TEST(Layers, AbsoluteSymlinksResolveInsideTheImage) {
  LayeredFs fs;
  add_layer(fs, make_layer({{"etc/os-release", "", 'l', "/usr/lib/os-release"},
                            {"usr/lib/os-release", "ID=debian\nVERSION_ID=12\n"},
                            {"var/lib/dpkg", "", 'l', "/../../../../host/dpkg"}}));
  EXPECT_EQ(read_inventory(fs).os.ecosystem, "Debian:12");
  EXPECT_FALSE(fs.read("/var/lib/dpkg/status"));
}

TEST(Layers, VerifiesTheDigestOfTheRawBytes) {
  std::string layer = make_layer({{"etc/hostname", "box\n"}});
  LayeredFs fs;
  add_layer(fs, layer, sha256_digest(layer));
  std::string wrong = "sha256:" + std::string(64, '0');
  std::string msg = expect_error([&] { add_layer(fs, layer, wrong); });
  EXPECT_NE(msg.find("digest mismatch"), std::string::npos) << msg;
}

TEST(Layers, RefusesDecompressionBombsAndHugeEntries) {
  LayerLimits limits;
  limits.bomb_min_bytes = 1 << 20;
  limits.max_ratio = 50;
  // 8 MB of zeros gzip to a few kB: a ratio far beyond 50.
  std::string bomb = make_layer({{"zeros", std::string(8 << 20, '\0')}});
  LayeredFs fs;
  std::string msg = expect_error([&] { add_layer(fs, bomb, "", limits); });
  EXPECT_NE(msg.find("decompression bomb"), std::string::npos) << msg;
  LayerLimits small;
  small.max_entry_bytes = 1000;
  msg = expect_error([&] {
    add_layer(fs, make_layer({{"blob", std::string(5000, 'x')}}), "", small);
  });
  EXPECT_NE(msg.find("over the limit"), std::string::npos) << msg;
}

// A gzip layer corrupted by one inserted byte (found by fuzz/layer_fuzz): libarchive refuses it
// without a message, and the error said so instead of reading through a null pointer.
TEST(Layers, ACorruptGzipLayerIsAnErrorEvenWhenLibarchiveGivesNoReason) {
  const char* src = std::getenv("TOLLGATE_SOURCE_DIR");
  std::ifstream in(
      std::filesystem::path(src ? src : ".") / "src/scan/testdata/layers/corrupt-gzip.tar.gz",
      std::ios::binary);
  std::string layer(std::istreambuf_iterator<char>(in), {});
  ASSERT_EQ(layer.size(), 663u);
  LayeredFs fs;
  std::string msg = expect_error([&] { add_layer(fs, layer); });
  EXPECT_NE(msg.find("layer test"), std::string::npos) << msg;
}

TEST(Layers, RefusesWhatIsNotATar) {
  LayeredFs fs;
  std::string msg = expect_error([&] { add_layer(fs, "this is not a layer at all, just text"); });
  EXPECT_NE(msg.find("layer test"), std::string::npos) << msg;
}

}  // namespace
}  // namespace tollgate::scan
