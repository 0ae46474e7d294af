#include "scan/version.h"

#include <array>
#include <utility>

#include "util/error.h"

namespace tollgate::scan {
namespace {

constexpr std::array<std::pair<std::string_view, Scheme>, 5> kSchemes = {{
    {"dpkg", Scheme::Dpkg},
    {"apk", Scheme::Apk},
    {"rpm", Scheme::Rpm},
    {"semver", Scheme::Semver},
    {"pep440", Scheme::Pep440},
}};

// The distribution part of "Debian:12" or "Alpine:v3.18".
std::string_view base_ecosystem(std::string_view ecosystem) {
  return ecosystem.substr(0, ecosystem.find(':'));
}

}  // namespace

std::string_view to_string(Scheme s) {
  for (const auto& [name, scheme] : kSchemes)
    if (scheme == s) return name;
  return "?";
}

std::optional<Scheme> parse_scheme(std::string_view name) {
  for (const auto& [n, scheme] : kSchemes)
    if (n == name) return scheme;
  return std::nullopt;
}

std::vector<std::string> scheme_names() {
  std::vector<std::string> out;
  for (const auto& [name, _] : kSchemes)
    out.emplace_back(name);
  return out;
}

std::optional<Scheme> scheme_for_ecosystem(std::string_view ecosystem) {
  std::string_view base = base_ecosystem(ecosystem);
  if (base == "Debian" || base == "Ubuntu") return Scheme::Dpkg;
  if (base == "Alpine" || base == "Wolfi" || base == "Chainguard") return Scheme::Apk;
  if (base == "Red Hat" || base == "Rocky Linux" || base == "AlmaLinux" || base == "openSUSE" ||
      base == "SUSE" || base == "Mageia")
    return Scheme::Rpm;
  if (base == "PyPI") return Scheme::Pep440;
  // These ecosystems publish ECOSYSTEM ranges over SemVer-shaped versions.
  if (base == "npm" || base == "Go" || base == "crates.io" || base == "Hex" || base == "Pub")
    return Scheme::Semver;
  return std::nullopt;
}

int compare_versions(Scheme scheme, std::string_view a, std::string_view b) {
  switch (scheme) {
    case Scheme::Dpkg:
      return compare_dpkg(a, b);
    case Scheme::Apk:
      return compare_apk(a, b);
    case Scheme::Rpm:
      return compare_rpm(a, b);
    case Scheme::Semver:
      return compare_semver(a, b);
    case Scheme::Pep440:
      return compare_pep440(a, b);
  }
  throw Error("unknown version scheme");
}

}  // namespace tollgate::scan
