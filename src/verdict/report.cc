#include "verdict/report.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "util/json_text.h"
#include "util/strings.h"
#include "util/table.h"
#include "util/term.h"

namespace tollgate::verdict {
namespace {

std::string summary_value(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string env_key(std::string_view s) {
  std::string out;
  for (unsigned char c : s)
    out += std::isalnum(c) ? static_cast<char>(std::toupper(c)) : '_';
  return out;
}

// GitLab keeps one test case per suite, classname and name: a case's key says what differs.
// The classname is the gate and the file (the same manifest in two folders), the name the id,
// the subject and a threshold's expression (two thresholds on one metric); what is still equal
// gets " #2", " #3" in the findings' (sorted) order.
std::pair<std::string, std::string> junit_case_key(const std::string& gate, const Finding& f,
                                                   std::set<std::string>& used) {
  std::string classname = gate + (f.location.known() ? " " + f.location.file : "");
  std::string name = f.id + (f.subject.empty() ? "" : " " + f.subject);
  if (f.properties.is_object() && f.properties.contains("threshold") &&
      f.properties["threshold"].is_string())
    name += " " + f.properties["threshold"].get<std::string>();
  std::string unique = name;
  for (int n = 2; !used.insert(classname + '\n' + unique).second; ++n)
    unique = name + " #" + std::to_string(n);
  return {classname, unique};
}

}  // namespace

term::Color severity_color(Severity s) {
  switch (s) {
    case Severity::Critical:
    case Severity::High:
      return term::Color::Red;
    case Severity::Medium:
      return term::Color::Yellow;
    case Severity::Low:
    case Severity::Info:
      return term::Color::Cyan;
    case Severity::Unknown:
      return term::Color::Gray;
  }
  return term::Color::Gray;
}

std::vector<std::string> format_names() {
  return {"table", "json", "sarif", "junit", "dotenv"};
}

std::optional<Format> parse_format(std::string_view name) {
  if (name == "table") return Format::Table;
  if (name == "json") return Format::Json;
  if (name == "sarif") return Format::Sarif;
  if (name == "junit") return Format::Junit;
  if (name == "dotenv") return Format::Dotenv;
  return std::nullopt;
}

std::string render(const Verdict& v, Format format, const RenderContext& ctx) {
  switch (format) {
    case Format::Table:
      return render_table(v, ctx.table);
    case Format::Json:
      return render_json(v);
    case Format::Sarif:
      return render_sarif(v, ctx);
    case Format::Junit:
      return render_junit(v, ctx.junit);
    case Format::Dotenv:
      return render_dotenv(v, ctx.dotenv);
  }
  return render_json(v);
}

std::string render_table(const Verdict& v, const TableSections& sections) {
  std::optional<std::string> head = sections.head ? sections.head(v) : std::nullopt;
  std::string out = head.value_or("");
  if (!v.findings.empty() && (!head || sections.findings)) {
    TextTable table({"SEVERITY", "ID", "SUBJECT", "TITLE", "WHERE"});
    for (const auto& f : v.findings) {
      table.add({term::paint(severity_color(f.severity), str::upper(to_string(f.severity))), f.id,
                 f.subject, f.title, f.location.str()});
    }
    out += table.render(60);
    out += "\n";
  }
  const std::vector<std::string>* figures = head && sections.figures ? &*sections.figures : nullptr;
  auto listed = [&](const std::string& key) {
    return figures == nullptr || std::find(figures->begin(), figures->end(), key) != figures->end();
  };
  if (!v.summary.empty() && v.summary.is_object()) {
    bool any = false;
    for (const auto& [k, val] : v.summary.items()) {
      if (!listed(k)) continue;
      any = true;
      if (val.is_object() || val.is_array()) continue;
      out += "  " + k + ": " + summary_value(val) + "\n";
    }
    if (any) out += "\n";
  }
  std::optional<std::string> word = head && sections.status ? sections.status(v) : std::nullopt;
  std::string status;
  switch (v.status) {
    case Status::Pass:
      status = term::paint(term::Color::Green, "PASS");
      break;
    case Status::Fail:
      status = term::paint(term::Color::Red, "FAIL");
      break;
    case Status::Error:
      status = term::paint(term::Color::Red, "ERROR");
      break;
  }
  out += v.gate + ": " + word.value_or(status);
  if (!v.reason.empty()) out += " - " + v.reason;
  out += "\n";
  return out;
}

// The same text as to_json(v).dump(2), written straight from the verdict: a scan's verdict holds
// thousands of findings, and building to_json's copy of every one of them (and freeing it) took
// most of a JSON report's time. Keys come in the order nlohmann writes them, sorted.
std::string render_json(const Verdict& v) {
  std::string out;
  // Room for a typical finding up front: growing a report of megabytes by doubling touches every
  // page twice. Pages reserved and never written cost nothing.
  out.reserve(4096 + 2048 * v.findings.size());
  // One member of an object: a separator unless it is the first, the indent, the key (none
  // below needs escaping).
  auto key = [&](std::string_view name, unsigned indent, bool first = false) {
    out += first ? "\n" : ",\n";
    out.append(indent, ' ');
    out += '"';
    out += name;
    out += "\": ";
  };
  auto text = [&](std::string_view name, std::string_view s, unsigned indent) {
    key(name, indent);
    json_text::append_string(out, s);
  };
  auto value = [&](std::string_view name, const nlohmann::json& j, unsigned indent) {
    key(name, indent);
    json_text::append(out, j, 2, indent);
  };
  out += "{";
  key("findings", 2, true);
  out += v.findings.empty() ? "[]" : "[";
  for (size_t i = 0; i < v.findings.size(); ++i) {
    const Finding& f = v.findings[i];
    out += i == 0 ? "\n    {" : ",\n    {";
    key("blocking", 6, true);
    out += f.blocking ? "true" : "false";
    text("detail", f.detail, 6);
    text("fix", f.fix, 6);
    text("id", f.id, 6);
    value("location", to_json(f.location), 6);
    value("properties", f.properties, 6);
    text("severity", to_string(f.severity), 6);
    text("subject", f.subject, 6);
    text("title", f.title, 6);
    out += "\n    }";
    if (i + 1 == v.findings.size()) out += "\n  ]";
  }
  text("gate", v.gate, 2);
  text("reason", v.reason, 2);
  text("status", to_string(v.status), 2);
  value("summary", v.summary, 2);
  out += "\n}\n";
  return out;
}

namespace {

std::string junit_header(size_t tests, size_t failures, size_t errors, const std::string& gate) {
  std::string counts = "tests=\"" + std::to_string(tests) + "\" failures=\"" +
                       std::to_string(failures) + "\" errors=\"" + std::to_string(errors) + "\"";
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"tollgate\" " + counts +
         ">\n  <testsuite name=\"" + str::xml_escape(gate) + "\" " + counts + ">\n";
}

std::string junit_gate_cases(const Verdict& v, const std::vector<JunitCase>& cases) {
  size_t failures = 0;
  for (const auto& c : cases)
    failures += c.failure.empty() ? 0 : 1;
  std::string out = junit_header(cases.size(), failures, 0, v.gate);
  std::set<std::string> used;
  for (const auto& c : cases) {
    std::string name = c.name;
    for (int n = 2; !used.insert(name).second; ++n)
      name = c.name + " #" + std::to_string(n);
    out += "    <testcase classname=\"" + str::xml_escape(v.gate) + "\" name=\"" +
           str::xml_escape(name) + "\">\n";
    if (!c.failure.empty())
      out += "      <failure message=\"" + str::xml_escape(c.failure) + "\">" +
             str::xml_escape(c.failure) + "</failure>\n";
    else
      out += "      <system-out>" + str::xml_escape(c.output) + "</system-out>\n";
    out += "    </testcase>\n";
  }
  return out + "  </testsuite>\n</testsuites>\n";
}

}  // namespace

std::string render_junit(const Verdict& v, const JunitSections& sections) {
  if (sections.cases)
    if (auto cases = sections.cases(v)) return junit_gate_cases(v, *cases);
  size_t failures = 0;
  for (const auto& f : v.findings)
    failures += f.blocking ? 1 : 0;
  bool gate_case = v.findings.empty() || (v.status != Status::Pass && failures == 0);
  size_t tests = v.findings.size() + (gate_case ? 1 : 0);
  size_t errors = v.status == Status::Error ? 1 : 0;
  if (gate_case && v.status == Status::Fail) ++failures;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"tollgate\" tests=\"" + std::to_string(tests) + "\" failures=\"" +
         std::to_string(failures) + "\" errors=\"" + std::to_string(errors) + "\">\n";
  out += "  <testsuite name=\"" + str::xml_escape(v.gate) + "\" tests=\"" + std::to_string(tests) +
         "\" failures=\"" + std::to_string(failures) + "\" errors=\"" + std::to_string(errors) +
         "\">\n";
  std::set<std::string> keys;
  for (const auto& f : v.findings) {
    auto [classname, name] = junit_case_key(v.gate, f, keys);
    out += "    <testcase classname=\"" + str::xml_escape(classname) + "\" name=\"" +
           str::xml_escape(name) + "\"";
    std::string body = f.title;
    if (!f.detail.empty()) body += "\n" + f.detail;
    if (f.location.known()) body += "\nat " + f.location.str();
    if (!f.fix.empty()) body += "\nfix: " + f.fix;
    if (f.blocking) {
      out += ">\n      <failure type=\"" + std::string(to_string(f.severity)) + "\" message=\"" +
             str::xml_escape(f.title) + "\">" + str::xml_escape(body) +
             "</failure>\n    </testcase>\n";
    } else {
      out += ">\n      <system-out>" +
             str::xml_escape(std::string(to_string(f.severity)) + ": " + body) +
             "</system-out>\n    </testcase>\n";
    }
  }
  if (gate_case) {
    out += "    <testcase classname=\"" + str::xml_escape(v.gate) + "\" name=\"" +
           str::xml_escape(v.gate) + " gate\"";
    if (v.status == Status::Pass) {
      out += "/>\n";
    } else {
      std::string tag = v.status == Status::Error ? "error" : "failure";
      out += ">\n      <" + tag + " message=\"" + str::xml_escape(v.reason) + "\">" +
             str::xml_escape(v.reason) + "</" + tag + ">\n    </testcase>\n";
    }
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

DotenvVariables dotenv_variables(const Verdict& v) {
  std::string prefix = "TOLLGATE_" + env_key(v.gate) + "_";
  DotenvVariables vars = {{prefix + "STATUS", std::string(to_string(v.status))},
                          {prefix + "REASON", v.reason},
                          {prefix + "FINDINGS", std::to_string(v.findings.size())}};
  if (v.summary.is_object()) {
    for (const auto& [k, val] : v.summary.items()) {
      if (val.is_object() || val.is_array() || val.is_null()) continue;
      vars.emplace_back(prefix + env_key(k), summary_value(val));
    }
  }
  return vars;
}

std::string format_dotenv(const DotenvVariables& vars) {
  std::string out;
  std::set<std::string> seen;
  for (const auto& [key, value] : vars) {
    if (seen.size() == kDotenvMaxVariables) break;
    if (!seen.insert(key).second) continue;
    std::string text = value;
    for (auto& c : text)
      if (c == '\n' || c == '\r') c = ' ';
    std::string line = key + "=" + std::string(str::trim(text));
    if (out.size() + line.size() + 1 > kDotenvMaxBytes) {
      seen.erase(key);  // too long to fit: leave it out, smaller ones after it may still fit
      continue;
    }
    out += line + "\n";
  }
  return out;
}

std::string render_dotenv(const Verdict& v, const DotenvSections& sections) {
  DotenvVariables shared = dotenv_variables(v);
  if (!sections.variables) return format_dotenv(shared);
  const auto status_and_reason = shared.begin() + 2;
  DotenvVariables vars(shared.begin(), status_and_reason);
  DotenvVariables own = sections.variables(v);
  vars.insert(vars.end(), own.begin(), own.end());
  vars.insert(vars.end(), status_and_reason, shared.end());
  return format_dotenv(vars);
}

}  // namespace tollgate::verdict
