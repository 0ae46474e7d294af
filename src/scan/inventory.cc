#include "scan/inventory.h"

#include <functional>
#include <map>

#include "util/strings.h"

namespace tollgate::scan {
namespace {

std::string unquote(std::string_view v) {
  v = str::trim(v);
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
    v = v.substr(1, v.size() - 2);
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) ++i;
    out += v[i];
  }
  return out;
}

std::string major_minor(const std::string& v) {
  auto parts = str::split(v, '.');
  if (parts.size() < 2) return v;
  return parts[0] + "." + parts[1];
}

// A paragraph of an RFC 822-style database: its fields as views into the text (the last one
// wins when a field repeats), plus the line it starts on.
struct Paragraph {
  std::vector<std::pair<std::string_view, std::string_view>> fields;
  int line = 0;
  std::string_view get(std::string_view key) const {
    for (auto it = fields.rbegin(); it != fields.rend(); ++it)
      if (it->first == key) return it->second;
    return {};
  }
};

// dpkg's control syntax: "Field: value", continuation lines start with a space or tab (no field
// read here spans lines), paragraphs end at a blank line. Calls visit for each paragraph, read in
// place: a status file of a thousand packages is a megabyte of text.
void for_each_paragraph(std::string_view text, const std::function<void(const Paragraph&)>& visit) {
  Paragraph cur;
  int line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    if (str::trim(line).empty()) {
      if (!cur.fields.empty()) visit(cur);
      cur.fields.clear();
      continue;
    }
    if (line[0] == ' ' || line[0] == '\t') continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (cur.fields.empty()) cur.line = line_no;
    cur.fields.emplace_back(line.substr(0, colon), str::trim(line.substr(colon + 1)));
  }
  if (!cur.fields.empty()) visit(cur);
}

}  // namespace

std::string OsInfo::label() const {
  if (id.empty()) return "unknown";
  return version_id.empty() ? id : id + " " + version_id;
}

std::string Package::purl() const {
  if (type == "deb")
    return "pkg:deb/debian/" + name + "@" + version + (arch.empty() ? "" : "?arch=" + arch);
  if (type == "apk")
    return "pkg:apk/alpine/" + name + "@" + version + (arch.empty() ? "" : "?arch=" + arch);
  return "pkg:generic/" + name + "@" + version;
}

OsInfo parse_os_release(std::string_view text) {
  std::map<std::string, std::string> kv;
  for (const auto& line : str::split_lines(text)) {
    std::string_view l = str::trim(line);
    if (l.empty() || l[0] == '#') continue;
    size_t eq = l.find('=');
    if (eq == std::string_view::npos) continue;
    kv[std::string(l.substr(0, eq))] = unquote(l.substr(eq + 1));
  }
  OsInfo os;
  os.id = kv["ID"];
  os.version_id = kv["VERSION_ID"];
  os.pretty_name = kv["PRETTY_NAME"];
  if (os.id == "debian") {
    // Advisories are per major release; a point release lives only in /etc/debian_version.
    std::string major = str::split(os.version_id, '.')[0];
    if (major.empty())
      os.note = "Debian without VERSION_ID (testing or unstable) has no release to match";
    else
      os.ecosystem = "Debian:" + major;
  } else if (os.id == "ubuntu") {
    if (os.version_id.empty())
      os.note = "Ubuntu without VERSION_ID";
    else
      os.ecosystem = "Ubuntu:" + os.version_id +
                     (kv["VERSION"].find("LTS") != std::string::npos ? ":LTS" : "");
  } else if (os.id == "alpine") {
    if (os.version_id.find('_') != std::string::npos || os.version_id.empty())
      os.note = "Alpine " + os.version_id + " is a development snapshot (edge), not a release";
    else
      os.ecosystem = "Alpine:v" + major_minor(os.version_id);
  } else {
    os.note = "no OS advisories for '" + (os.id.empty() ? std::string("?") : os.id) + "'";
  }
  return os;
}

