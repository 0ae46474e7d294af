#include "util/db.h"

#include <gtest/gtest.h>

#include "util/error.h"
#include "util/files.h"

namespace tollgate::db {
namespace {

size_t open_files() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd"))
    ++n;
  return n;
}

// A file that is not a database fails after sqlite3_open: each failed attempt once kept its
// connection (and its file descriptor) open.
TEST(Database, AFileThatIsNotADatabaseIsAnErrorAndLeavesNothingOpen) {
  files::TempDir dir;
  files::write_atomic(dir.path() / "history.db", std::string(4096, 'x'));
  size_t before = open_files();
  for (int i = 0; i < 50; ++i)
    EXPECT_THROW(Database(dir.path() / "history.db"), Error);
  EXPECT_EQ(open_files(), before);
}

TEST(Database, AReadOnlyOpenCreatesNothingAndAWriterCreatesTheFileInWalMode) {
  files::TempDir dir;
  EXPECT_THROW(Database(dir.path() / "none.db", Database::Access::ReadOnly), Error);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "none.db"));
  Database writer(dir.path() / "new.db");
  Statement mode(writer.handle(), "PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.column_text(0), "wal");
}

TEST(Transaction, LeftByAnExceptionItRollsBack) {
  files::TempDir dir;
  Database d(dir.path() / "t.db");
  d.exec("CREATE TABLE t (v INTEGER)");
  try {
    Transaction t(d);
    Statement(d.handle(), "INSERT INTO t VALUES (?)").bind(1, int64_t{7}).run();
    throw std::runtime_error("interrupted");
  } catch (const std::runtime_error&) {
  }
  {
    Transaction t(d);
    Statement(d.handle(), "INSERT INTO t VALUES (?)").bind(1, int64_t{8}).run();
    t.commit();
  }
  Statement rows(d.handle(), "SELECT group_concat(v) FROM t");
  ASSERT_TRUE(rows.step());
  EXPECT_EQ(rows.column_text(0), "8");  // 7 was rolled back, 8 committed
}

}  // namespace
}  // namespace tollgate::db
