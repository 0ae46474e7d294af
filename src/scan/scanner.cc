#include "scan/scanner.h"

#include "scan/matcher.h"
#include "scan/store.h"
#include "util/timefmt.h"

namespace tollgate::scan {
namespace {

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

ScanResult scan_inventory(Inventory inventory, const ScanSubject& subject,
                          const ScanOptions& options) {
  auto started = std::chrono::system_clock::now();
  auto t0 = std::chrono::steady_clock::now();
  if (inventory.os.ecosystem.empty())
    throw Error("cannot verify " + subject.name + ": unsupported OS (" + inventory.os.note + ")");
  if (inventory.packages.empty())
    throw Error("cannot verify " + subject.name + ": no installed packages found (" +
                inventory.os.label() + " without /var/lib/dpkg/status, status.d or " +
                "/lib/apk/db/installed)");
  auto store = VulnStore::open_existing(options.db);
  auto updated_at = *store->updated_at();
  auto age = options.policy.now - updated_at;
  if (age > options.max_db_age) {
    auto days = std::chrono::duration_cast<std::chrono::hours>(age).count() / 24;
    throw Error(
        SourceLocation{options.db.string()},
        "the vulnerability database is " + std::to_string(days) + " days old (limit " +
            timefmt::format_duration(std::chrono::duration<double>(options.max_db_age).count()) +
            "); run 'tollgate db update' or pass a larger --max-db-age");
  }
  if (!store->has_ecosystem(inventory.os.ecosystem))
    throw Error(SourceLocation{options.db.string()},
                "the vulnerability database has no records for " + inventory.os.ecosystem +
                    "; import that ecosystem (osv.dev publishes it in " +
                    inventory.os.ecosystem.substr(0, inventory.os.ecosystem.find(':')) +
                    "/all.zip)");
  double open_ms = ms_since(t0);
  auto t1 = std::chrono::steady_clock::now();
  std::vector<Match> matches = match_inventory(inventory, *store);
  double match_ms = ms_since(t1);
  ScanResult result{std::move(inventory), {}};
  result.verdict = build_verdict(subject, result.inventory, matches, options.policy);
  auto& s = result.verdict.summary;
  s["database"] = {{"path", options.db.string()}, {"updated_at", timefmt::iso8601(updated_at)}};
  s["timings_ms"] = {{"database_open", open_ms}, {"match", match_ms}};
  s["start_time"] = timefmt::iso8601(started);
  s["end_time"] = timefmt::iso8601(std::chrono::system_clock::now());
  if (!result.inventory.warnings.empty()) s["warnings"] = result.inventory.warnings;
  return result;
}

ScanResult scan_filesystem(const ImageFs& fs, const ScanSubject& subject,
                           const ScanOptions& options) {
  auto t0 = std::chrono::steady_clock::now();
  Inventory inventory = read_inventory(fs);
  double read_ms = ms_since(t0);
  ScanResult r = scan_inventory(std::move(inventory), subject, options);
  r.verdict.summary["timings_ms"]["inventory"] = read_ms;
  return r;
}

}  // namespace tollgate::scan
