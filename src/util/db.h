#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace tollgate::db {

// A prepared statement. Binds are 1-based as in SQLite; step() returns true while rows come.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, double value);
  Statement& bind_null(int index);
  bool step();  // throws Error on failure
  void run() { step(); }
  void reset();

  int64_t column_int(int index) const;
  double column_double(int index) const;
  std::string column_text(int index) const;
  // The text in place, valid until the next step() or reset(): for reading many rows without
  // copying them.
  std::string_view column_view(int index) const;
  bool column_is_null(int index) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// One SQLite database file in WAL mode, safe to open from several tollgate processes at once
// (a busy timeout rather than an immediate "database is locked").
class Database {
 public:
  // ReadOnly is for readers beside a running pipeline (the dashboard): they never write, never
  // create the file, and never take the write lock a pipeline waits for.
  enum class Access { ReadWrite, ReadOnly };
  explicit Database(const std::filesystem::path& path, Access access = Access::ReadWrite);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  void exec(std::string_view sql);
  sqlite3* handle() const { return db_; }
  int64_t last_insert_id() const;
  const std::filesystem::path& path() const { return path_; }
  bool read_only() const { return read_only_; }

 private:
  std::filesystem::path path_;
  bool read_only_ = false;
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back when left by an exception.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

// A read transaction (BEGIN ... COMMIT) for a reader that makes many lookups: they all see one
// snapshot, and SQLite takes its lock and checks the file once instead of once per statement
// (thousands of fstat calls in a scan).
class ReadTransaction {
 public:
  explicit ReadTransaction(Database& db);
  ~ReadTransaction();
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  Database& db_;
};

}  // namespace tollgate::db
