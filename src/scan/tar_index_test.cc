#include "scan/tar_index.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstring>
#include <fstream>

#include "util/error.h"
#include "util/files.h"

namespace tollgate::scan {
namespace {

// One ustar header block for `name` whose 12-byte size field is `size` as written.
std::string header(const std::string& name, const std::string& size) {
  std::string h(512, '\0');
  std::memcpy(h.data(), name.data(), name.size());
  std::memcpy(h.data() + 100, "0000644", 7);
  std::memcpy(h.data() + 124, size.data(), size.size());
  h[156] = '0';
  std::memcpy(h.data() + 257, "ustar", 6);
  return h;
}

std::string octal(size_t n) {
  char buf[13];
  std::snprintf(buf, sizeof buf, "%011zo", n);
  return std::string(buf, 11) + '\0';
}

TEST(TarIndex, ReadsMembersInPlace) {
  files::TempDir dir;
  std::string body = "hello";
  std::ofstream(dir.path() / "a.tar", std::ios::binary)
      << header("etc/hostname", octal(body.size())) << body << std::string(507, '\0')
      << std::string(1024, '\0');
  TarIndex tar(dir.path() / "a.tar");
  EXPECT_TRUE(tar.contains("etc/hostname"));
  EXPECT_EQ(tar.read("etc/hostname"), "hello");
}

// A base-256 size near 2^64 wrapped the next header's offset back to the start: 100% CPU for
// ever. A member that claims more bytes than the file has is a broken archive.
TEST(TarIndex, ASizePastTheEndIsAnErrorNotALoop) {
  files::TempDir dir;
  std::string huge = "\x80" + std::string(11, '\xff');
  std::ofstream(dir.path() / "a.tar", std::ios::binary)
      << header("a", huge) << std::string(1024, '\0');
  try {
    TarIndex tar(dir.path() / "a.tar");
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("past the end of the file"), std::string::npos)
        << e.what();
  }
  std::ofstream(dir.path() / "b.tar", std::ios::binary)
      << header("a", octal(4096)) << std::string(1024, '\0');
  EXPECT_THROW(TarIndex(dir.path() / "b.tar"), Error);
}

TEST(TarIndex, AFifoIsRefusedWithoutWaitingForAWriter) {
  files::TempDir dir;
  ASSERT_EQ(::mkfifo((dir.path() / "fifo.tar").c_str(), 0600), 0);
  try {
    TarIndex tar(dir.path() / "fifo.tar");
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tollgate::scan
