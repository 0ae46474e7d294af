#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/error.h"

namespace tollgate::scan {

// An OSV record (ossf/osv-schema), reduced to what matching and reporting read.
struct OsvEvent {
  enum class Kind { Introduced, Fixed, LastAffected, Limit };
  Kind kind;
  std::string version;
};

struct OsvRange {
  std::string type;  // SEMVER, ECOSYSTEM or GIT
  std::vector<OsvEvent> events;
};

struct OsvSeverity {
  std::string type;   // CVSS_V3, CVSS_V2, CVSS_V4, Ubuntu
  std::string score;  // a CVSS vector, or a word for Ubuntu
};

struct OsvAffected {
  std::string ecosystem;  // "Debian:12", "Alpine:v3.18", "PyPI"
  std::string name;       // the source package for Debian, the origin for Alpine
  std::vector<OsvRange> ranges;
  std::vector<std::string> versions;
  std::string urgency;                // Debian's ecosystem_specific.urgency
  std::vector<OsvSeverity> severity;  // per-package severity, when the record has one
  std::string database_severity;      // database_specific.severity ("HIGH", "MODERATE")
};

struct OsvRecord {
  std::string id;
  std::string modified;
  bool withdrawn = false;
  std::string summary;
  std::string details;
  std::vector<std::string> aliases;
  std::vector<std::string> upstream;
  std::vector<OsvSeverity> severity;
  std::vector<std::string> references;  // URLs
  std::vector<OsvAffected> affected;
};

// Reads one record; throws Error naming `where` and the field when it breaks the schema in a
// way that would change a match (an event with no version, an unknown event kind).
OsvRecord parse_osv(const nlohmann::json& j, const SourceLocation& where);

struct Rating;

// The compact form the store keeps per affected package, and back: what matching reads (ranges,
// versions, urgency) and the rating worked out at import, one field a line ("R ECOSYSTEM",
// "i 0", "f 2.36-9+deb12u3", "P high\tCVSS:3.1/..."), read back without a JSON parse because a
// scan reads thousands of these. The raw severity lists are not kept: the rating replaces them.
std::string encode_affected(const OsvAffected& a, const Rating& rating);
OsvAffected decode_affected(std::string_view text, Rating& rating);

// What matching reads of an affected entry, as views into text it does not own (the stored
// form, or an OsvAffected's strings): a scan evaluates tens of thousands of entries and keeps
// the few that match, so it reads each in place and copies nothing. One instance is reused
// across entries; its lists keep their capacity.
struct AffectedView {
  struct Event {
    OsvEvent::Kind kind;
    std::string_view version;
  };
  struct Range {
    std::string_view type;
    size_t first = 0, count = 0;  // events[first, first + count)
  };
  std::vector<Range> ranges;
  std::vector<Event> events;
  std::vector<std::string_view> versions;

  void read(std::string_view stored);  // the encode_affected form
  void read(const OsvAffected& a);
};

}  // namespace tollgate::scan
