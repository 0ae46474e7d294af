#pragma once

#include <optional>
#include <string>
#include <vector>

#include "scan/inventory.h"
#include "scan/osv.h"
#include "scan/store.h"
#include "scan/version.h"
#include "verdict/verdict.h"

namespace tollgate::scan {

// Whether one installed version is affected by one affected[] entry, and the fix if there is.
struct RangeVerdict {
  bool affected = false;
  std::string fixed;  // the first fixed version above the installed one; "" when unfixed
};

// OSV evaluation: affected when the version is listed in versions[] or falls in any SEMVER or
// ECOSYSTEM range (events sorted by version, introduced "0" first, limits honoured). GIT ranges
// are ignored: they name commits, not package versions. Throws Error naming the record when a
// version in it cannot be ordered.
RangeVerdict evaluate_affected(const AffectedView& a, Scheme scheme, std::string_view version,
                               std::string_view record_id);
RangeVerdict evaluate_affected(const OsvAffected& a, Scheme scheme, std::string_view version,
                               std::string_view record_id);

// One vulnerability in one installed package, after merging the records that describe the
// same vulnerability (DSA-x and DEBIAN-CVE-y sharing CVE-z).
struct Match {
  Package package;
  std::string id;                    // the CVE when there is one, else the record id
  std::vector<std::string> records;  // every OSV record id that matched (DSA, DEBIAN-CVE ...)
  std::vector<std::string> aliases;  // every other id the vulnerability goes by
  std::string fixed_version;         // "" when no fix exists yet
  std::string summary;
  std::vector<std::string> links;
  verdict::Severity severity = verdict::Severity::Unknown;
  std::string severity_source;  // "CVSS:3.1/... (9.8)", "debian urgency: low", ... (severity.h)
  std::string vendor_severity;  // Debian urgency as published
  std::string ecosystem;
  bool kernel_headers = false;  // a kernel CVE seen through linux-libc-dev: real, rarely relevant
};

// Every vulnerability of every package of the inventory. The OS ecosystem must be set
// (callers refuse unsupported OSes before). Binary packages built from the same source at the
// same version share their findings, which are worked out once.
// `threads` 0: one per core (at most 4), fewer for a small inventory; the result is the same
// whatever the number.
std::vector<Match> match_inventory(const Inventory& inventory, VulnStore& store,
                                   size_t threads = 0);

}  // namespace tollgate::scan
