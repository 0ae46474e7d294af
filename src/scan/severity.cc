#include "scan/severity.h"

#include <cstdio>
#include <optional>
#include <unordered_map>

#include "scan/cvss.h"
#include "util/strings.h"

namespace tollgate::scan {

using verdict::Severity;

int Rating::rank() const {
  if (source.starts_with("CVSS")) return 2;
  return severity == Severity::Unknown ? 0 : 1;
}

namespace {

// An import rates hundreds of thousands of entries whose vectors repeat (a v3 base vector has
// 2,592 forms): each is scored once per thread. The bound only matters for hostile data.
std::optional<double> cached_cvss3_score(const std::string& vector) {
  thread_local std::unordered_map<std::string, std::optional<double>> scores;
  auto it = scores.find(vector);
  if (it != scores.end()) return it->second;
  if (scores.size() > 100'000) scores.clear();
  return scores.emplace(vector, cvss3_base_score(vector)).first->second;
}

}  // namespace

Rating rate(const std::vector<OsvSeverity>& record_severity, const OsvAffected& affected) {
  for (const auto* list : {&affected.severity, &record_severity}) {
    for (const auto& s : *list) {
      if (s.type != "CVSS_V3") continue;
      if (auto score = cached_cvss3_score(s.score)) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%.1f", *score);
        return {cvss3_rating(*score), s.score + " (" + buf + ")"};
      }
    }
  }
  if (!affected.database_severity.empty())
    if (auto s = verdict::parse_severity(affected.database_severity))
      return {*s, "database severity: " + affected.database_severity};
  for (const auto* list : {&affected.severity, &record_severity})
    for (const auto& s : *list)
      if (s.type == "Ubuntu")
        if (auto sev = verdict::parse_severity(s.score))
          return {*sev, "ubuntu priority: " + s.score};
  if (!affected.urgency.empty()) {
    std::string u = str::lower(affected.urgency);
    // Tracker variants carry marks: "low*", "medium**".
    while (!u.empty() && u.back() == '*')
      u.pop_back();
    Severity s = Severity::Unknown;
    if (u == "unimportant" || u == "low")
      s = Severity::Low;
    else if (u == "medium")
      s = Severity::Medium;
    else if (u == "high")
      s = Severity::High;
    return {s, "debian urgency: " + affected.urgency};
  }
  return {};
}

}  // namespace tollgate::scan
