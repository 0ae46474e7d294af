#include "scan/osv.h"

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

std::vector<OsvSeverity> severities(const json& j) {
  std::vector<OsvSeverity> out;
  auto it = j.find("severity");
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& s : *it)
    if (s.is_object()) out.push_back({text(s, "type"), text(s, "score")});
  return out;
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
  out.severity = severities(a);
  return out;
}

}  // namespace

OsvRecord parse_osv(const json& j, const SourceLocation& where) {
  if (!j.is_object()) throw Error(where, "an OSV record must be a JSON object");
  OsvRecord r;
  r.id = text(j, "id");
  if (r.id.empty()) bad(where, "", "missing 'id'");
  r.modified = text(j, "modified");
  r.withdrawn = j.contains("withdrawn") && !j["withdrawn"].is_null();
  r.summary = text(j, "summary");
  r.details = text(j, "details");
  r.aliases = strings(j, "aliases");
  r.upstream = strings(j, "upstream");
  r.severity = severities(j);
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
constexpr const char* kEventKeys[] = {"i", "f", "l", "m"};
}

nlohmann::json severities_to_json(const std::vector<OsvSeverity>& s) {
  json out = json::array();
  for (const auto& x : s)
    out.push_back({x.type, x.score});
  return out;
}

std::vector<OsvSeverity> severities_from_json(const nlohmann::json& j) {
  std::vector<OsvSeverity> out;
  for (const auto& x : j)
    out.push_back({x.at(0).get<std::string>(), x.at(1).get<std::string>()});
  return out;
}

nlohmann::json affected_to_json(const OsvAffected& a) {
  json ranges = json::array();
  for (const auto& r : a.ranges) {
    json events = json::array();
    for (const auto& e : r.events)
      events.push_back({kEventKeys[static_cast<int>(e.kind)], e.version});
    ranges.push_back({{"t", r.type}, {"e", events}});
  }
  json out = {{"r", ranges}};
  if (!a.versions.empty()) out["v"] = a.versions;
  if (!a.urgency.empty()) out["u"] = a.urgency;
  if (!a.severity.empty()) out["s"] = severities_to_json(a.severity);
  if (!a.database_severity.empty()) out["d"] = a.database_severity;
  return out;
}

OsvAffected affected_from_json(const nlohmann::json& j) {
  OsvAffected a;
  for (const auto& r : j.at("r")) {
    OsvRange range;
    range.type = r.at("t").get<std::string>();
    for (const auto& e : r.at("e")) {
      std::string k = e.at(0).get<std::string>();
      OsvEvent::Kind kind = k == "i"   ? OsvEvent::Kind::Introduced
                            : k == "f" ? OsvEvent::Kind::Fixed
                            : k == "l" ? OsvEvent::Kind::LastAffected
                                       : OsvEvent::Kind::Limit;
      range.events.push_back({kind, e.at(1).get<std::string>()});
    }
    a.ranges.push_back(std::move(range));
  }
  if (j.contains("v")) a.versions = j["v"].get<std::vector<std::string>>();
  if (j.contains("u")) a.urgency = j["u"].get<std::string>();
  if (j.contains("s")) a.severity = severities_from_json(j["s"]);
  if (j.contains("d")) a.database_severity = j["d"].get<std::string>();
  return a;
}

}  // namespace tollgate::scan
