#include "scan/policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "util/parallel.h"
#include "util/strings.h"
#include "util/timefmt.h"
#include "util/yaml.h"

namespace tollgate::scan {
namespace {

using verdict::Severity;

bool rule_applies(const IgnoreRule& r, const Match& m) {
  bool id = r.id == m.id || std::find(m.aliases.begin(), m.aliases.end(), r.id) != m.aliases.end();
  bool pkg = r.package.empty() || r.package == m.package.name || r.package == m.package.source_name;
  return id && pkg;
}

nlohmann::json string_list(const std::vector<std::string>& items) {
  nlohmann::json list = nlohmann::json::array();
  auto& a = list.get_ref<nlohmann::json::array_t&>();
  a.reserve(items.size());
  for (const auto& item : items)
    a.emplace_back(item);
  return list;
}

// A scan can hold thousands of findings, so each is built without temporaries: the texts in one
// allocation each, the properties put straight into the object in key order (each lands at the
// end of the map), never through an initializer list of pairs.
verdict::Finding to_finding(const Match& m) {
  verdict::Finding f;
  const Package& p = m.package;
  bool own_source = p.source_name != p.name;
  f.id = m.id;
  f.severity = m.severity;
  f.subject = fmt::format("{} {}", p.name, p.version);
  f.title = own_source ? fmt::format("{} in {} ({})", m.id, p.name, p.source_name)
                       : fmt::format("{} in {}", m.id, p.name);
  f.detail = fmt::format(
      "installed {}{}{}{}", p.version,
      p.source_version != p.version
          ? fmt::format(" (source {} {})", p.source_name, p.source_version)
          : std::string(),
      m.fixed_version.empty() ? std::string("; no fix yet") : "; fixed in " + m.fixed_version,
      m.summary.empty() ? std::string() : ": " + m.summary);
  f.location = p.location;
  f.fix =
      m.fixed_version.empty()
          ? fmt::format("no fix yet: ignore it with a reason and an expiry, or replace {}", p.name)
          : fmt::format("upgrade {} to {} or later", p.source_name, m.fixed_version);
  auto& props = f.properties.get_ref<nlohmann::json::object_t&>();
  auto put = [&](const char* key, nlohmann::json value) {
    props.emplace_hint(props.end(), key, std::move(value));
  };
  put("aliases", string_list(m.aliases));
  if (m.kernel_headers) put("class", "kernel-headers");
  put("ecosystem", m.ecosystem);
  put("fix_state", m.fixed_version.empty() ? "unfixed" : "fixed");
  put("fixed_version", m.fixed_version);
  put("installed_version", p.version);
  put("links", string_list(m.links));
  put("package", p.name);
  put("package_type", p.type);
  put("purl", p.purl());
  put("records", string_list(m.records));
  put("severity_source", m.severity_source);
  put("source_package", p.source_name);
  put("source_version", p.source_version);
  if (!m.vendor_severity.empty()) put("vendor_severity", m.vendor_severity);
  return f;
}

}  // namespace

std::vector<IgnoreRule> load_ignore_file(const std::string& path) {
  yaml::Node root = yaml::load_file(path);
  std::vector<IgnoreRule> out;
  if (root.is_null()) return out;
  const yaml::Node* list = root.is_mapping() ? root.find("ignore") : nullptr;
  if (!list || !list->is_sequence())
    throw Error(root.where, "an ignore file needs a list under 'ignore:'");
  for (const auto& item : list->items) {
    if (!item.is_mapping()) throw Error(item.where, "each ignore entry is a mapping with 'id'");
    IgnoreRule r;
    r.where = item.where;
    for (const auto& e : item.entries) {
      const std::string& key = e.key.scalar;
      if (key == "id") {
        r.id = e.value.as_string("an id");
      } else if (key == "package") {
        r.package = e.value.as_string("a package name");
      } else if (key == "reason") {
        r.reason = e.value.as_string("a reason");
      } else if (key == "expires") {
        r.expires_text = e.value.as_string("a date (YYYY-MM-DD)");
        r.expires = timefmt::parse_iso8601(r.expires_text);
        if (!r.expires)
          throw Error(e.value.where,
                      "expires: '" + r.expires_text + "' is not a date (YYYY-MM-DD)");
      } else {
        std::string hint = str::closest(key, {"id", "package", "reason", "expires"});
        throw Error(e.key.where, "unknown key '" + key + "'" +
                                     (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
    }
    if (r.id.empty()) throw Error(item.where, "an ignore entry needs an 'id'");
    if (r.reason.empty()) throw Error(item.where, "ignore entry " + r.id + " needs a 'reason'");
    out.push_back(std::move(r));
  }
  return out;
}

verdict::Verdict build_verdict(const ScanSubject& subject, const Inventory& inventory,
                               const std::vector<Match>& matches, const Policy& policy) {
  verdict::Verdict v;
  v.gate = "scan";
  std::map<std::string, int> counts;
  int blocking = 0, ignored = 0, unfixed = 0, hidden_unfixed = 0;
  std::vector<std::string> expired;
  for (const auto& r : policy.ignores)
    if (r.expires && *r.expires <= policy.now)
      expired.push_back(r.id + " (expired " + r.expires_text + ", " + r.where.str() + ")");
  std::vector<const Match*> shown;
  shown.reserve(matches.size());
  for (const auto& m : matches) {
    if (m.fixed_version.empty()) ++unfixed;
    if (policy.ignore_unfixed && m.fixed_version.empty())
      ++hidden_unfixed;
    else
      shown.push_back(&m);
  }
  // A big image has thousands of findings, each a few dozen small strings: built on every core.
  v.findings.resize(shown.size());
  parallel::for_pieces(shown.size(), 500, [&](size_t, size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i)
      v.findings[i] = to_finding(*shown[i]);
  });
  for (size_t i = 0; i < shown.size(); ++i) {
    const Match& m = *shown[i];
    verdict::Finding& f = v.findings[i];
    const IgnoreRule* rule = nullptr;
    for (const auto& r : policy.ignores)
      if (rule_applies(r, m) && !(r.expires && *r.expires <= policy.now)) rule = &r;
    if (rule) {
      ++ignored;
      f.properties["ignored"] = rule->reason;
      if (!rule->expires_text.empty()) f.properties["ignored_until"] = rule->expires_text;
    } else {
      f.blocking = f.severity >= policy.fail_on;
    }
    if (f.blocking) ++blocking;
    ++counts[std::string(verdict::to_string(f.severity))];
  }
  v.sort_findings();
  nlohmann::json severity_counts = nlohmann::json::object();
  for (auto s : {Severity::Critical, Severity::High, Severity::Medium, Severity::Low,
                 Severity::Info, Severity::Unknown})
    severity_counts[std::string(verdict::to_string(s))] =
        counts[std::string(verdict::to_string(s))];
  v.summary = {
      {"target", subject.name},
      {"target_kind", subject.kind},
      {"os", inventory.os.label()},
      {"ecosystem", inventory.os.ecosystem},
      {"packages", inventory.packages.size()},
      {"vulnerabilities", v.findings.size()},
      {"severity_counts", severity_counts},
      {"blocking", blocking},
      {"fail_on", std::string(verdict::to_string(policy.fail_on))},
      {"unfixed", unfixed},
      {"ignored", ignored},
      {"expired_ignores", expired},
  };
  if (!subject.digest.empty()) v.summary["digest"] = subject.digest;
  if (policy.ignore_unfixed) v.summary["hidden_unfixed"] = hidden_unfixed;
  if (blocking > 0) {
    v.status = verdict::Status::Fail;
    v.reason = std::to_string(blocking) + " vulnerabilit" + (blocking == 1 ? "y" : "ies") +
               " at or above " + std::string(verdict::to_string(policy.fail_on));
  } else {
    v.status = verdict::Status::Pass;
    v.reason = "no vulnerability at or above " + std::string(verdict::to_string(policy.fail_on)) +
               " in " + std::to_string(inventory.packages.size()) + " packages";
  }
  if (!expired.empty())
    v.reason += "; " + std::to_string(expired.size()) + " ignore entr" +
                (expired.size() == 1 ? "y has" : "ies have") + " expired";
  return v;
}

}  // namespace tollgate::scan
