#include "scan/reports.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <re2/re2.h>

#include <cstdio>

#include "util/strings.h"
#include "util/timefmt.h"

#ifndef TOLLGATE_VERSION
#define TOLLGATE_VERSION "0.1.0"
#endif

namespace tollgate::scan {
namespace {

using nlohmann::json;

// GitLab wants "YYYY-MM-DDTHH:MM:SS": UTC without zone suffix or fraction.
std::string gitlab_time(const json& summary, const char* key) {
  std::string t = summary.value(key, "");
  if (t.size() < 19) t = timefmt::iso8601(std::chrono::system_clock::now());
  return t.substr(0, 19);
}

// The schema's image pattern requires a tag; a path or a bare name gets ":latest".
std::string gitlab_image(const std::string& target) {
  static const RE2 kPattern(R"(^[^:]+(:\d+[^:]*)?:[^:]+(:[^:]+)?$)");
  std::string image = target.empty() ? "unknown" : target;
  if (!RE2::FullMatch(image, kPattern)) image += ":latest";
  if (!RE2::FullMatch(image, kPattern)) image = str::replace_all(image, ":", "_") + ":latest";
  return image;
}

std::string capitalised(verdict::Severity s) {
  std::string name(verdict::to_string(s));
  name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
  return name;
}

json identifier(const std::string& id) {
  std::string prefix = str::lower(id.substr(0, id.find('-')));
  json out = {{"type", prefix.empty() ? "id" : prefix}, {"name", id}, {"value", id}};
  if (id.starts_with("CVE-"))
    out["url"] = "https://nvd.nist.gov/vuln/detail/" + id;
  else if (id.starts_with("GHSA-"))
    out["url"] = "https://github.com/advisories/" + id;
  else
    out["url"] = "https://osv.dev/vulnerability/" + id;
  return out;
}

json scanner_block(const char* id, const char* name) {
  return {{"id", id},
          {"name", name},
          {"version", TOLLGATE_VERSION},
          {"vendor", {{"name", "tollgate"}}}};
}

}  // namespace

namespace {

std::string uuid_text(unsigned char* bytes, unsigned char version) {
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | (version << 4));
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string out;
  char hex[3];
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    std::snprintf(hex, sizeof hex, "%02x", bytes[i]);
    out += hex;
  }
  return out;
}

}  // namespace

std::string stable_uuid(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  return uuid_text(digest, 5);  // "version 5" shape
}

std::string random_uuid() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw Error("no random bytes for a BOM serial number");
  return uuid_text(bytes, 4);
}

std::string render_gitlab_container_scanning(const verdict::Verdict& v) {
  const json& s = v.summary;
  std::string image = gitlab_image(s.value("target", ""));
  std::string os = s.value("os", "");
  if (os.empty() || os == "unknown") os = "unknown";
  json vulns = json::array();
  for (const auto& f : v.findings) {
    const json& p = f.properties;
    std::string package = p.value("package", f.subject);
    std::string version = p.value("installed_version", "");
    json identifiers = json::array({identifier(f.id)});
    for (const auto& alias : p.value("aliases", json::array()))
      identifiers.push_back(identifier(alias.get<std::string>()));
    json links = json::array();
    for (const auto& l : p.value("links", json::array()))
      if (l.is_string() && (l.get<std::string>().starts_with("http://") ||
                            l.get<std::string>().starts_with("https://")))
        links.push_back({{"url", l}});
    json vuln = {
        {"id", stable_uuid(f.id + "\n" + package + "\n" + version)},
        {"name", f.title.substr(0, 255)},
        {"description", f.detail.substr(0, 1'000'000)},
        {"severity", capitalised(f.severity)},
        {"solution", f.fix.substr(0, 7000)},
        {"identifiers", identifiers},
        {"links", links},
        {"location",
         {{"dependency", {{"package", {{"name", package}}}, {"version", version}}},
          {"operating_system", os},
          {"image", image}}},
    };
    vulns.push_back(std::move(vuln));
  }
  json scan = {
      {"analyzer", scanner_block("tollgate", "tollgate")},
      {"scanner", scanner_block("tollgate-scan", "tollgate scan")},
      {"type", "container_scanning"},
      {"status", v.status == verdict::Status::Error ? "failure" : "success"},
      {"start_time", gitlab_time(s, "start_time")},
      {"end_time", gitlab_time(s, "end_time")},
  };
  if (v.status == verdict::Status::Error)
    scan["messages"] = json::array({{{"level", "fatal"}, {"value", v.reason}}});
  json report = {
      {"version", kGitlabSchemaVersion},
      {"schema", "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v" +
                     std::string(kGitlabSchemaVersion) +
                     "/dist/container-scanning-report-format.json"},
      {"scan", scan},
      {"vulnerabilities", vulns},
      {"remediations", json::array()},
  };
  return report.dump(2) + "\n";
}

std::string render_cyclonedx(const Inventory& inventory, const verdict::Verdict& v) {
  json components = json::array();
  if (!inventory.os.id.empty())
    components.push_back({{"type", "operating-system"},
                          {"bom-ref", "os:" + inventory.os.label()},
                          {"name", inventory.os.id},
                          {"version", inventory.os.version_id}});
  for (const auto& p : inventory.packages) {
    json c = {{"type", "library"},
              {"bom-ref", p.purl()},
              {"name", p.name},
              {"version", p.version},
              {"purl", p.purl()}};
    if (p.source_name != p.name || p.source_version != p.version)
      c["properties"] =
          json::array({{{"name", "tollgate:source_package"}, {"value", p.source_name}},
                       {{"name", "tollgate:source_version"}, {"value", p.source_version}}});
    components.push_back(std::move(c));
  }
  json vulns = json::array();
  for (const auto& f : v.findings) {
    json rating = {{"severity", f.severity == verdict::Severity::Unknown
                                    ? "unknown"
                                    : std::string(verdict::to_string(f.severity))}};
    std::string source = f.properties.value("severity_source", "");
    if (source.starts_with("CVSS:3")) {
      rating["method"] = source.starts_with("CVSS:3.1") ? "CVSSv31" : "CVSSv3";
      rating["vector"] = source.substr(0, source.find(' '));
    }
    vulns.push_back(
        {{"id", f.id},
         {"source", {{"name", "OSV"}, {"url", "https://osv.dev/vulnerability/" + f.id}}},
         {"ratings", json::array({rating})},
         {"description", f.detail},
         {"recommendation", f.fix},
         {"affects", json::array({{{"ref", f.properties.value("purl", "")}}})}});
  }
  json bom = {
      {"bomFormat", "CycloneDX"},
      {"specVersion", "1.4"},
      // CycloneDX: every BOM, even one of the same image, gets its own serial number.
      {"serialNumber", "urn:uuid:" + random_uuid()},
      {"version", 1},
      {"metadata",
       {{"timestamp",
         v.summary.value("end_time", timefmt::iso8601(std::chrono::system_clock::now()))},
        {"tools",
         json::array(
             {{{"vendor", "tollgate"}, {"name", "tollgate scan"}, {"version", TOLLGATE_VERSION}}})},
        {"component", {{"type", "container"}, {"name", v.summary.value("target", "unknown")}}}}},
      {"components", components},
      {"vulnerabilities", vulns},
  };
  return bom.dump(2) + "\n";
}

}  // namespace tollgate::scan
