// SARIF 2.1.0 as GitHub code scanning ingests it: URIs relative to %SRCROOT% and percent-encoded,
// findings inside an image placed at the Dockerfile or named as logical locations, rules with
// every text GitHub shows, stable fingerprints, and only what failed or warns as results.
#include <filesystem>
#include <fstream>
#include <map>

#include "util/hash.h"
#include "util/strings.h"
#include "verdict/report.h"

#ifndef TOLLGATE_VERSION
#define TOLLGATE_VERSION "0.1.0"
#endif

namespace tollgate::verdict {
namespace {

using nlohmann::json;

std::string sarif_level(const Finding& f) {
  if (!f.blocking && f.severity <= Severity::Info) return "note";
  switch (f.severity) {
    case Severity::Critical:
    case Severity::High:
      return "error";
    case Severity::Medium:
      return "warning";
    default:
      return "note";
  }
}

// GitHub code scanning ranks security alerts by the rule's "security-severity", a CVSS-like
// score: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low. Each severity maps to a
// score inside its band: critical 9.5, high 8.0, medium 5.5, low 2.0. Info and unknown get none,
// so GitHub does not invent a rank for them.
std::optional<std::string> security_severity(Severity s) {
  switch (s) {
    case Severity::Critical:
      return "9.5";
    case Severity::High:
      return "8.0";
    case Severity::Medium:
      return "5.5";
    case Severity::Low:
      return "2.0";
    default:
      return std::nullopt;
  }
}

// Only these gates find security problems; a budget overrun or a slow endpoint is not a
// security alert.
bool security_gate(const std::string& gate) {
  return gate == "scan" || gate == "posture";
}

// Findings of these gates lie inside an image or an SBOM, not in the repository.
bool image_gate(const std::string& gate) {
  return gate == "scan";
}

// A check that held (a met threshold) rides along for the table and JUnit; SARIF lists only
// what failed or warns.
bool met(const Finding& f) {
  return f.properties.is_object() && f.properties.value("passed", false);
}

// A path as a URI path: each segment percent-encoded ("my k8s" -> "my%20k8s"), '/' kept.
std::string uri_encode_path(std::string_view path) {
  std::vector<std::string> segments = str::split(path, '/');
  for (auto& segment : segments)
    segment = str::url_encode(segment);
  return str::join(segments, "/");
}

// A repository file relative to %SRCROOT% (the working directory, where CI checks out); a file
// elsewhere as an absolute file: URI.
json artifact_location(const std::string& file) {
  namespace fs = std::filesystem;
  fs::path p(file);
  std::error_code ec;
  if (p.is_absolute()) {
    fs::path rel = p.lexically_relative(fs::current_path(ec));
    if (ec || rel.empty() || *rel.begin() == "..")
      return {{"uri", "file://" + uri_encode_path(p.lexically_normal().string())}};
    p = rel;
  }
  std::string rel = p.lexically_normal().generic_string();
  return {{"uri", uri_encode_path(rel)}, {"uriBaseId", "%SRCROOT%"}};
}

json physical_location(const SourceLocation& where) {
  json physical = {{"artifactLocation", artifact_location(where.file)}};
  if (where.line > 0) {
    physical["region"] = {{"startLine", where.line}};
    if (where.column > 0) physical["region"]["startColumn"] = where.column;
  }
  return physical;
}

// Where GitHub can place a finding: its file, the Dockerfile for what is inside the image, else
// a logical location (the image and package, or the command line that set the threshold).
json locations(const Finding& f, const Verdict& v, const RenderContext& ctx) {
  if (image_gate(v.gate)) {
    if (!ctx.dockerfile.empty())
      return json::array({{{"physicalLocation", physical_location({ctx.dockerfile, 1, 1})}}});
    std::string image = v.summary.value("target", "image");
    std::string package = f.properties.value("package", f.subject);
    return json::array({{{"logicalLocations",
                          {{{"name", package},
                            {"fullyQualifiedName", image + "/" + package},
                            {"kind", "module"}}}}}});
  }
  if (f.location.known())
    return json::array({{{"physicalLocation", physical_location(f.location)}}});
  std::string name = f.subject.empty() ? v.gate : f.subject;
  return json::array(
      {{{"logicalLocations",
         {{{"name", name},
           {"fullyQualifiedName", ctx.command_line.empty() ? name : ctx.command_line},
           {"kind", "parameter"}}}}}});
}

// Stable across runs and edits above the finding: the rule, the subject and the file, never the
// line number.
json fingerprints(const Finding& f, const Verdict& v) {
  std::string key = v.gate + "\n" + f.id + "\n" + f.subject + "\n" + f.location.file;
  return {{"tollgate/v1", hash::sha256_hex(key)}};
}

std::string help_uri(const Finding& f) {
  if (!f.properties.is_object()) return "";
  for (const auto& l : f.properties.value("links", json::array()))
    if (l.is_string() && l.get<std::string>().starts_with("https://")) return l.get<std::string>();
  return f.properties.value("help_uri", "");
}

json rule_of(const Finding& f, Severity severity, const Verdict& v) {
  std::string title = f.title.empty() ? f.id : f.title;
  std::string why = f.properties.is_object() ? f.properties.value("why", "") : "";
  std::string full = !why.empty() ? why : !f.detail.empty() ? title + ": " + f.detail : title;
  std::string fix = f.fix.empty() ? "No fix is known yet." : f.fix;
  json rule = {
      {"id", f.id},
      {"name", f.id},
      {"shortDescription", {{"text", title}}},
      {"fullDescription", {{"text", full}}},
      {"help", {{"text", fix}, {"markdown", "**" + title + "**\n\n" + full + "\n\n" + fix}}},
      {"defaultConfiguration", {{"level", sarif_level(f)}}},
      {"properties", {{"severity", to_string(severity)}}}};
  if (std::string uri = help_uri(f); !uri.empty()) rule["helpUri"] = uri;
  if (security_gate(v.gate)) {
    rule["properties"]["tags"] = {"security"};
    // GitHub reads security-severity only on rules tagged "security".
    if (auto score = security_severity(severity)) rule["properties"]["security-severity"] = *score;
  }
  return rule;
}

json result_of(const Finding& f, size_t rule_index, const Verdict& v, const RenderContext& ctx) {
  std::string text = f.title;
  if (!f.subject.empty()) text = f.subject + ": " + text;
  if (!f.detail.empty()) text += " (" + f.detail + ")";
  json result = {{"ruleId", f.id},
                 {"ruleIndex", rule_index},
                 {"level", sarif_level(f)},
                 {"message", {{"text", text}}},
                 {"locations", locations(f, v, ctx)},
                 {"partialFingerprints", fingerprints(f, v)}};
  if (!f.properties.empty()) result["properties"] = f.properties;
  if (f.properties.is_object() && f.properties.contains("ignored"))
    result["suppressions"] = {
        {{"kind", "external"}, {"justification", f.properties.value("ignored", "")}}};
  return result;
}

json invocation(const Verdict& v, const RenderContext& ctx) {
  json inv = {{"executionSuccessful", v.status != Status::Error}};
  if (!ctx.command_line.empty()) inv["commandLine"] = ctx.command_line;
  if (v.status == Status::Error)
    inv["toolExecutionNotifications"] = {
        {{"level", "error"},
         {"message", {{"text", v.reason.empty() ? "the gate could not verify" : v.reason}}}}};
  return inv;
}

json run_properties(const Verdict& v) {
  json met_checks = json::array();
  for (const auto& f : v.findings)
    if (met(f)) met_checks.push_back({{"id", f.id}, {"subject", f.subject}, {"title", f.title}});
  json props = {{"status", to_string(v.status)}, {"reason", v.reason}};
  if (!met_checks.empty()) props["met"] = met_checks;
  return props;
}

}  // namespace

std::string render_sarif(const Verdict& v, const RenderContext& ctx) {
  // A rule is as severe as its most severe finding (one id can meet several severities).
  std::map<std::string, Severity> rule_severity;
  for (const auto& f : v.findings) {
    if (met(f)) continue;
    auto [it, added] = rule_severity.emplace(f.id, f.severity);
    if (!added && f.severity > it->second) it->second = f.severity;
  }
  json rules = json::array(), results = json::array();
  std::map<std::string, size_t> rule_index;
  for (const auto& f : v.findings) {
    if (met(f)) continue;
    auto [it, added] = rule_index.emplace(f.id, rules.size());
    if (added) rules.push_back(rule_of(f, rule_severity[f.id], v));
    results.push_back(result_of(f, it->second, v, ctx));
  }
  json driver = {{"name", "tollgate " + v.gate},
                 {"version", TOLLGATE_VERSION},
                 {"informationUri", "https://example.invalid/tollgate"},
                 {"rules", rules}};
  json run = {{"tool", {{"driver", driver}}},
              {"invocations", json::array({invocation(v, ctx)})},
              {"originalUriBaseIds", {{"%SRCROOT%", {{"uri", srcroot_uri()}}}}},
              {"results", results},
              {"properties", run_properties(v)}};
  json sarif = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                {"version", "2.1.0"},
                {"runs", json::array({run})}};
  return sarif.dump(2) + "\n";
}

std::string srcroot_uri() {
  std::error_code ec;
  std::string cwd = std::filesystem::current_path(ec).string();
  if (ec) return "file:///";
  return "file://" + uri_encode_path(cwd) + "/";
}

std::string command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string out;
  size_t start = 0;
  while (start < raw.size()) {
    size_t end = raw.find('\0', start);
    if (end == std::string::npos) end = raw.size();
    std::string arg = redact_credentials(raw.substr(start, end - start));
    // A URL's query may hold a key (cloudhealth:...?api_key=KEY): never written to a report.
    if (size_t q = arg.find('?'); q != std::string::npos && arg.find("://") != std::string::npos)
      arg = arg.substr(0, q + 1) + "[MASKED]";
    if (!out.empty()) out += ' ';
    out += arg.find_first_of(" \t'\"") == std::string::npos ? arg : "'" + arg + "'";
    start = end + 1;
  }
  return out;
}

}  // namespace tollgate::verdict
