#pragma once

#include <string>
#include <vector>

#include "scan/osv.h"
#include "verdict/verdict.h"

namespace tollgate::scan {

// The severity of one affected[] entry and where it came from ("CVSS:3.1/... (9.8)",
// "debian urgency: low"). Worked out once at import and stored beside the ranges, so a scan
// neither parses CVSS vectors nor re-reads the record.
struct Rating {
  verdict::Severity severity = verdict::Severity::Unknown;
  std::string source = "no severity published";
  // How trustworthy the rating is, to choose when records of one vulnerability disagree: a
  // computed CVSS score beats a feed's word, which beats unknown.
  int rank() const;
};

// The severity rule, written down once:
//   1. a CVSS v3.x vector (package-level, else record-level) gives the base score's rating;
//   2. else the feed's own word (database_specific.severity, Ubuntu priority);
//   3. else Debian's urgency: unimportant and low -> low, medium -> medium, high -> high;
//      "not yet assigned" and "end-of-life" -> unknown;
//   4. else unknown.
// The Debian urgency itself stays on the entry and is reported as the vendor severity.
Rating rate(const std::vector<OsvSeverity>& record_severity, const OsvAffected& affected);

}  // namespace tollgate::scan
