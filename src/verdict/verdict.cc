#include "verdict/verdict.h"

#include <algorithm>
#include <array>

#include "util/strings.h"

namespace tollgate::verdict {
namespace {
constexpr std::array<std::string_view, 6> kSeverityNames = {"unknown", "info", "low",
                                                            "medium",  "high", "critical"};
}

std::string_view to_string(Severity s) {
  return kSeverityNames[static_cast<size_t>(s)];
}

std::optional<Severity> parse_severity(std::string_view s) {
  std::string l = str::lower(s);
  if (l == "negligible" || l == "informational") l = "info";
  if (l == "moderate") l = "medium";
  if (l == "important") l = "high";
  for (size_t i = 0; i < kSeverityNames.size(); ++i)
    if (kSeverityNames[i] == l) return static_cast<Severity>(i);
  return std::nullopt;
}

Severity parse_severity_flag(std::string_view s, std::string_view flag) {
  auto sev = parse_severity(s);
  if (!sev)
    throw UsageError(std::string(flag) + ": '" + std::string(s) +
                     "' is not a severity (choose info, low, medium, high or critical)");
  return *sev;
}

std::string_view to_string(Status s) {
  switch (s) {
    case Status::Pass:
      return "pass";
    case Status::Fail:
      return "fail";
    case Status::Error:
      return "error";
  }
  return "error";
}

int Verdict::exit_code() const {
  switch (status) {
    case Status::Pass:
      return 0;
    case Status::Fail:
      return 1;
    case Status::Error:
      return 2;
  }
  return 2;
}

Verdict Verdict::error(std::string gate, std::string reason) {
  Verdict v;
  v.gate = std::move(gate);
  v.status = Status::Error;
  v.reason = std::move(reason);
  return v;
}

void Verdict::sort_findings() {
  // Sorted as indices, then each finding moved once: a finding is a few hundred bytes with a JSON
  // tree, and a merge sort of thousands moves each a dozen times.
  std::vector<size_t> order(findings.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    const Finding& a = findings[x];
    const Finding& b = findings[y];
    if (a.severity != b.severity) return a.severity > b.severity;
    if (int c = a.subject.compare(b.subject)) return c < 0;
    return a.id < b.id;
  });
  std::vector<Finding> sorted;
  sorted.reserve(findings.size());
  for (size_t i : order)
    sorted.push_back(std::move(findings[i]));
  findings = std::move(sorted);
}

nlohmann::json to_json(const SourceLocation& where) {
  if (!where.known()) return nullptr;
  nlohmann::json j = {{"file", where.file}};
  if (where.line > 0) j["line"] = where.line;
  if (where.column > 0) j["column"] = where.column;
  return j;
}

nlohmann::json to_json(const Finding& f) {
  return {{"id", f.id},
          {"severity", to_string(f.severity)},
          {"title", f.title},
          {"detail", f.detail},
          {"subject", f.subject},
          {"location", to_json(f.location)},
          {"fix", f.fix},
          {"blocking", f.blocking},
          {"properties", f.properties}};
}

nlohmann::json to_json(const Verdict& v) {
  nlohmann::json findings = nlohmann::json::array();
  for (const auto& f : v.findings)
    findings.push_back(to_json(f));
  return {{"gate", v.gate},
          {"status", to_string(v.status)},
          {"reason", v.reason},
          {"findings", findings},
          {"summary", v.summary}};
}

Verdict verdict_from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("gate") || !j.contains("status"))
    throw Error("not a tollgate verdict: expected an object with 'gate' and 'status'");
  Verdict v;
  v.gate = j.at("gate").get<std::string>();
  std::string status = j.at("status").get<std::string>();
  if (status == "pass")
    v.status = Status::Pass;
  else if (status == "fail")
    v.status = Status::Fail;
  else
    v.status = Status::Error;
  v.reason = j.value("reason", "");
  v.summary = j.value("summary", nlohmann::json::object());
  for (const auto& fj : j.value("findings", nlohmann::json::array())) {
    Finding f;
    f.id = fj.value("id", "");
    f.severity = parse_severity(fj.value("severity", "unknown")).value_or(Severity::Unknown);
    f.title = fj.value("title", "");
    f.detail = fj.value("detail", "");
    f.subject = fj.value("subject", "");
    f.fix = fj.value("fix", "");
    f.blocking = fj.value("blocking", false);
    f.properties = fj.value("properties", nlohmann::json::object());
    if (fj.contains("location") && fj["location"].is_object()) {
      const auto& l = fj["location"];
      f.location = SourceLocation{l.value("file", ""), l.value("line", 0), l.value("column", 0)};
    }
    v.findings.push_back(std::move(f));
  }
  return v;
}

}  // namespace tollgate::verdict
