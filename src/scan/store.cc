#include "scan/store.h"

#include <cstdlib>

#include "util/error.h"
#include "util/timefmt.h"

namespace tollgate::scan {
namespace {

// Bumped whenever the layout or the encoding of osv_affected.data changes.
// Both big tables are WITHOUT ROWID: the rows live in their primary key's B-tree, so a scan's
// lookup of one package's entries reads a run of adjacent rows instead of one scattered table
// page per entry (which made warm scans read tens of megabytes).
constexpr int64_t kSchemaVersion = 4;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS osv_advisory (
  id TEXT PRIMARY KEY,
  modified TEXT NOT NULL,
  withdrawn INTEGER NOT NULL,
  summary TEXT NOT NULL,
  aliases TEXT NOT NULL,
  upstream TEXT NOT NULL,
  refs TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS osv_affected (
  ecosystem TEXT NOT NULL,
  name TEXT NOT NULL,
  advisory_id TEXT NOT NULL,
  seq INTEGER NOT NULL,  -- the entry's place in the record's affected[] list
  data TEXT NOT NULL,
  PRIMARY KEY (ecosystem, name, advisory_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS osv_affected_by_advisory ON osv_affected(advisory_id);
CREATE TABLE IF NOT EXISTS osv_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql";

// Lists are stored one item a line (ids and URLs hold no newlines): cheaper to write and read
// than JSON, and the import writes three of them per record.
std::string join_lines(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    for (char c : item)
      out += c == '\n' ? ' ' : c;
    out += '\n';
  }
  return out;
}

std::vector<std::string> string_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

}  // namespace

std::filesystem::path VulnStore::default_path() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  std::filesystem::path base;
  if (xdg && *xdg) {
    base = xdg;
  } else {
    const char* home = std::getenv("HOME");
    base = std::filesystem::path(home && *home ? home : "/tmp") / ".cache";
  }
  return base / "tollgate" / "vulndb.sqlite";
}

std::unique_ptr<VulnStore> VulnStore::open_existing(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw Error(SourceLocation{path.string()},
                "no vulnerability database here; get one with 'tollgate db update' or 'tollgate "
                "db import PATH' (OSV JSON files, directories or osv.dev zips), or name another "
                "with --db");
  auto store = std::make_unique<VulnStore>(path);
  if (!store->updated_at())
    throw Error(SourceLocation{path.string()},
                "the vulnerability database is empty (no import ever finished); run 'tollgate db "
                "update' or 'tollgate db import PATH'");
  return store;
}

VulnStore::VulnStore(const std::filesystem::path& path) : db_(path) {
  ensure_schema();
}

void VulnStore::ensure_schema() {
  try {
    db::Statement version(db_.handle(), "PRAGMA user_version");
    version.step();
    int64_t v = version.column_int(0);
    db::Statement tables(db_.handle(),
                         "SELECT count(*) FROM sqlite_master WHERE name = 'osv_advisory'");
    tables.step();
    bool exists = tables.column_int(0) > 0;
    if (exists && v != kSchemaVersion)
      throw Error("written by another version of tollgate (schema " + std::to_string(v) +
                  ", this one reads " + std::to_string(kSchemaVersion) +
                  "); delete it and run 'tollgate db update'");
    if (exists) return;  // a scan only reads: it never writes, not even the version
    db_.exec(kSchema);
    db_.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
  } catch (const Error& e) {
    throw Error(SourceLocation{db_.path().string()},
                std::string("not a usable vulnerability database: ") + e.what());
  }
}

void VulnStore::each_affected(
    std::string_view ecosystem, std::string_view name,
    const std::function<void(std::string_view, std::string_view)>& visit) {
  if (!affected_query_)
    affected_query_ = std::make_unique<db::Statement>(
        db_.handle(),
        "SELECT advisory_id, data FROM osv_affected WHERE ecosystem = ? AND name = ?");
  auto& q = *affected_query_;
  q.reset();
  q.bind(1, ecosystem).bind(2, name);
  while (q.step())
    visit(q.column_view(0), q.column_view(1));
}

std::vector<AffectedEntry> VulnStore::affected(const std::string& ecosystem,
                                               const std::string& name) {
  std::vector<AffectedEntry> out;
  each_affected(ecosystem, name, [&](std::string_view id, std::string_view stored) {
    AffectedEntry e{std::string(id), {}, {}};
    e.affected = decode_affected(stored, e.rating);
    out.push_back(std::move(e));
  });
  return out;
}

std::optional<Advisory> VulnStore::advisory(const std::string& id) {
  if (!advisory_query_)
    advisory_query_ = std::make_unique<db::Statement>(
        db_.handle(),
        "SELECT modified, summary, aliases, upstream, refs FROM osv_advisory "
        "WHERE id = ? AND withdrawn = 0");
  auto& q = *advisory_query_;
  q.reset();
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  Advisory a;
  a.id = id;
  a.modified = q.column_text(0);
  a.summary = q.column_text(1);
  a.aliases = string_list(q.column_text(2));
  a.upstream = string_list(q.column_text(3));
  a.references = string_list(q.column_text(4));
  return a;
}

std::optional<std::chrono::system_clock::time_point> VulnStore::updated_at() {
  db::Statement q(db_.handle(), "SELECT value FROM osv_meta WHERE key = 'updated_at'");
  if (!q.step()) return std::nullopt;
  return timefmt::parse_iso8601(q.column_text(0));
}

bool VulnStore::has_ecosystem(const std::string& ecosystem) {
  db::Statement q(db_.handle(), "SELECT 1 FROM osv_affected WHERE ecosystem = ? LIMIT 1");
  q.bind(1, ecosystem);
  return q.step();
}

StoreStatus VulnStore::status() {
  StoreStatus s;
  {
    db::Statement q(db_.handle(),
                    "SELECT count(*), coalesce(sum(withdrawn), 0), coalesce(max(modified), '') "
                    "FROM osv_advisory");
    q.step();
    s.advisories = q.column_int(0);
    s.withdrawn = q.column_int(1);
    s.newest_modified = q.column_text(2);
  }
  {
    db::Statement q(db_.handle(),
                    "SELECT ecosystem, count(DISTINCT advisory_id), count(DISTINCT name) "
                    "FROM osv_affected GROUP BY ecosystem ORDER BY ecosystem");
    while (q.step())
      s.ecosystems.push_back({q.column_text(0), q.column_int(1), q.column_int(2)});
  }
  db::Statement meta(db_.handle(), "SELECT key, value FROM osv_meta");
  while (meta.step()) {
    std::string key = meta.column_text(0);
    if (key == "updated_at") s.updated_at = timefmt::parse_iso8601(meta.column_text(1));
    if (key == "sources") s.sources = string_list(meta.column_text(1));
  }
  return s;
}

// Imports are large and go into one transaction: a big page cache keeps SQLite from spilling
// half-built pages to the WAL (and waiting on the disk) before the commit. 64 MB: the bench's
// 200,000-record import runs as fast with 32, 64 or 96 MB (7.0-7.3 s), and 64 keeps its peak at
// 143 MB, well under the 200 MB limit (96 MB peaked at 183 MB).
static db::Database& prepared_for_import(db::Database& db) {
  db.exec("PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;");
  return db;
}

StoreWriter::StoreWriter(VulnStore& store)
    : store_(store),
      tx_(prepared_for_import(store.database())),
      put_advisory_(store.database().handle(),
                    "INSERT OR REPLACE INTO osv_advisory "
                    "(id, modified, withdrawn, summary, aliases, upstream, refs) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)"),
      drop_affected_(store.database().handle(), "DELETE FROM osv_affected WHERE advisory_id = ?"),
      put_affected_(store.database().handle(),
                    "INSERT INTO osv_affected (ecosystem, name, advisory_id, seq, data) "
                    "VALUES (?, ?, ?, ?, ?)") {
  db::Statement any(store.database().handle(), "SELECT 1 FROM osv_advisory LIMIT 1");
  fresh_ = !any.step();
}

StoreWriter::~StoreWriter() = default;

PreparedRecord prepare_record(const OsvRecord& r) {
  PreparedRecord p;
  p.id = r.id;
  p.modified = r.modified;
  p.withdrawn = r.withdrawn;
  p.summary = r.summary.empty() ? r.details.substr(0, 200) : r.summary;
  p.aliases = join_lines(r.aliases);
  p.upstream = join_lines(r.upstream);
  p.refs = join_lines(r.references);
  if (r.withdrawn) return p;
  for (size_t i = 0; i < r.affected.size(); ++i) {
    const OsvAffected& a = r.affected[i];
    if (a.ecosystem.empty() || a.name.empty()) continue;
    p.affected.push_back(
        {a.ecosystem, a.name, encode_affected(a, rate(r.severity, a)), static_cast<int64_t>(i)});
  }
  return p;
}

void StoreWriter::add(const PreparedRecord& r) {
  put_advisory_.reset();
  put_advisory_.bind(1, r.id)
      .bind(2, r.modified)
      .bind(3, int64_t{r.withdrawn})
      .bind(4, r.summary)
      .bind(5, r.aliases)
      .bind(6, r.upstream)
      .bind(7, r.refs)
      .run();
  // A record replaces its previous version wholesale, so a package that a newer version no
  // longer lists stops matching. Into an empty store only a repeated id has anything to drop.
  if (!fresh_ || !seen_.insert(r.id).second) {
    drop_affected_.reset();
    drop_affected_.bind(1, r.id).run();
  }
  for (const auto& row : r.affected) {
    put_affected_.reset();
    put_affected_.bind(1, row.ecosystem)
        .bind(2, row.name)
        .bind(3, r.id)
        .bind(4, row.seq)
        .bind(5, row.data)
        .run();
  }
  ++records_;
}

void StoreWriter::commit(const std::vector<std::string>& sources) {
  db::Statement meta(store_.database().handle(),
                     "INSERT OR REPLACE INTO osv_meta (key, value) VALUES (?, ?)");
  meta.bind(1, std::string("updated_at"))
      .bind(2, timefmt::iso8601(std::chrono::system_clock::now()))
      .run();
  meta.reset();
  meta.bind(1, std::string("sources")).bind(2, join_lines(sources)).run();
  tx_.commit();
}

}  // namespace tollgate::scan
