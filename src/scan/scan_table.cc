#include "scan/scan_table.h"

#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "util/strings.h"
#include "util/table.h"
#include "util/term.h"
#include "verdict/report.h"

namespace tollgate::scan {

using verdict::Severity;

namespace {

std::optional<std::string> scan_head(const verdict::Verdict& v) {
  if (v.status == verdict::Status::Error) return std::nullopt;
  const auto& s = v.summary;
  std::string out = s.value("target", "") + " (" + s.value("os", "?") + ", " +
                    std::to_string(s.value("packages", 0)) + " packages)\n";
  std::vector<std::string> counts;
  const auto& c = s.value("severity_counts", nlohmann::json::object());
  for (const char* name : {"critical", "high", "medium", "low", "info", "unknown"}) {
    int n = c.value(name, 0);
    if (n > 0 || std::string_view(name) != "info")
      counts.push_back(term::paint(verdict::severity_color(*verdict::parse_severity(name)),
                                   str::upper(name) + " " + std::to_string(n)));
  }
  out += "vulnerabilities: " + std::to_string(s.value("vulnerabilities", 0)) + " (" +
         str::join(counts, ", ") + ")\n\n";
  // Group by package, packages in order of their worst finding (findings come sorted by severity).
  std::vector<std::string_view> order;
  std::unordered_map<std::string_view, std::vector<const verdict::Finding*>> by_package;
  for (const auto& f : v.findings) {
    auto& group = by_package[f.subject];
    if (group.empty()) order.push_back(f.subject);
    group.push_back(&f);
  }
  if (!order.empty()) {
    // One painted label per severity, not one per row.
    std::map<Severity, std::string> labels;
    for (auto s : {Severity::Critical, Severity::High, Severity::Medium, Severity::Low,
                   Severity::Info, Severity::Unknown})
      labels[s] = term::paint(verdict::severity_color(s), str::upper(verdict::to_string(s)));
    auto text = [](const nlohmann::json& p, const char* key) -> std::string {
      auto it = p.find(key);
      return it != p.end() && it->is_string() ? it->get_ref<const std::string&>() : "";
    };
    TextTable table({"PACKAGE", "INSTALLED", "VULNERABILITY", "SEVERITY", "FIXED IN", "SOURCE"});
    for (const auto& subject : order) {
      bool first = true;
      for (const auto* f : by_package[subject]) {
        const auto& p = f->properties;
        std::string fixed = text(p, "fixed_version");
        std::string id = f->id;
        if (p.contains("ignored"))
          id += " (ignored)";
        else if (f->blocking)
          id += " *";
        std::string package = first ? text(p, "package") : "";
        std::string source = first ? text(p, "source_package") : "";
        table.add({package, first ? text(p, "installed_version") : "", std::move(id),
                   labels[f->severity], fixed.empty() ? "no fix yet" : std::move(fixed),
                   first && source != package ? source + " " + text(p, "source_version") : ""});
        first = false;
      }
    }
    out += table.render(60) + "\n";
    out += "* at or above --fail-on " + s.value("fail_on", "high") + "\n";
  }
  for (const auto& e : s.value("expired_ignores", nlohmann::json::array()))
    out += "expired ignore entry: " + e.get<std::string>() + "\n";
  for (const auto& w : s.value("warnings", nlohmann::json::array()))
    out += "warning: " + w.get<std::string>() + "\n";
  return out + "\n";
}

}  // namespace

verdict::TableSections scan_table() {
  verdict::TableSections t;
  t.head = scan_head;
  t.findings = false;                      // the head lists them by package
  t.figures = std::vector<std::string>{};  // and the figures in its first lines
  return t;
}

}  // namespace tollgate::scan
