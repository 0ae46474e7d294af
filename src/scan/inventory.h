#pragma once

#include <string>
#include <vector>

#include "scan/image_fs.h"
#include "util/error.h"

namespace tollgate::scan {

// The operating system of an image and the OSV ecosystem its advisories are filed under.
struct OsInfo {
  std::string id;          // os-release ID: debian, ubuntu, alpine
  std::string version_id;  // os-release VERSION_ID: 12, 22.04, 3.18.4
  std::string pretty_name;
  std::string ecosystem;      // "Debian:12", "Ubuntu:22.04:LTS", "Alpine:v3.18"; "" if unsupported
  std::string note;           // why the OS is unsupported, when it is
  std::string label() const;  // "debian 12"
};

// One installed package as its package manager records it.
struct Package {
  std::string type;  // "deb", "apk"
  std::string name;
  std::string version;
  std::string arch;
  std::string source_name;     // Debian Source:, Alpine origin; the name when there is none
  std::string source_version;  // Debian source version; the installed version otherwise
  SourceLocation location;     // the database paragraph it came from
  std::string purl() const;
};

struct Inventory {
  OsInfo os;
  // The image the inventory was taken from when its source names one (an SBOM's
  // metadata.component): "registry.example/app:1.0", "alpine@sha256:..."; else empty.
  std::string image;
  std::vector<Package> packages;
  std::vector<std::string> warnings;
};

// Reads /etc/os-release (then /usr/lib/os-release) and the package databases of an image.
Inventory read_inventory(const ImageFs& fs);

OsInfo parse_os_release(std::string_view text);
// dpkg's status file, or one file of distroless's status.d (no Status: field there).
std::vector<Package> parse_dpkg_status(std::string_view text, const std::string& file,
                                       bool require_status);
std::vector<Package> parse_apk_installed(std::string_view text, const std::string& file);

}  // namespace tollgate::scan
