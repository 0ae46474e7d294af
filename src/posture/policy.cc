#include "posture/policy.h"

#include <algorithm>

#include "util/files.h"
#include "util/strings.h"

namespace tollgate::posture {
namespace {

using verdict::Severity;

// '*' matches any run of characters; everything else matches itself.
bool glob_match(std::string_view pattern, std::string_view s) {
  size_t p = 0, i = 0, star = std::string_view::npos, mark = 0;
  while (i < s.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = i;
    } else if (p < pattern.size() && pattern[p] == s[i]) {
      ++p;
      ++i;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

void check_keys(const Node& map, const std::vector<std::string>& allowed, const std::string& what) {
  for (const auto& e : map.entries()) {
    std::string key(e.key.text());
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string hint = str::closest(key, allowed);
    throw Error(e.key.where(), "unknown key '" + key + "' in " + what +
                                   (hint.empty() ? " (known: " + str::join(allowed, ", ") + ")"
                                                 : " (did you mean '" + hint + "'?)"));
  }
}

const Node& need_mapping(const Node& n, const std::string& what) {
  if (!n.is_mapping()) throw Error(n.where(), what + " must be a mapping, not " + n.describe());
  return n;
}

std::vector<std::string> string_list(const Node& n, const std::string& what) {
  std::vector<std::string> out;
  if (n.is_scalar()) return {std::string(n.text())};
  if (!n.is_sequence())
    throw Error(n.where(), what + " must be a list of strings, not " + n.describe());
  for (const auto& item : n.items())
    out.emplace_back(item.as_string(what + " entries"));
  return out;
}

Severity severity_at(const Node& n) {
  auto sev = verdict::parse_severity(n.as_string("a severity"));
  if (!sev || *sev == Severity::Unknown)
    throw Error(n.where(), "'" + std::string(n.text()) +
                               "' is not a severity (info, low, medium, high, critical)");
  return *sev;
}

std::string rule_id_at(const Node& n, const std::vector<std::string>& known) {
  std::string id(n.as_string("a rule id"));
  if (std::find(known.begin(), known.end(), id) != known.end()) return id;
  std::string hint = str::closest(id, known);
  throw Error(n.where(), "unknown rule '" + id + "'" +
                             (hint.empty() ? " (tollgate check posture --list-rules lists them)"
                                           : " (did you mean '" + hint + "'?)"));
}

bool valid_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  int month = std::stoi(s.substr(5, 2)), day = std::stoi(s.substr(8, 2));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

Exemption parse_exemption(const Node& n, const std::vector<std::string>& known) {
  need_mapping(n, "an exemption");
  check_keys(n, {"rules", "namespaces", "objects", "reason", "expires"}, "an exemption");
  Exemption e;
  e.where = n.where();
  if (const Node* rules = n.find("rules"))
    for (const auto& item : rules->is_sequence() ? rules->items() : std::span(rules, 1))
      e.rules.push_back(rule_id_at(item, known));
  if (const Node* ns = n.find("namespaces")) e.namespaces = string_list(*ns, "namespaces");
  if (const Node* objs = n.find("objects")) e.subjects = string_list(*objs, "objects");
  if (e.namespaces.empty() && e.subjects.empty())
    throw Error(n.where(), "an exemption must name the namespaces or objects it exempts");
  const Node* reason = n.find("reason");
  if (reason == nullptr || str::trim(reason->text()).empty())
    throw Error(n.where(), "an exemption needs a reason: say why the rule does not apply");
  e.reason = std::string(reason->as_string("reason"));
  const Node* expires = n.find("expires");
  if (expires == nullptr)
    throw Error(n.where(), "an exemption needs an expiry date (expires: YYYY-MM-DD)");
  e.expires = std::string(expires->as_string("expires"));
  if (!valid_date(e.expires))
    throw Error(expires->where(), "expires: '" + e.expires + "' is not a date YYYY-MM-DD");
  return e;
}

CustomRule parse_custom(const Node& n, const std::vector<std::string>& known) {
  need_mapping(n, "a custom rule");
  check_keys(n,
             {"id", "severity", "title", "why", "fix", "kinds", "namespaces", "labels", "field",
              "require"},
             "a custom rule");
  CustomRule r;
  r.where = n.where();
  const Node* id = n.find("id");
  if (id == nullptr) throw Error(n.where(), "a custom rule needs an id");
  r.info.id = std::string(id->as_string("id"));
  if (std::find(known.begin(), known.end(), r.info.id) != known.end())
    throw Error(id->where(), "custom rule id '" + r.info.id + "' is already a built-in rule");
  r.info.pack = Pack::Custom;
  r.info.severity = n.find("severity") ? severity_at(*n.find("severity")) : Severity::Medium;
  auto optional_text = [&](std::string_view key, const std::string& otherwise) {
    const Node* v = n.find(key);
    return v ? std::string(v->as_string(key)) : otherwise;
  };
  r.info.title = optional_text("title", r.info.id);
  r.info.why = optional_text("why", "");
  r.info.fix = optional_text("fix", "");
  if (const Node* kinds = n.find("kinds")) r.kinds = string_list(*kinds, "kinds");
  if (const Node* ns = n.find("namespaces")) r.namespaces = string_list(*ns, "namespaces");
  if (const Node* labels = n.find("labels"))
    r.labels = string_map(&need_mapping(*labels, "labels"));
  const Node* field = n.find("field");
  if (field == nullptr)
    throw Error(n.where(), "custom rule '" + r.info.id + "' needs a field path");
  r.field = std::string(field->as_string("field"));
  const Node* require = n.find("require");
  if (require == nullptr)
    throw Error(n.where(), "custom rule '" + r.info.id +
                               "' needs require: present, absent, or a mapping such as "
                               "{equals: x}, {in: [a, b]}, {matches: regex}, {at_least: n}");
  using Op = CustomRule::Op;
  if (require->is_scalar()) {
    if (require->text() == "present")
      r.op = Op::Present;
    else if (require->text() == "absent")
      r.op = Op::Absent;
    else
      throw Error(require->where(),
                  "require: '" + std::string(require->text()) + "' is not present or absent");
    return r;
  }
  need_mapping(*require, "require");
  if (require->size() != 1) throw Error(require->where(), "require holds exactly one condition");
  const auto& cond = require->entries().front();
  std::string op(cond.key.text());
  static const std::vector<std::string> ops = {"equals", "not_equals", "matches", "in",
                                               "not_in", "at_least",   "at_most"};
  if (op == "equals")
    r.op = Op::Equals;
  else if (op == "not_equals")
    r.op = Op::NotEquals;
  else if (op == "matches")
    r.op = Op::Matches;
  else if (op == "in")
    r.op = Op::In;
  else if (op == "not_in")
    r.op = Op::NotIn;
  else if (op == "at_least")
    r.op = Op::AtLeast;
  else if (op == "at_most")
    r.op = Op::AtMost;
  else
    check_keys(*require, ops, "require");
  if (r.op == Op::In || r.op == Op::NotIn) {
    r.values = string_list(cond.value, op);
  } else if (r.op == Op::AtLeast || r.op == Op::AtMost) {
    std::string s(cond.value.as_string("a number"));
    char* end = nullptr;
    r.number = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || *end != '\0') throw Error(cond.value.where(), op + " takes a number");
  } else {
    r.values = {std::string(cond.value.as_string(op + " value"))};
    if (r.op == Op::Matches) {
      auto re = std::make_shared<const re2::RE2>(r.values.front(), re2::RE2::Quiet);
      if (!re->ok())
        throw Error(cond.value.where(), "invalid regular expression: " + re->error() +
                                            " (RE2 syntax: no backreferences or lookaround)");
      r.pattern = std::move(re);
    }
  }
  return r;
}

}  // namespace

bool Exemption::matches(const Raised& raised) const {
  if (!rules.empty() && std::find(rules.begin(), rules.end(), raised.rule->id) == rules.end())
    return false;
  bool ns_ok = !namespaces.empty() && std::find(namespaces.begin(), namespaces.end(),
                                                raised.subject.ns) != namespaces.end();
  bool subject_ok = std::any_of(subjects.begin(), subjects.end(), [&](const std::string& g) {
    return glob_match(g, raised.subject.name);
  });
  return ns_ok || subject_ok;
}

std::set<Pack> parse_packs(const std::vector<std::string>& names, const SourceLocation& where) {
  std::set<Pack> out;
  for (const auto& raw : names) {
    for (const auto& part : str::split(raw, ',')) {
      std::string name(str::trim(part));
      if (name == "pss")
        out.insert(Pack::Pss);
      else if (name == "workload")
        out.insert(Pack::Workload);
      else if (name == "terraform")
        out.insert(Pack::Terraform);
      else if (name == "custom")
        out.insert(Pack::Custom);
      else {
        std::string msg =
            "unknown rule pack '" + name + "' (choose pss, workload, terraform, custom)";
        if (where.known()) throw Error(where, msg);
        throw UsageError("--rules: " + msg);
      }
    }
  }
  return out;
}

Policy parse_policy(std::string_view text, const std::string& file,
                    const std::vector<std::string>& known_rules) {
  yaml_parse::Tree tree = yaml_parse::parse(std::string(text), file);
  Policy p;
  p.file = file;
  if (tree.documents().size() > 1)
    throw Error(tree.documents()[1].where(), "the posture policy is one YAML document, not " +
                                                 std::to_string(tree.documents().size()));
  if (tree.documents().empty() || tree.documents()[0].is_null()) return p;
  const Node& root = tree.documents()[0];
  need_mapping(root, "the posture policy");
  check_keys(
      root,
      {"level", "pss_version", "rules", "fail_on", "disable", "severity", "exemptions", "custom"},
      "the posture policy");
  if (const Node* n = root.find("level")) {
    std::string s(n->as_string("level"));
    if (s != "baseline" && s != "restricted")
      throw Error(n->where(), "level: '" + s + "' is not baseline or restricted");
    p.level = pss::parse_level(s, "level");
  }
  if (const Node* n = root.find("pss_version")) {
    try {
      p.pss_minor = pss::parse_version(n->as_string("pss_version"), "pss_version");
    } catch (const UsageError& e) {
      throw Error(n->where(), e.what());
    }
  }
  if (const Node* n = root.find("rules"))
    p.packs = parse_packs(string_list(*n, "rules"), n->where());
  if (const Node* n = root.find("fail_on")) p.fail_on = severity_at(*n);
  std::vector<std::string> known = known_rules;
  if (const Node* n = root.find("custom")) {
    for (const auto& item : items(n)) {
      p.custom.push_back(parse_custom(item, known));
      known.push_back(p.custom.back().info.id);
    }
  }
  if (const Node* n = root.find("disable"))
    for (const auto& item : n->is_sequence() ? n->items() : std::span(n, 1))
      p.disabled[rule_id_at(item, known)] = item.where();
  if (const Node* n = root.find("severity"))
    for (const auto& e : need_mapping(*n, "severity").entries())
      p.severities[rule_id_at(e.key, known)] = severity_at(e.value);
  if (const Node* n = root.find("exemptions")) {
    if (!n->is_sequence()) throw Error(n->where(), "exemptions must be a list");
    for (const auto& item : n->items())
      p.exemptions.push_back(parse_exemption(item, known));
  }
  return p;
}

Policy load_policy(const std::string& path, const std::vector<std::string>& known_rules) {
  return parse_policy(files::read(path), path, known_rules);
}

}  // namespace tollgate::posture
