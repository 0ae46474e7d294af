#include "posture/terraform_plan.h"

#include <set>

namespace tollgate::posture::terraform {
namespace {

bool unknown_below(const Node* node, const std::vector<std::string>& path, size_t i) {
  if (node == nullptr) return false;
  if (is_true(node)) return true;
  if (i == path.size()) return false;
  if (node->is_sequence()) {
    for (const auto& item : node->items())
      if (unknown_below(&item, path, i)) return true;
    return false;
  }
  return unknown_below(get(node, path[i]), path, i + 1);
}

struct Collector {
  std::vector<Resource> out;
  std::map<std::string, const Node*> changes;  // address -> resource_changes entry
  std::map<std::string, const Node*> configs;  // module-qualified address -> configuration
  std::set<std::string> seen;

  void index_config(const Node* module, const std::string& prefix) {
    for (const auto& r : list_at(module, "resources"))
      configs[prefix + std::string(text(get(&r, "address")))] = &r;
    const Node* calls = get(module, "module_calls");
    if (calls == nullptr || !calls->is_mapping()) return;
    for (const auto& e : calls->entries())
      index_config(get(&e.value, "module"), prefix + "module." + std::string(e.key.text()) + ".");
  }

  // The configuration of "module.a.aws_x.y[0]" is "module.a.aws_x.y": instances share it.
  const Node* config_for(const std::string& module, const Node& r) {
    std::string base = module.empty() ? "" : module + ".";
    std::string mode(text(get(&r, "mode")));
    base += (mode == "data" ? "data." : "") + std::string(text(get(&r, "type"))) + "." +
            std::string(text(get(&r, "name")));
    auto it = configs.find(base);
    return it == configs.end() ? nullptr : it->second;
  }

  void add(const Node& r, const std::string& module, const Node* values) {
    std::string address(text(get(&r, "address")));
    if (!seen.insert(address).second) return;
    Resource res;
    res.address = address;
    res.module = module;
    res.type = text(get(&r, "type"));
    res.name = text(get(&r, "name"));
    res.data = text(get(&r, "mode")) == "data";
    res.values = values;
    res.where = r.where();
    if (auto it = changes.find(address); it != changes.end())
      res.unknown = at(it->second, "change.after_unknown");
    res.config = config_for(module, r);
    out.push_back(std::move(res));
  }

  void walk_module(const Node* module) {
    if (module == nullptr) return;
    std::string prefix(text(get(module, "address")));
    for (const auto& r : list_at(module, "resources"))
      add(r, prefix, get(&r, "values"));
    for (const auto& child : list_at(module, "child_modules"))
      walk_module(&child);
  }
};

}  // namespace

bool Resource::is_unknown(std::string_view dotted) const {
  std::vector<std::string> path;
  size_t start = 0;
  while (true) {
    size_t dot = dotted.find('.', start);
    path.emplace_back(
        dotted.substr(start, dot == std::string_view::npos ? dotted.npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return unknown_below(unknown, path, 0);
}

SourceLocation Resource::where_of(std::string_view key) const {
  if (get(values, key) != nullptr) return posture::where_of(values, key);
  return where;
}

std::vector<std::string> Resource::references(std::string_view key) const {
  std::vector<std::string> out;
  std::string prefix = module.empty() ? "" : module + ".";
  for (const auto& ref : list_at(get(config, "expressions"), std::string(key) + ".references"))
    out.push_back(prefix + std::string(text(&ref)));
  return out;
}

std::vector<Resource> collect(const Node& plan) {
  Collector c;
  for (const auto& rc : list_at(&plan, "resource_changes"))
    c.changes[std::string(text(get(&rc, "address")))] = &rc;
  c.index_config(at(&plan, "configuration.root_module"), "");
  c.walk_module(at(&plan, "planned_values.root_module"));
  // Without planned_values (or for resources only in resource_changes) use change.after;
  // deletions have no after and are gone after apply.
  for (const auto& rc : list_at(&plan, "resource_changes")) {
    const Node* after = at(&rc, "change.after");
    if (after == nullptr || after->is_null()) continue;
    c.add(rc, std::string(text(get(&rc, "module_address"))), after);
  }
  // Data sources read during planning live in prior_state.
  const Node* prior = at(&plan, "prior_state.values.root_module");
  std::vector<const Node*> stack = {prior};
  while (!stack.empty()) {
    const Node* module = stack.back();
    stack.pop_back();
    if (module == nullptr) continue;
    for (const auto& r : list_at(module, "resources"))
      if (text(get(&r, "mode")) == "data")
        c.add(r, std::string(text(get(module, "address"))), get(&r, "values"));
    for (const auto& child : list_at(module, "child_modules"))
      stack.push_back(&child);
  }
  return c.out;
}

}  // namespace tollgate::posture::terraform
