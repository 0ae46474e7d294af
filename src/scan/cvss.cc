#include "scan/cvss.h"

#include <cmath>
#include <map>
#include <string>

#include "util/strings.h"

namespace tollgate::scan {
namespace {

// CVSS v3.1 Roundup: the smallest number with one decimal that is >= x, computed on integers
// so that 4.000000000001 does not become 4.1.
double roundup(double x) {
  long long scaled = std::llround(x * 100000.0);
  if (scaled % 10000 == 0) return static_cast<double>(scaled) / 100000.0;
  return (std::floor(static_cast<double>(scaled) / 10000.0) + 1.0) / 10.0;
}

}  // namespace

std::optional<double> cvss3_base_score(std::string_view vector) {
  if (!vector.starts_with("CVSS:3.0/") && !vector.starts_with("CVSS:3.1/")) return std::nullopt;
  std::map<std::string, std::string> m;
  for (const auto& part : str::split(vector.substr(9), '/')) {
    size_t colon = part.find(':');
    if (colon == std::string::npos) return std::nullopt;
    m[part.substr(0, colon)] = part.substr(colon + 1);
  }
  auto pick =
      [&m](const char* key,
           std::initializer_list<std::pair<const char*, double>> values) -> std::optional<double> {
    auto it = m.find(key);
    if (it == m.end()) return std::nullopt;
    for (const auto& [name, v] : values)
      if (it->second == name) return v;
    return std::nullopt;
  };
  bool changed;
  if (m["S"] == "U")
    changed = false;
  else if (m["S"] == "C")
    changed = true;
  else
    return std::nullopt;
  auto av = pick("AV", {{"N", 0.85}, {"A", 0.62}, {"L", 0.55}, {"P", 0.2}});
  auto ac = pick("AC", {{"L", 0.77}, {"H", 0.44}});
  auto pr = changed ? pick("PR", {{"N", 0.85}, {"L", 0.68}, {"H", 0.5}})
                    : pick("PR", {{"N", 0.85}, {"L", 0.62}, {"H", 0.27}});
  auto ui = pick("UI", {{"N", 0.85}, {"R", 0.62}});
  auto c = pick("C", {{"H", 0.56}, {"L", 0.22}, {"N", 0.0}});
  auto i = pick("I", {{"H", 0.56}, {"L", 0.22}, {"N", 0.0}});
  auto a = pick("A", {{"H", 0.56}, {"L", 0.22}, {"N", 0.0}});
  if (!av || !ac || !pr || !ui || !c || !i || !a) return std::nullopt;
  double iss = 1.0 - (1.0 - *c) * (1.0 - *i) * (1.0 - *a);
  double impact = changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15) : 6.42 * iss;
  if (impact <= 0) return 0.0;
  double exploitability = 8.22 * *av * *ac * *pr * *ui;
  double sum = changed ? 1.08 * (impact + exploitability) : impact + exploitability;
  return roundup(std::min(sum, 10.0));
}

verdict::Severity cvss3_rating(double score) {
  using verdict::Severity;
  if (score >= 9.0) return Severity::Critical;
  if (score >= 7.0) return Severity::High;
  if (score >= 4.0) return Severity::Medium;
  if (score > 0.0) return Severity::Low;
  return Severity::Info;
}

}  // namespace tollgate::scan
