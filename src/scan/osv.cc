#include "scan/osv.h"

#include "scan/cvss.h"
#include "scan/severity.h"
#include "util/timefmt.h"

namespace tollgate::scan {
namespace {

using nlohmann::json;

[[noreturn]] void bad(const SourceLocation& where, const std::string& id, const std::string& what) {
  throw Error(where, "OSV record " + (id.empty() ? std::string("?") : id) + ": " + what);
}

std::string text(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (!it->is_string()) return it->dump();
  return it->get<std::string>();
}

std::vector<std::string> strings(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

// A CVSS v3 vector that does not parse would rate the advisory Unknown, below any --fail-on: the
// record is refused rather than quietly made harmless.
std::vector<OsvSeverity> severities(const json& j, const SourceLocation& where,
                                    const std::string& id) {
  std::vector<OsvSeverity> out;
  auto it = j.find("severity");
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& s : *it) {
    if (!s.is_object()) continue;
    OsvSeverity sev{text(s, "type"), text(s, "score")};
    if (sev.type == "CVSS_V3" && !cvss3_base_score(sev.score))
      bad(where, id, "severity '" + sev.score + "' is not a complete CVSS v3 vector");
    out.push_back(std::move(sev));
  }
  return out;
}

// An RFC 3339 time, or absent. A malformed `withdrawn` read as "withdrawn" would drop the
// advisory from every scan.
void check_time(const json& j, const char* key, const SourceLocation& where,
                const std::string& id) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  if (!it->is_string() || !timefmt::parse_iso8601(it->get<std::string>()))
    bad(where, id, std::string("'") + key + "' is not an RFC 3339 time: " + it->dump());
}

OsvEvent parse_event(const json& e, const SourceLocation& where, const std::string& id) {
  if (!e.is_object() || e.size() != 1) bad(where, id, "a range event must hold exactly one key");
  static const std::pair<const char*, OsvEvent::Kind> kKinds[] = {
      {"introduced", OsvEvent::Kind::Introduced},
      {"fixed", OsvEvent::Kind::Fixed},
      {"last_affected", OsvEvent::Kind::LastAffected},
      {"limit", OsvEvent::Kind::Limit},
  };
  for (const auto& [key, kind] : kKinds) {
    auto it = e.find(key);
    if (it == e.end()) continue;
    if (!it->is_string() || it->get<std::string>().empty())
      bad(where, id, std::string("event '") + key + "' needs a version string");
    return {kind, it->get<std::string>()};
  }
  bad(where, id, "unknown range event '" + e.begin().key() + "'");
}

OsvAffected parse_affected(const json& a, const SourceLocation& where, const std::string& id) {
  OsvAffected out;
  auto pkg = a.find("package");
  if (pkg != a.end() && pkg->is_object()) {
    out.ecosystem = text(*pkg, "ecosystem");
    out.name = text(*pkg, "name");
  }
  if (auto r = a.find("ranges"); r != a.end() && r->is_array()) {
    for (const auto& range : *r) {
      OsvRange rg;
      rg.type = text(range, "type");
      auto events = range.find("events");
      if (events == range.end() || !events->is_array() || events->empty())
        bad(where, id, "a range needs a non-empty 'events' list");
      for (const auto& e : *events)
        rg.events.push_back(parse_event(e, where, id));
      out.ranges.push_back(std::move(rg));
    }
  }
  out.versions = strings(a, "versions");
  if (auto es = a.find("ecosystem_specific"); es != a.end() && es->is_object())
    out.urgency = text(*es, "urgency");
  if (auto ds = a.find("database_specific"); ds != a.end() && ds->is_object())
    out.database_severity = text(*ds, "severity");
  out.severity = severities(a, where, id);
  return out;
}

}  // namespace

