#include "runner/workspace.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "util/files.h"

namespace tollgate::runner {
namespace {

namespace fs = std::filesystem;

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(lstat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

// A project as git lists it: files in folders, an executable, a link, a FIFO, and a tracked file
// deleted from the working tree.
struct Project {
  files::TempDir dir{"ws-project"};
  std::vector<std::string> files = {"a.txt", "deep/er/b.sh", "link", "pipe", "gone.txt"};
  Project() {
    files::write_atomic(dir.path() / "a.txt", "alpha\n");
    fs::create_directories(dir.path() / "deep/er");
    files::write_atomic(dir.path() / "deep/er/b.sh", std::string(200000, 'b'));
    fs::permissions(dir.path() / "deep/er/b.sh", fs::perms(0755));
    fs::create_symlink("a.txt", dir.path() / "link");
    EXPECT_EQ(mkfifo((dir.path() / "pipe").c_str(), 0644), 0);
  }
};

TEST(Workspace, CopiesFilesWithTheirModesRecreatesLinksAndSkipsWhatIsNotContent) {
  Project p;
  files::TempDir ws("ws-copy");
  // 4 of the 5 names exist; the FIFO is counted but not made.
  EXPECT_EQ(make_workspace(p.dir.path(), p.files, ws.path() / "job"), 4u);
  fs::path job = ws.path() / "job";
  EXPECT_EQ(files::read(job / "a.txt"), "alpha\n");
  EXPECT_EQ(files::read(job / "deep/er/b.sh"), std::string(200000, 'b'));
  EXPECT_EQ(mode_of(job / "deep/er/b.sh"), 0755u);
  ASSERT_TRUE(fs::is_symlink(job / "link"));
  EXPECT_EQ(fs::read_symlink(job / "link"), "a.txt");
  EXPECT_FALSE(fs::exists(fs::symlink_status(job / "pipe")));
  EXPECT_FALSE(fs::exists(job / "gone.txt"));
  // A copy, not a link to the project's file: a job that writes leaves the project alone.
  files::write_atomic(job / "a.txt", "changed\n");
  EXPECT_EQ(files::read(p.dir.path() / "a.txt"), "alpha\n");
}

// Artifacts handed on are copied over the project's copy: what is there is replaced, and a link
// there is replaced too, never written through to the file it points at.
TEST(Workspace, ACopyOverAnExistingFileOrLinkReplacesItWithoutFollowingTheLink) {
  files::TempDir outside("ws-outside");
  files::write_atomic(outside.path() / "secret", "keep\n");
  files::TempDir artifacts("ws-artifacts");
  files::write_atomic(artifacts.path() / "a.txt", "from the artifact\n");
  files::write_atomic(artifacts.path() / "evil", "overwrite?\n");
  files::TempDir ws("ws-over");
  files::write_atomic(ws.path() / "a.txt", "from the project\n");
  fs::create_symlink(outside.path() / "secret", ws.path() / "evil");
  EXPECT_EQ(make_workspace(artifacts.path(), {"a.txt", "evil"}, ws.path()), 2u);
  EXPECT_EQ(files::read(ws.path() / "a.txt"), "from the artifact\n");
  EXPECT_FALSE(fs::is_symlink(ws.path() / "evil"));
  EXPECT_EQ(files::read(ws.path() / "evil"), "overwrite?\n");
  EXPECT_EQ(files::read(outside.path() / "secret"), "keep\n");
}

TEST(Workspace, ADirectoryInTheWayIsAnErrorNamingIt) {
  files::TempDir src("ws-src");
  files::write_atomic(src.path() / "x", "x\n");
  files::TempDir ws("ws-dir");
  fs::create_directories(ws.path() / "x" / "inside");
  try {
    make_workspace(src.path(), {"x"}, ws.path());
    FAIL() << "a directory in the way was overwritten";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find((ws.path() / "x").string()), std::string::npos) << e.message();
  }
}

}  // namespace
}  // namespace tollgate::runner
