// The security dashboard: every finding of the container scanning reports of one run, with
// counts per severity and filters, and the posture findings of that run's SARIF logs.
#include <fmt/format.h>

#include <algorithm>

#include "web/html.h"
#include "web/site.h"

namespace tollgate::web {
namespace {

using nlohmann::json;

constexpr const char* kSeverities[] = {"critical", "high", "medium", "low", "info", "unknown"};

int rank(const std::string& severity) {
  for (int i = 0; i < 6; ++i)
    if (severity == kSeverities[i]) return i;
  return 5;
}

// GitLab's format has no fixed-version field; scanners say it in the solution. tollgate writes
// "upgrade SOURCE to VERSION or later", Trivy "Upgrade PKG to VERSION".
std::string fixed_version(std::string_view solution) {
  if (!solution.starts_with("upgrade ") && !solution.starts_with("Upgrade ")) return "";
  size_t package_end = solution.find(' ', 8);
  if (package_end == std::string_view::npos || solution.substr(package_end, 4) != " to ") return "";
  std::string_view rest = solution.substr(package_end + 4);
  return std::string(rest.substr(0, rest.find_first_of(" \t\n,;")));
}

Vulnerability vulnerability(const json& v, const std::string& job_dir) {
  Vulnerability out;
  out.severity = str::lower(text_of(v, "severity"));
  if (rank(out.severity) == 5) out.severity = "unknown";
  out.name = text_of(v, "name");
  out.fixed = fixed_version(text_of(v, "solution"));
  out.job_dir = job_dir;
  if (auto loc = v.find("location"); loc != v.end() && loc->is_object()) {
    out.image = text_of(*loc, "image");
    if (auto dep = loc->find("dependency"); dep != loc->end() && dep->is_object()) {
      out.installed = text_of(*dep, "version");
      if (auto pkg = dep->find("package"); pkg != dep->end() && pkg->is_object())
        out.package = text_of(*pkg, "name");
    }
  }
  if (auto ids = v.find("identifiers"); ids != v.end() && ids->is_array())
    for (const auto& id : *ids)
      if (id.is_object()) out.identifiers.emplace_back(text_of(id, "value"), text_of(id, "url"));
  if (!out.identifiers.empty()) std::tie(out.id, out.url) = out.identifiers.front();
  return out;
}

// A SARIF level, for a log whose rules do not say their severity.
std::string severity_of_level(const std::string& level) {
  if (level == "error") return "high";
  if (level == "warning") return "medium";
  if (level == "note") return "low";
  return level == "none" ? "info" : "unknown";
}

void read_sarif(const json& log, const std::string& job_dir, std::vector<PostureFinding>& out) {
  auto runs = log.find("runs");  // operator[] of a const json without the key is undefined
  if (runs == log.end() || !runs->is_array()) return;
  for (const auto& run : *runs) {
    if (!run.is_object()) continue;
    // Pointers into the log itself: value("rules", ...) would hand back a copy that is gone
    // after the loop (a use-after-free the sanitizer suite found).
    std::map<std::string, const json*> rules;
    auto tool = run.find("tool");
    if (tool != run.end() && tool->is_object()) {
      auto driver = tool->find("driver");
      if (driver != tool->end() && driver->is_object()) {
        auto list = driver->find("rules");
        if (list != driver->end() && list->is_array())
          for (const auto& rule : *list)
            if (rule.is_object()) rules[text_of(rule, "id")] = &rule;
      }
    }
    for (const auto& r : run.value("results", json::array())) {
      if (!r.is_object()) continue;
      PostureFinding f;
      f.rule = text_of(r, "ruleId");
      f.job_dir = job_dir;
      f.message = r.contains("message") ? text_of(r["message"], "text") : "";
      f.severity = text_of(r, "level");
      if (auto rule = rules.find(f.rule); rule != rules.end()) {
        const json& rj = *rule->second;
        if (rj.contains("properties")) f.severity = text_of(rj["properties"], "severity");
        if (rj.contains("help")) f.fix = text_of(rj["help"], "text");
      }
      if (rank(f.severity) == 5) f.severity = severity_of_level(f.severity);
      const json& loc = r.value("locations", json::array());
      if (!loc.empty() && loc[0].contains("physicalLocation")) {
        const json& p = loc[0]["physicalLocation"];
        if (p.contains("artifactLocation")) f.file = text_of(p["artifactLocation"], "uri");
        if (p.contains("region")) f.line = p["region"].value("startLine", 0);
      }
      out.push_back(std::move(f));
    }
  }
}

struct Filter {
  std::string severity, image;
  bool fixable = false;
  bool admits(const Vulnerability& v) const {
    return (severity.empty() || v.severity == severity) && (image.empty() || v.image == image) &&
           (!fixable || !v.fixed.empty());
  }
};

std::string counts_cards(const std::vector<Vulnerability>& vulns) {
  int counts[6] = {};
  for (const auto& v : vulns)
    ++counts[rank(v.severity)];
  std::string out = "<div class=\"cards severity-counts\">";
  for (int i = 0; i < 6; ++i)
    out += fmt::format(
        "<div class=\"card\" data-severity=\"{0}\"><div class=\"n sev-{0}\">{1}</div>{0}</div>",
        kSeverities[i], counts[i]);
  return out + "</div>";
}

std::string option(const std::string& value, const std::string& label, bool selected) {
  return fmt::format("<option value=\"{}\"{}>{}</option>", escape(value),
                     selected ? " selected" : "", escape(label));
}

std::string filter_form(const SecurityView& view, const Filter& f) {
  std::string out = fmt::format(
      "<form class=\"filters\" method=\"get\" action=\"/security\"><label>Pipeline<input "
      "type=\"number\" name=\"run\" min=\"1\" value=\"{}\"></label><label>Severity<select "
      "name=\"severity\">{}",
      view.run_id, option("", "all", f.severity.empty()));
  for (const char* s : kSeverities)
    out += option(s, s, f.severity == s);
  out +=
      "</select></label><label>Image<select name=\"image\">" + option("", "all", f.image.empty());
  for (const auto& image : view.images)
    out += option(image, image, f.image == image);
  out += fmt::format(
      "</select></label><label><span><input type=\"checkbox\" name=\"fixable\" value=\"1\"{}> "
      "has a fix</span></label><button type=\"submit\">Filter</button></form>",
      f.fixable ? " checked" : "");
  return out;
}

std::string vulnerability_row(const Vulnerability& v) {
  std::string ids;
  for (const auto& [value, url] : v.identifiers) {
    bool web = url.starts_with("https://") || url.starts_with("http://");
    ids +=
        web ? fmt::format("<a href=\"{}\" rel=\"noreferrer\">{}</a> ", escape(url), escape(value))
            : escape(value) + " ";
  }
  return fmt::format(
      "<tr class=\"vuln\" data-severity=\"{0}\"><td class=\"sev-{0}\">{0}</td><td>{1}</td>"
      "<td>{2}</td><td><code>{3}</code></td><td><code>{4}</code></td><td>{5}</td><td>{6}</td></tr>",
      escape(v.severity), ids, escape(v.package), escape(v.installed),
      v.fixed.empty() ? "<span class=\"muted\">no fix</span>" : escape(v.fixed), escape(v.image),
      escape(v.name));
}

std::string posture_table(const std::vector<PostureFinding>& findings) {
  if (findings.empty()) return "<p class=\"muted\">No posture findings in this run.</p>";
  std::string out =
      "<table class=\"posture\"><tr><th>Severity</th><th>Where</th><th>Rule</th>"
      "<th>Finding</th><th>Fix</th></tr>";
  for (const auto& f : findings)
    out += fmt::format(
        "<tr class=\"posture-finding\" data-severity=\"{0}\"><td class=\"sev-{0}\">{0}</td>"
        "<td><code>{1}{2}</code></td><td><code>{3}</code></td><td>{4}</td><td>{5}</td></tr>",
        escape(f.severity), escape(f.file), f.line > 0 ? fmt::format(":{}", f.line) : "",
        escape(f.rule), escape(f.message), escape(f.fix));
  return out + "</table>";
}

json vulnerability_json(const Vulnerability& v) {
  json ids = json::array();
  for (const auto& [value, url] : v.identifiers)
    ids.push_back({{"value", value}, {"url", url}});
  return {
      {"severity", v.severity},   {"id", v.id},       {"name", v.name},   {"package", v.package},
      {"installed", v.installed}, {"fixed", v.fixed}, {"image", v.image}, {"identifiers", ids},
      {"job", v.job_dir}};
}

int64_t run_param(const Request& r) {
  std::string t = r.param("run");
  if (t.empty() || t.size() > 18 || t.find_first_not_of("0123456789") != t.npos) return 0;
  return std::stoll(t);
}

}  // namespace

// The newest of the recent runs whose artifacts hold a scan report or a SARIF log (found by
// content: a posture SARIF is an ordinary artifact, not a GitLab report type).
int64_t Site::newest_security_run() {
  std::vector<history::RunRecord> runs;
  {
    history::RunStore store(db());
    runs = store.runs_before(0, 30);
  }
  for (const auto& run : runs)
    for (const auto& f : reports_.of_run(run.id))
      if (f.kind == ReportKind::ContainerScanning || f.kind == ReportKind::Sarif) return run.id;
  return 0;
}

SecurityView Site::security(int64_t run_id) {
  SecurityView view;
  if (run_id == 0) run_id = newest_security_run();
  if (run_id == 0) return view;
  view.run_id = run_id;
  for (const auto& f : reports_.of_run(run_id)) {
    if (!f.error.empty()) {
      view.problems.push_back(f.path.filename().string() + ": " + f.error);
    } else if (f.kind == ReportKind::ContainerScanning) {
      auto list = f.json->find("vulnerabilities");
      if (list != f.json->end() && list->is_array())
        for (const auto& v : *list)
          if (v.is_object()) view.vulnerabilities.push_back(vulnerability(v, f.job_dir));
    } else if (f.kind == ReportKind::Sarif) {
      read_sarif(*f.json, f.job_dir, view.posture);
    }
  }
  std::stable_sort(
      view.vulnerabilities.begin(), view.vulnerabilities.end(),
      [](const auto& a, const auto& b) { return rank(a.severity) < rank(b.severity); });
  std::stable_sort(view.posture.begin(), view.posture.end(), [](const auto& a, const auto& b) {
    return rank(a.severity) < rank(b.severity);
  });
  for (const auto& v : view.vulnerabilities)
    if (std::find(view.images.begin(), view.images.end(), v.image) == view.images.end())
      view.images.push_back(v.image);
  std::sort(view.images.begin(), view.images.end());
  return view;
}

Response Site::security_page(const Request& r) {
  SecurityView view = security(run_param(r));
  std::string body = "<h1>Security</h1>";
  if (view.run_id == 0) {
    body +=
        "<p class=\"empty\">No run has left a container scanning report yet (a job with "
        "<code>artifacts: reports: container_scanning</code>).</p>";
    return {200, "text/html; charset=utf-8", page("Security", Section::Security, body)};
  }
  Filter f{r.param("severity"), r.param("image"), r.param("fixable") == "1"};
  body += fmt::format(
      "<p>From <a href=\"/runs/{0}\">pipeline #{0}</a>: "
      "{1} vulnerabilities in {2} images, {3} posture findings.</p>",
      view.run_id, view.vulnerabilities.size(), view.images.size(), view.posture.size());
  for (const auto& p : view.problems)
    body += "<p class=\"status-failed\">Unreadable report: " + escape(p) + "</p>";
  body += "<h2>Vulnerabilities</h2>" + counts_cards(view.vulnerabilities) + filter_form(view, f);
  body +=
      "<table class=\"vulnerabilities\"><tr><th>Severity</th><th>Identifiers</th>"
      "<th>Package</th><th>Installed</th><th>Fixed in</th><th>Image</th><th>Title</th></tr>";
  size_t shown = 0;
  for (const auto& v : view.vulnerabilities)
    if (f.admits(v)) body += vulnerability_row(v), ++shown;
  body += fmt::format("</table><p class=\"muted\" id=\"shown\">{} shown.</p>", shown);
  body += "<h2>Posture</h2>" + posture_table(view.posture);
  return {200, "text/html; charset=utf-8", page("Security", Section::Security, body)};
}

Response Site::api_security(const Request& r) {
  SecurityView view = security(run_param(r));
  json counts = json::object();
  for (const char* s : kSeverities)
    counts[s] = 0;
  json vulns = json::array(), posture = json::array();
  for (const auto& v : view.vulnerabilities) {
    counts[v.severity] = counts[v.severity].get<int>() + 1;
    vulns.push_back(vulnerability_json(v));
  }
  for (const auto& p : view.posture)
    posture.push_back({{"severity", p.severity},
                       {"rule", p.rule},
                       {"message", p.message},
                       {"file", p.file},
                       {"line", p.line},
                       {"fix", p.fix},
                       {"job", p.job_dir}});
  return json_response({{"run", view.run_id},
                        {"counts", counts},
                        {"images", view.images},
                        {"vulnerabilities", vulns},
                        {"posture", posture},
                        {"problems", view.problems}});
}

}  // namespace tollgate::web
