#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::scan {

// The version orderings that vulnerability data is written in. Each follows its reference tool
// exactly (dpkg, apk-tools, rpm, SemVer 2.0.0, PEP 440), because a comparison that differs from
// the package manager's is either a missed vulnerability or a false one.
enum class Scheme { Dpkg, Apk, Rpm, Semver, Pep440 };

std::string_view to_string(Scheme s);
std::optional<Scheme> parse_scheme(std::string_view name);
std::vector<std::string> scheme_names();

// The scheme an OSV ECOSYSTEM range of this ecosystem is ordered by ("Debian:12" -> dpkg,
// "Alpine:v3.18" -> apk, "PyPI" -> pep440); nullopt for ecosystems tollgate cannot order.
std::optional<Scheme> scheme_for_ecosystem(std::string_view ecosystem);

// -1, 0 or 1. Malformed versions throw tollgate::Error naming the version, so a record that
// cannot be ordered is never silently treated as "not affected".
int compare_versions(Scheme scheme, std::string_view a, std::string_view b);

int compare_dpkg(std::string_view a, std::string_view b);
int compare_apk(std::string_view a, std::string_view b);
int compare_rpm(std::string_view a, std::string_view b);
int compare_semver(std::string_view a, std::string_view b);
int compare_pep440(std::string_view a, std::string_view b);

}  // namespace tollgate::scan
