// tollgate db import|update|status: the local OSV vulnerability database.
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "scan/db_update.h"
#include "scan/osv_import.h"
#include "scan/store.h"
#include "util/error.h"
#include "util/table.h"
#include "util/term.h"
#include "util/timefmt.h"

namespace tollgate::cli {
namespace {

std::filesystem::path db_path(const std::string& flag) {
  return flag.empty() ? scan::VulnStore::default_path() : std::filesystem::path(flag);
}

void add_db_option(CLI::App& cmd, std::string& db) {
  cmd.add_option("--db", db, "database file (default $XDG_CACHE_HOME/tollgate/vulndb.sqlite)");
}

void print_result(const scan::ImportResult& r, const std::filesystem::path& db, double seconds) {
  std::cout << "imported " << r.records << " OSV records from " << r.files << " files into "
            << db.string() << " in " << timefmt::format_duration(seconds);
  if (seconds > 0)
    std::cout << " (" << static_cast<long long>(static_cast<double>(r.records) / seconds)
              << " records/s)";
  std::cout << "\n";
}

// Import progress on stderr: on a terminal one line redrawn in place (records, megabytes read,
// records per second); otherwise one line per step (a download, each PATH), so CI logs show where
// the time went without a flood of counters.
class ImportMeter {
 public:
  ImportMeter() : tty_(term::is_tty(2)), started_(std::chrono::steady_clock::now()) {}

  void step(const std::string& what) {
    clear();
    std::cerr << what << "\n";
  }
  void operator()(const scan::ImportProgress& p) {
    if (!tty_) {
      if (p.path != last_path_) std::cerr << "importing " << p.path << "\n";
      last_path_ = p.path;
      return;
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    char line[256];
    std::snprintf(line, sizeof line, "importing %s: %lld records, %.1f MB read, %.0f records/s",
                  p.path.c_str(), static_cast<long long>(p.records),
                  static_cast<double>(p.bytes) / 1e6,
                  s > 0 ? static_cast<double>(p.records) / s : 0.0);
    std::cerr << "\r\033[K" << line << std::flush;
  }
  void clear() {
    if (tty_) std::cerr << "\r\033[K" << std::flush;
  }

 private:
  bool tty_;
  std::chrono::steady_clock::time_point started_;
  std::string last_path_;
};

Runner setup_import(CLI::App& cmd) {
  auto db = std::make_shared<std::string>();
  auto paths = std::make_shared<std::vector<std::string>>();
  cmd.description("Import OSV records: JSON files, directories of them, or osv.dev zip archives.");
  cmd.add_option("PATH", *paths, "an OSV .json file, a directory, or a zip (Debian/all.zip)")
      ->required();
  add_db_option(cmd, *db);
  cmd.footer(
      "The import is one transaction: a malformed record anywhere aborts it with file:line:col\n"
      "and leaves the database as it was.\n"
      "Examples:\n"
      "  tollgate db import Debian-all.zip Alpine-all.zip\n"
      "  tollgate db import ./osv-records/ --db ./vulndb.sqlite");
  return [db, paths] {
    auto path = db_path(*db);
    scan::VulnStore store(path);
    ImportMeter meter;
    auto t0 = std::chrono::steady_clock::now();
    auto r = scan::import_osv(store, *paths, std::ref(meter));
    meter.clear();
    print_result(r, path,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    return 0;
  };
}

Runner setup_update(CLI::App& cmd) {
  auto db = std::make_shared<std::string>();
  auto sources = std::make_shared<std::vector<std::string>>();
  cmd.description("Download OSV archives and import them (atomically).");
  cmd.add_option("--source", *sources,
                 "URL of an OSV zip or JSON file (repeatable); default: osv.dev's Debian, "
                 "Alpine and Ubuntu archives");
  add_db_option(cmd, *db);
  cmd.footer(
      "Examples:\n"
      "  tollgate db update\n"
      "  tollgate db update --source https://mirror.internal/osv/Debian/all.zip\n"
      "A failed download or a broken archive leaves the database as it was (exit 2).");
  return [db, sources] {
    auto path = db_path(*db);
    std::vector<std::string> src = sources->empty() ? scan::default_update_sources() : *sources;
    scan::VulnStore store(path);
    ImportMeter meter;
    auto t0 = std::chrono::steady_clock::now();
    auto r = scan::update_database(
        store, src, [&](const std::string& what) { meter.step(what); }, std::ref(meter));
    meter.clear();
    print_result(r, path,
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    return 0;
  };
}

Runner setup_status(CLI::App& cmd) {
  auto db = std::make_shared<std::string>();
  auto json_out = std::make_shared<bool>(false);
  cmd.description("Show the database: ecosystems, record counts, age.");
  add_db_option(cmd, *db);
  cmd.add_flag("--json", *json_out, "print JSON");
  return [db, json_out] {
    auto path = db_path(*db);
    auto store = scan::VulnStore::open_existing(path);
    scan::StoreStatus s = store->status();
    auto age_s =
        std::chrono::duration<double>(std::chrono::system_clock::now() - *s.updated_at).count();
    if (*json_out) {
      nlohmann::json eco = nlohmann::json::array();
      for (const auto& e : s.ecosystems)
        eco.push_back(
            {{"ecosystem", e.ecosystem}, {"advisories", e.advisories}, {"packages", e.packages}});
      nlohmann::json j = {
          {"path", path.string()},    {"advisories", s.advisories},
          {"withdrawn", s.withdrawn}, {"updated_at", timefmt::iso8601(*s.updated_at)},
          {"age_seconds", age_s},     {"newest_modified", s.newest_modified},
          {"sources", s.sources},     {"ecosystems", eco}};
      std::cout << j.dump(2) << "\n";
      return 0;
    }
    std::cout << "database:  " << path.string() << "\n"
              << "records:   " << s.advisories << " (" << s.withdrawn << " withdrawn)\n"
              << "updated:   " << timefmt::iso8601(*s.updated_at) << " ("
              << timefmt::format_duration(age_s) << " ago)\n"
              << "newest:    " << (s.newest_modified.empty() ? "-" : s.newest_modified) << "\n\n";
    TextTable t({"ECOSYSTEM", "ADVISORIES", "PACKAGES"});
    for (const auto& e : s.ecosystems)
      t.add({e.ecosystem, std::to_string(e.advisories), std::to_string(e.packages)});
    std::cout << t.render();
    return 0;
  };
}

const bool registered_import =
    register_command({"db import", "Import OSV vulnerability records", setup_import});
const bool registered_update =
    register_command({"db update", "Download and import OSV archives", setup_update});
const bool registered_status =
    register_command({"db status", "Show the vulnerability database", setup_status});

}  // namespace
}  // namespace tollgate::cli
