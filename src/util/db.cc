#include "util/db.h"

#include <mutex>

#include "util/error.h"

namespace tollgate::db {

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK)
    throw Error("SQLite database: " + std::string(sqlite3_errmsg(db)) + " in: " + std::string(sql));
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::string_view value) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}
Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw Error("SQLite database: " + std::string(sqlite3_errmsg(db_)));
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Statement::column_int(int index) const {
  return sqlite3_column_int64(stmt_, index);
}
double Statement::column_double(int index) const {
  return sqlite3_column_double(stmt_, index);
}
std::string Statement::column_text(int index) const {
  const unsigned char* t = sqlite3_column_text(stmt_, index);
  return t ? reinterpret_cast<const char*>(t) : "";
}
std::string_view Statement::column_view(int index) const {
  const unsigned char* t = sqlite3_column_text(stmt_, index);
  if (!t) return {};
  return {reinterpret_cast<const char*>(t),
          static_cast<size_t>(sqlite3_column_bytes(stmt_, index))};
}
bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

namespace {

// Set once, before SQLite's first use in the process. tollgate never shares a connection between
// threads (each thread opens its own), so SQLite's per-connection mutexes are not needed
// (MULTITHREAD); and its allocation statistics, which nothing reads, take one global mutex per
// allocation, which the scan's matching threads fought over.
void configure_sqlite() {
  static std::once_flag once;
  std::call_once(once, [] {
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  });
}

}  // namespace

Database::Database(const std::filesystem::path& path, Access access) : path_(path) {
  configure_sqlite();
  bool read_only = read_only_ = access == Access::ReadOnly;
  std::error_code ec;
  if (!read_only && path.has_parent_path())
    std::filesystem::create_directories(path.parent_path(), ec);
  int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(SourceLocation{path.string()}, "cannot open the SQLite database: " + msg);
  }
  sqlite3_busy_timeout(db_, 10'000);
  // A reader takes the journal mode the writers set; it cannot set one. A file that is not a
  // database fails here, after the open: the constructor throws, so no destructor will close it.
  try {
    if (!read_only)
      exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

Database::~Database() {
  sqlite3_close(db_);
}

void Database::exec(std::string_view sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw Error(SourceLocation{path_.string()}, "SQLite database: " + msg);
  }
}

int64_t Database::last_insert_id() const {
  return sqlite3_last_insert_rowid(db_);
}

Transaction::Transaction(Database& db) : db_(db) {
  db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

ReadTransaction::ReadTransaction(Database& db) : db_(db) {
  db_.exec("BEGIN");
}

ReadTransaction::~ReadTransaction() {
  // Nothing was written: ending it cannot lose anything, and a destructor must not throw.
  sqlite3_exec(db_.handle(), "COMMIT", nullptr, nullptr, nullptr);
}

}  // namespace tollgate::db