OsvRecord parse_osv(const json& j, const SourceLocation& where) {
  if (!j.is_object()) throw Error(where, "an OSV record must be a JSON object");
  OsvRecord r;
  r.id = text(j, "id");
  if (r.id.empty()) bad(where, "", "missing 'id'");
  check_time(j, "modified", where, r.id);
  check_time(j, "withdrawn", where, r.id);
  r.modified = text(j, "modified");
  r.withdrawn = j.contains("withdrawn") && !j["withdrawn"].is_null();
  r.summary = text(j, "summary");
  r.details = text(j, "details");
  r.aliases = strings(j, "aliases");
  r.upstream = strings(j, "upstream");
  r.severity = severities(j, where, r.id);
  if (auto refs = j.find("references"); refs != j.end() && refs->is_array())
    for (const auto& ref : *refs)
      if (ref.is_object() && ref.contains("url")) r.references.push_back(text(ref, "url"));
  if (auto aff = j.find("affected"); aff != j.end()) {
    if (!aff->is_array()) bad(where, r.id, "'affected' must be a list");
    for (const auto& a : *aff)
      r.affected.push_back(parse_affected(a, where, r.id));
  }
  return r;
}

namespace {

// Versions, ecosystems and severities never hold a newline; one is replaced all the same so that
// a hostile record cannot forge fields.
std::string one_line(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c == '\n') c = ' ';
  return out;
}

}  // namespace

std::string encode_affected(const OsvAffected& a, const Rating& rating) {
  static constexpr char kEventCodes[] = {'i', 'f', 'l', 'm'};
  std::string out;
  for (const auto& r : a.ranges) {
    out += "R " + one_line(r.type) + "\n";
    for (const auto& e : r.events)
      out +=
          std::string(1, kEventCodes[static_cast<int>(e.kind)]) + " " + one_line(e.version) + "\n";
  }
  for (const auto& v : a.versions)
    out += "V " + one_line(v) + "\n";
  if (!a.urgency.empty()) out += "U " + one_line(a.urgency) + "\n";
  out += "P ";
  out += verdict::to_string(rating.severity);
  out += "\t" + one_line(rating.source) + "\n";
  return out;
}

OsvAffected decode_affected(std::string_view text, Rating& rating) {
  OsvAffected a;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.size() < 2) continue;
    std::string value(line.substr(2));
    switch (line[0]) {
      case 'R':
        a.ranges.push_back({std::move(value), {}});
        break;
      case 'i':
      case 'f':
      case 'l':
      case 'm': {
        if (a.ranges.empty()) break;
        OsvEvent::Kind kind = line[0] == 'i'   ? OsvEvent::Kind::Introduced
                              : line[0] == 'f' ? OsvEvent::Kind::Fixed
                              : line[0] == 'l' ? OsvEvent::Kind::LastAffected
                                               : OsvEvent::Kind::Limit;
        a.ranges.back().events.push_back({kind, std::move(value)});
        break;
      }
      case 'V':
        a.versions.push_back(std::move(value));
        break;
      case 'U':
        a.urgency = std::move(value);
        break;
      case 'P': {
        size_t tab = value.find('\t');
        rating.severity =
            verdict::parse_severity(value.substr(0, tab)).value_or(verdict::Severity::Unknown);
        rating.source = tab == std::string::npos ? "" : value.substr(tab + 1);
        break;
      }
    }
  }
  return a;
}

void AffectedView::read(std::string_view text) {
  ranges.clear();
  events.clear();
  versions.clear();
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.size() < 2) continue;
    std::string_view value = line.substr(2);
    switch (line[0]) {
      case 'R':
        ranges.push_back({value, events.size(), 0});
        break;
      case 'i':
      case 'f':
      case 'l':
      case 'm':
        if (ranges.empty()) break;
        events.push_back({line[0] == 'i'   ? OsvEvent::Kind::Introduced
                          : line[0] == 'f' ? OsvEvent::Kind::Fixed
                          : line[0] == 'l' ? OsvEvent::Kind::LastAffected
                                           : OsvEvent::Kind::Limit,
                          value});
        ++ranges.back().count;
        break;
      case 'V':
        versions.push_back(value);
        break;
    }
  }
}

void AffectedView::read(const OsvAffected& a) {
  ranges.clear();
  events.clear();
  versions.clear();
  for (const auto& r : a.ranges) {
    ranges.push_back({r.type, events.size(), r.events.size()});
    for (const auto& e : r.events)
      events.push_back({e.kind, e.version});
  }
  for (const auto& v : a.versions)
    versions.push_back(v);
}

}  // namespace tollgate::scan
