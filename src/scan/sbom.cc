#include "scan/sbom.h"

#include <map>
#include <nlohmann/json.hpp>

#include "scan/osv_import.h"
#include "util/json_read.h"
#include "util/strings.h"

namespace tollgate::scan {
namespace {

using nlohmann::json;

struct Purl {
  std::string type, namespace_, name, version;
  std::map<std::string, std::string> qualifiers;
};

std::optional<Purl> parse_purl(std::string_view s) {
  if (!s.starts_with("pkg:")) return std::nullopt;
  s.remove_prefix(4);
  Purl p;
  s = s.substr(0, s.find('#'));
  if (size_t q = s.find('?'); q != std::string_view::npos) {
    for (const auto& kv : str::split(s.substr(q + 1), '&')) {
      size_t eq = kv.find('=');
      if (eq != std::string::npos) p.qualifiers[kv.substr(0, eq)] = purl_decode(kv.substr(eq + 1));
    }
    s = s.substr(0, q);
  }
  if (size_t at = s.rfind('@'); at != std::string_view::npos) {
    p.version = purl_decode(s.substr(at + 1));
    s = s.substr(0, at);
  }
  auto parts = str::split(s, '/');
  if (parts.size() < 2) return std::nullopt;
  p.type = parts.front();
  p.name = purl_decode(parts.back());
  if (parts.size() > 2) p.namespace_ = purl_decode(parts[1]);
  return p;
}

// "debian-12" or "12" or "bookworm" from distro=; only the first two are usable.
void os_from_distro(OsInfo& os, const Purl& p) {
  auto it = p.qualifiers.find("distro");
  if (it == p.qualifiers.end()) return;
  std::string d = it->second;
  size_t dash = d.rfind('-');
  std::string id = dash == std::string::npos ? p.namespace_ : d.substr(0, dash);
  std::string version = dash == std::string::npos ? d : d.substr(dash + 1);
  os = parse_os_release("ID=" + id + "\nVERSION_ID=" + version + "\n");
}

std::string property(const json& c, std::string_view name) {
  if (!c.contains("properties") || !c["properties"].is_array()) return "";
  for (const auto& p : c["properties"])
    if (p.value("name", "") == name) return p.value("value", "");
  return "";
}

// The image a container component names, as `docker pull` takes it. Syft writes the name the
// user gave and the manifest digest as version; Trivy the name with its tag.
std::string image_of(const json& c) {
  if (c.value("type", "") != "container") return "";
  std::string name = c.value("name", "");
  std::string version = c.value("version", "");
  if (name.empty()) return "";
  size_t slash = name.rfind('/');
  bool tagged =
      name.find_first_of(":@", slash == std::string::npos ? 0 : slash) != std::string::npos;
  if (tagged || version.empty()) return name;
  return name + (version.starts_with("sha256:") ? "@" : ":") + version;
}

}  // namespace

std::string purl_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int v = 0;
      if (std::sscanf(std::string(s.substr(i + 1, 2)).c_str(), "%2x", &v) == 1) {
        out += static_cast<char>(v);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

Inventory read_cyclonedx(std::string_view text, const std::string& file) {
  json j = json_read::parse(text, file);
  if (!j.is_object() || j.value("bomFormat", "") != "CycloneDX")
    throw Error(SourceLocation{file}, "not a CycloneDX JSON SBOM (bomFormat is not \"CycloneDX\")");
  Inventory inv;
  std::vector<json> all;
  if (j.contains("metadata") && j["metadata"].contains("component")) {
    all.push_back(j["metadata"]["component"]);
    inv.image = image_of(all.back());
  }
  if (j.contains("components") && j["components"].is_array())
    for (const auto& c : j["components"])
      all.push_back(c);
  bool have_os = false;
  for (const auto& c : all)
    if (c.value("type", "") == "operating-system") {
      inv.os = parse_os_release("ID=" + str::lower(c.value("name", "")) +
                                "\nVERSION_ID=" + c.value("version", "") + "\n");
      have_os = true;
    }
  size_t index = 0;
  for (const auto& c : all) {
    ++index;
    auto purl = parse_purl(c.value("purl", ""));
    if (!purl || (purl->type != "deb" && purl->type != "apk") || purl->version.empty()) continue;
    if (!have_os) {
      os_from_distro(inv.os, *purl);
      have_os = !inv.os.ecosystem.empty();
    }
    Package p;
    p.type = purl->type;
    p.name = purl->name;
    p.version = purl->version;
    if (auto a = purl->qualifiers.find("arch"); a != purl->qualifiers.end()) p.arch = a->second;
    p.location = {file + ":components[" + std::to_string(index - 1) + "]"};
    std::string upstream = purl->qualifiers.count("upstream") ? purl->qualifiers["upstream"] : "";
    if (size_t at = upstream.find('@'); at != std::string::npos) {
      p.source_name = upstream.substr(0, at);
      p.source_version = upstream.substr(at + 1);
    } else {
      p.source_name = upstream;
    }
    if (std::string s = property(c, "tollgate:source_package"); !s.empty()) p.source_name = s;
    if (std::string s = property(c, "tollgate:source_version"); !s.empty()) p.source_version = s;
    if (std::string s = property(c, "syft:metadata:source"); !s.empty() && p.source_name.empty())
      p.source_name = s;
    if (std::string s = property(c, "syft:metadata:sourceVersion");
        !s.empty() && p.source_version.empty())
      p.source_version = s;
    if (p.source_name.empty()) p.source_name = p.name;
    if (p.source_version.empty()) p.source_version = p.version;
    inv.packages.push_back(std::move(p));
  }
  if (!have_os && inv.os.note.empty())
    inv.os.note = "the SBOM names no operating-system component and no purl distro= qualifier";
  return inv;
}

}  // namespace tollgate::scan
