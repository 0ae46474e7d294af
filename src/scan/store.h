#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "scan/osv.h"
#include "scan/severity.h"
#include "util/db.h"

namespace tollgate::scan {

// What the store keeps of a record besides its affected packages.
struct Advisory {
  std::string id;
  std::string modified;
  std::string summary;
  std::vector<std::string> aliases;
  std::vector<std::string> upstream;
  std::vector<std::string> references;
};

// One affected[] entry of a record, found by (ecosystem, package name).
struct AffectedEntry {
  std::string advisory_id;
  OsvAffected affected;
  Rating rating;  // worked out at import from the entry and its record
};

struct EcosystemCount {
  std::string ecosystem;
  int64_t advisories = 0;
  int64_t packages = 0;
};

struct StoreStatus {
  int64_t advisories = 0;
  int64_t withdrawn = 0;
  std::vector<EcosystemCount> ecosystems;
  std::optional<std::chrono::system_clock::time_point> updated_at;  // last successful import
  std::string newest_modified;                                      // newest record's `modified`
  std::vector<std::string> sources;                                 // what was imported last
};

// The local OSV database: SQLite, its affected entries clustered by (ecosystem, name) so that the
// matcher's lookup for one package reads one or two adjacent pages.
class VulnStore {
 public:
  // $XDG_CACHE_HOME/tollgate/vulndb.sqlite, else ~/.cache/tollgate/vulndb.sqlite.
  static std::filesystem::path default_path();

  // Opens a database that must already exist and hold data; otherwise throws an Error that tells
  // the user how to get one (scans fail closed without data).
  static std::unique_ptr<VulnStore> open_existing(const std::filesystem::path& path);
  // Opens or creates.
  explicit VulnStore(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return db_.path(); }
  db::Database& database() { return db_; }

  std::vector<AffectedEntry> affected(const std::string& ecosystem, const std::string& name);
  // Calls visit(advisory_id, stored) for every affected entry of (ecosystem, name), the entry in
  // its encode_affected form; both views live only during the call. What a scan reads: nothing
  // is copied or decoded until an entry matches.
  void each_affected(std::string_view ecosystem, std::string_view name,
                     const std::function<void(std::string_view, std::string_view)>& visit);
  std::optional<Advisory> advisory(const std::string& id);
  StoreStatus status();  // counts every table: for `db status`, not for every scan
  // What a scan needs to know before it trusts the data, from indexed lookups only.
  std::optional<std::chrono::system_clock::time_point> updated_at();
  bool has_ecosystem(const std::string& ecosystem);

 private:
  void ensure_schema();
  db::Database db_;
  std::unique_ptr<db::Statement> affected_query_;
  std::unique_ptr<db::Statement> advisory_query_;
};

// A record turned into the rows the store keeps: the work an import can do away from SQLite
// (rating severities, encoding ranges), so that it can run on another thread.
struct PreparedRecord {
  std::string id, modified, summary, aliases, upstream, refs;
  bool withdrawn = false;
  struct Row {
    std::string ecosystem, name, data;
    int64_t seq = 0;
  };
  std::vector<Row> affected;
};
PreparedRecord prepare_record(const OsvRecord& record);

// Writes records into the store inside one transaction: either every record of an import lands,
// or (an exception, a broken file) none does and the previous data stays as it was.
class StoreWriter {
 public:
  explicit StoreWriter(VulnStore& store);
  ~StoreWriter();
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;

  void add(const PreparedRecord& record);
  void add(const OsvRecord& record) { add(prepare_record(record)); }
  // Records the import's time and sources, then commits.
  void commit(const std::vector<std::string>& sources);
  int64_t records() const { return records_; }

 private:
  VulnStore& store_;
  db::Transaction tx_;
  db::Statement put_advisory_, drop_affected_, put_affected_;
  int64_t records_ = 0;
  bool fresh_ = false;                    // the store held no records when this import began
  std::unordered_set<std::string> seen_;  // ids written so far, while fresh_
};

}  // namespace tollgate::scan
