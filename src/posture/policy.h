#pragma once

#include <re2/re2.h>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "posture/pss.h"
#include "posture/rule.h"

namespace tollgate::posture {

// An exemption: the named rules (all when empty) do not apply to the matching subjects.
struct Exemption {
  std::vector<std::string> rules;
  std::vector<std::string> namespaces;  // Kubernetes namespaces
  std::vector<std::string>
      subjects;  // "Deployment/shop/cart", globs with *: "DaemonSet/kube-system/*"
  std::string reason;
  std::string expires;  // YYYY-MM-DD; the exemption ends when this day is over (UTC)
  SourceLocation where;

  bool expired(const std::string& today) const { return !expires.empty() && today > expires; }
  bool matches(const Raised& raised) const;
};

// A custom rule: for objects of the selected kinds, a condition on the value at a field path.
struct CustomRule {
  enum class Op { Present, Absent, Equals, NotEquals, Matches, In, NotIn, AtLeast, AtMost };
  RuleInfo info;
  std::vector<std::string> kinds;  // empty: every kind
  std::vector<std::string> namespaces;
  std::vector<std::pair<std::string, std::string>> labels;  // object labels that must match
  // Dotted path; "[]" walks every item of a list and "containers" is shorthand for every
  // container of the pod spec: "containers[].securityContext.readOnlyRootFilesystem".
  std::string field;
  Op op = Op::Present;
  std::vector<std::string> values;
  // RE2, linear in the value's length: a user's pattern cannot hang or crash the gate on a
  // hostile value (std::regex recursed per character and `^(a|aa)+$` ran for ever).
  std::shared_ptr<const re2::RE2> pattern;
  double number = 0;
  SourceLocation where;
};

// .tollgate/posture.yaml: what a team decided about its posture.
struct Policy {
  std::string file;  // "" when there is none
  std::optional<pss::Level> level;
  std::optional<int> pss_minor;
  std::optional<std::set<Pack>> packs;
  std::optional<verdict::Severity> fail_on;
  std::map<std::string, SourceLocation> disabled;  // rule id -> where it was disabled
  std::map<std::string, verdict::Severity> severities;
  std::vector<Exemption> exemptions;
  std::vector<CustomRule> custom;
};

// Parses a policy file; every mistake is an Error at its file:line:col, and rule ids are
// checked against known_rules (with a did-you-mean).
Policy load_policy(const std::string& path, const std::vector<std::string>& known_rules);
Policy parse_policy(std::string_view text, const std::string& file,
                    const std::vector<std::string>& known_rules);

// "pss,workload" -> packs; throws UsageError (or Error at where) for unknown names.
std::set<Pack> parse_packs(const std::vector<std::string>& names, const SourceLocation& where = {});

// Runs the custom rules over the objects.
void check_custom(const std::vector<CustomRule>& rules, const std::vector<Object>& objects,
                  Collector& out);

}  // namespace tollgate::posture
