// Custom rules from the policy file: a selector of objects, a field path and a condition.
#include <algorithm>

#include "posture/policy.h"

namespace tollgate::posture {
namespace {

// One value a field path leads to: the node, or nullptr when the path stops short.
struct Reached {
  const Node* node;
  SourceLocation where;  // the node's key, or the deepest parent that exists
  std::string path;
};

void walk(const Node* node, const std::vector<std::string>& steps, size_t i, std::string path,
          SourceLocation where, std::vector<Reached>& out) {
  if (i == steps.size()) {
    out.push_back({node, where, path});
    return;
  }
  std::string step = steps[i];
  bool each = step.ends_with("[]");
  if (each) step.resize(step.size() - 2);
  const Node* next = node;
  if (!step.empty()) {
    if (node == nullptr) {
      out.push_back({nullptr, where, path});
      return;
    }
    next = get(node, step);
    path += (path.empty() ? "" : ".") + step;
    if (next == nullptr || next->is_null()) {
      // Name the whole field the rule asked for, not just the part that exists.
      for (size_t k = i + 1; k < steps.size(); ++k)
        path += "." + steps[k];
      out.push_back({nullptr, node->where(), path});
      return;
    }
    where = where_of(node, step);
  }
  if (!each) {
    walk(next, steps, i + 1, path, where, out);
    return;
  }
  const auto& list = items(next);
  for (size_t k = 0; k < list.size(); ++k)
    walk(&list[k], steps, i + 1, path + "[" + std::to_string(k) + "]", list[k].where(), out);
}

std::vector<Reached> resolve(const Object& obj, const std::string& field) {
  std::vector<std::string> steps;
  size_t start = 0;
  while (start <= field.size()) {
    size_t dot = field.find('.', start);
    steps.push_back(
        field.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  std::vector<Reached> out;
  if (!steps.empty() && steps.front() == "containers[]") {
    // Every container of the pod spec, whatever kind of workload holds it.
    PodSpec pod = pod_spec_of(obj);
    if (pod.spec == nullptr) return out;
    steps.erase(steps.begin());
    for (const auto& c : containers_of(pod))
      walk(c.node, steps, 0, c.path, c.node->where(), out);
    return out;
  }
  walk(obj.root, steps, 0, "", obj.where, out);
  return out;
}

bool number_of(const Node* n, double& value) {
  std::string s(text(n));
  char* end = nullptr;
  value = std::strtod(s.c_str(), &end);
  return !s.empty() && end != s.c_str() && *end == '\0';
}

// Why a reached value breaks the rule, "" when it satisfies it.
std::string violation(const CustomRule& r, const Reached& v) {
  using Op = CustomRule::Op;
  bool present = v.node != nullptr && !v.node->is_null();
  std::string value(text(v.node));
  switch (r.op) {
    case Op::Present:
      return present ? "" : v.path + " is not set";
    case Op::Absent:
      return present ? v.path + " is set" : "";
    case Op::Equals:
      return present && value == r.values.front()
                 ? ""
                 : v.path + (present ? " is '" + value + "'" : " is not set") + ", not '" +
                       r.values.front() + "'";
    case Op::NotEquals:
      return present && value == r.values.front() ? v.path + " is '" + value + "'" : "";
    case Op::Matches:
      return present && re2::RE2::PartialMatch(value, *r.pattern)
                 ? ""
                 : v.path + (present ? " is '" + value + "'" : " is not set") +
                       ", which does not match " + r.values.front();
    case Op::In:
      return present && std::count(r.values.begin(), r.values.end(), value)
                 ? ""
                 : v.path + (present ? " is '" + value + "'" : " is not set") +
                       ", not one of the allowed values";
    case Op::NotIn:
      return present && std::count(r.values.begin(), r.values.end(), value)
                 ? v.path + " is '" + value + "', a forbidden value"
                 : "";
    case Op::AtLeast:
    case Op::AtMost: {
      double n = 0;
      if (!number_of(v.node, n)) return v.path + (present ? " is not a number" : " is not set");
      bool ok = r.op == Op::AtLeast ? n >= r.number : n <= r.number;
      return ok ? "" : v.path + " is " + value;
    }
  }
  return "";
}

bool selected(const CustomRule& r, const Object& obj) {
  if (!r.kinds.empty() && std::find(r.kinds.begin(), r.kinds.end(), obj.kind) == r.kinds.end())
    return false;
  if (!r.namespaces.empty() &&
      std::find(r.namespaces.begin(), r.namespaces.end(), obj.ns) == r.namespaces.end())
    return false;
  auto labels = string_map(at(obj.root, "metadata.labels"));
  for (const auto& want : r.labels)
    if (std::find(labels.begin(), labels.end(), want) == labels.end()) return false;
  return true;
}

}  // namespace

void check_custom(const std::vector<CustomRule>& rules, const std::vector<Object>& objects,
                  Collector& out) {
  for (const auto& r : rules) {
    for (const auto& obj : objects) {
      if (!selected(r, obj)) continue;
      std::vector<Hit> hits;
      for (const auto& v : resolve(obj, r.field)) {
        std::string why = violation(r, v);
        if (!why.empty()) hits.push_back({v.where, why});
      }
      out.raise(r.info, Subject::of(obj), std::move(hits));
    }
  }
}

}  // namespace tollgate::posture
