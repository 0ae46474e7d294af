#include "util/files.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace tollgate::files {
namespace {
TEST(Files, WriteAtomicNeverReplacesADevice) {
  write_atomic("/dev/null", "ignored\n");
  struct stat st {};
  ASSERT_EQ(stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "/dev/null was replaced by a plain file";
}
TEST(Files, WriteAtomicReplacesAFileWhole) {
  TempDir dir;
  write_atomic(dir.path() / "f", "one\n");
  // A reader holding the old file keeps reading the old content: the new one took its place.
  int old_fd = ::open((dir.path() / "f").c_str(), O_RDONLY);
  ASSERT_GE(old_fd, 0);
  write_atomic(dir.path() / "f", "two\n");
  EXPECT_EQ(read(dir.path() / "f"), "two\n");
  char buf[8] = {};
  EXPECT_EQ(::read(old_fd, buf, sizeof buf), 4);
  EXPECT_EQ(std::string(buf), "one\n");
  ::close(old_fd);
  // Nothing is left beside it: no temporary file, no old copy.
  size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1u);
}
}  // namespace
}  // namespace tollgate::files