std::vector<Package> parse_dpkg_status(std::string_view text, const std::string& file,
                                       bool require_status) {
  std::vector<Package> out;
  for_each_paragraph(text, [&](const Paragraph& p) {
    std::string_view name = p.get("Package"), version = p.get("Version");
    if (name.empty() || version.empty()) return;
    // Only "install ok installed" is on disk; config-files and half-installed are not.
    if (require_status) {
      auto words = str::split(p.get("Status"), ' ');
      if (words.size() != 3 || words[2] != "installed") return;
    }
    Package pkg;
    pkg.type = "deb";
    pkg.name = name;
    pkg.version = version;
    pkg.arch = p.get("Architecture");
    pkg.location = {file, p.line, 1};
    std::string_view source = p.get("Source");
    size_t paren = source.find('(');
    if (paren != std::string_view::npos) {
      pkg.source_name = str::trim(source.substr(0, paren));
      size_t close = source.find(')', paren);
      pkg.source_version = str::trim(source.substr(
          paren + 1, close == std::string_view::npos ? std::string_view::npos : close - paren - 1));
    } else {
      pkg.source_name = str::trim(source);
    }
    if (pkg.source_name.empty()) pkg.source_name = name;
    // A Source: without a version means the source version is the binary's, epoch included.
    if (pkg.source_version.empty()) pkg.source_version = version;
    out.push_back(std::move(pkg));
  });
  return out;
}

std::vector<Package> parse_apk_installed(std::string_view text, const std::string& file) {
  std::vector<Package> out;
  Package cur;
  int line_no = 0;
  auto flush = [&] {
    if (!cur.name.empty() && !cur.version.empty()) {
      if (cur.source_name.empty()) cur.source_name = cur.name;
      cur.source_version = cur.version;
      cur.type = "apk";
      out.push_back(std::move(cur));
    }
    cur = Package{};
  };
  for (const auto& line : str::split_lines(text)) {
    ++line_no;
    if (line.empty()) {
      flush();
      continue;
    }
    if (line.size() < 2 || line[1] != ':') continue;
    std::string value = line.substr(2);
    switch (line[0]) {
      case 'P':
        cur.name = value;
        cur.location = {file, line_no, 1};
        break;
      case 'V':
        cur.version = value;
        break;
      case 'A':
        cur.arch = value;
        break;
      case 'o':
        cur.source_name = value;
        break;
    }
  }
  flush();
  return out;
}

Inventory read_inventory(const ImageFs& fs) {
  Inventory inv;
  auto release = fs.read("/etc/os-release");
  if (!release) release = fs.read("/usr/lib/os-release");
  if (release) {
    inv.os = parse_os_release(*release);
  } else {
    inv.os.note = "no /etc/os-release or /usr/lib/os-release in the image";
  }
  if (auto status = fs.read("/var/lib/dpkg/status")) {
    auto pkgs = parse_dpkg_status(*status, "/var/lib/dpkg/status", true);
    inv.packages.insert(inv.packages.end(), pkgs.begin(), pkgs.end());
  }
  for (const auto& name : fs.list("/var/lib/dpkg/status.d")) {
    if (name.ends_with(".md5sums")) continue;
    std::string path = "/var/lib/dpkg/status.d/" + name;
    if (auto text = fs.read(path)) {
      auto pkgs = parse_dpkg_status(*text, path, false);
      inv.packages.insert(inv.packages.end(), pkgs.begin(), pkgs.end());
    }
  }
  if (auto installed = fs.read("/lib/apk/db/installed")) {
    auto pkgs = parse_apk_installed(*installed, "/lib/apk/db/installed");
    inv.packages.insert(inv.packages.end(), pkgs.begin(), pkgs.end());
  }
  if (!inv.os.ecosystem.empty() && inv.packages.empty())
    inv.warnings.push_back("no package database found for " + inv.os.label());
  return inv;
}

}  // namespace tollgate::scan
