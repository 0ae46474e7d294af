#include "posture/k8s.h"

#include <algorithm>
#include <charconv>

#include "util/strings.h"

namespace tollgate::posture {
namespace {

// The apiserver and kubectl decode manifests with sigs.k8s.io/yaml, which resolves scalars with
// go-yaml v2's table: y, yes, true and on (as written, capitalised or upper case) are true, their
// opposites false. A quoted scalar is a string unless it is tagged !!bool.
bool bool_is(const Node* node, bool value) {
  if (node == nullptr || !node->is_scalar()) return false;
  std::string_view tag = node->tag();
  if (tag.empty() ? node->quoted() : tag != "tag:yaml.org,2002:bool") return false;
  return kubernetes_bool(node->text()) == value;
}

}  // namespace

std::optional<bool> kubernetes_bool(std::string_view text) {
  static constexpr std::pair<std::string_view, bool> kWords[] = {
      {"y", true},    {"Y", true},      {"yes", true},    {"Yes", true},    {"YES", true},
      {"true", true}, {"True", true},   {"TRUE", true},   {"on", true},     {"On", true},
      {"ON", true},   {"n", false},     {"N", false},     {"no", false},    {"No", false},
      {"NO", false},  {"false", false}, {"False", false}, {"FALSE", false}, {"off", false},
      {"Off", false}, {"OFF", false}};
  for (const auto& [word, value] : kWords)
    if (text == word) return value;
  return std::nullopt;
}

namespace {}  // namespace

const Node* get(const Node* node, std::string_view key) {
  if (node == nullptr || !node->is_mapping()) return nullptr;
  return node->find(key);
}

const Node* at(const Node* node, std::string_view dotted) {
  size_t start = 0;
  while (node != nullptr) {
    size_t dot = dotted.find('.', start);
    node =
        get(node, dotted.substr(start, dot == std::string_view::npos ? dotted.npos : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return node;
}

const Node::Entry* entry(const Node* node, std::string_view key) {
  if (node == nullptr || !node->is_mapping()) return nullptr;
  for (const auto& e : node->entries())
    if (e.key.is_scalar() && e.key.text() == key) return &e;
  return nullptr;
}

SourceLocation where_of(const Node* parent, std::string_view key) {
  if (const Node::Entry* e = entry(parent, key)) return e->key.where();
  return parent ? parent->where() : SourceLocation{};
}

bool is_true(const Node* node) {
  // Kubernetes decodes YAML through JSON with YAML 1.1 booleans: yes/on count as true.
  return bool_is(node, true);
}

bool is_false(const Node* node) {
  return bool_is(node, false);
}

std::optional<long long> int_value(const Node* node) {
  if (node == nullptr || !node->is_scalar() || node->quoted()) return std::nullopt;
  std::string_view t = node->text();
  long long v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size() || t.empty()) return std::nullopt;
  return v;
}

std::string_view text(const Node* node) {
  return node != nullptr ? node->text() : "";
}

std::span<const Node> items(const Node* node, std::string_view field) {
  if (node == nullptr || node->is_null()) return {};
  if (!node->is_sequence())
    throw Error(node->where(), (field.empty() ? std::string("a list is required here")
                                              : std::string(field) + " must be a list") +
                                   ", not " + node->describe());
  return node->items();
}

std::span<const Node> list_at(const Node* node, std::string_view dotted) {
  return items(at(node, dotted), dotted);
}

std::string Object::subject() const {
  return kind + "/" + (ns.empty() ? "" : ns + "/") + name;
}

bool is_workload_kind(std::string_view kind) {
  static const std::vector<std::string_view> kinds = {
      "Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController",
      "Job", "CronJob",    "PodTemplate"};
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

PodSpec pod_spec_of(const Object& obj) {
  PodSpec pod;
  if (obj.kind == "Pod") {
    pod = {get(obj.root, "spec"), obj.metadata(), "spec"};
  } else if (obj.kind == "PodTemplate") {
    const Node* tmpl = get(obj.root, "template");
    pod = {get(tmpl, "spec"), get(tmpl, "metadata"), "template.spec"};
  } else if (obj.kind == "CronJob") {
    const Node* tmpl = at(obj.root, "spec.jobTemplate.spec.template");
    pod = {get(tmpl, "spec"), get(tmpl, "metadata"), "spec.jobTemplate.spec.template.spec"};
  } else if (is_workload_kind(obj.kind)) {
    const Node* tmpl = at(obj.root, "spec.template");
    pod = {get(tmpl, "spec"), get(tmpl, "metadata"), "spec.template.spec"};
  }
  if (pod.spec != nullptr && !pod.spec->is_mapping())
    throw Error(pod.spec->where(), obj.subject() + ": " + pod.path + " must be a mapping, not " +
                                       pod.spec->describe());
  return pod;
}

std::string Container::label() const {
  std::string prefix = type == ContainerType::Init        ? "init container"
                       : type == ContainerType::Ephemeral ? "ephemeral container"
                                                          : "container";
  return prefix + " '" + name + "'";
}

namespace {

// Kubernetes rejects these shapes at apply time; a gate that skipped them would pass a
// manifest that never runs as checked, so they are input errors (exit 2). Lists are items()'s.
void expect_mapping(const Node* node, const std::string& path) {
  if (node == nullptr || node->is_null() || node->is_mapping()) return;
  throw Error(node->where(), path + " must be a mapping, not " + node->describe());
}

// A securityContext's nested settings; written as a scalar (`capabilities: SYS_ADMIN`) they
// would read as absent, and the controls over them would pass.
void expect_security_context(const Node* sc, const std::string& path) {
  expect_mapping(sc, path);
  for (const char* key :
       {"capabilities", "seccompProfile", "seLinuxOptions", "appArmorProfile", "windowsOptions"})
    expect_mapping(get(sc, key), path + "." + key);
}

}  // namespace

std::vector<Container> containers_of(const PodSpec& pod) {
  std::vector<Container> out;
  for (const char* key : {"initContainers", "containers", "ephemeralContainers", "volumes"})
    items(get(pod.spec, key), pod.path + "." + key);  // each a list, or exit 2 naming it
  expect_security_context(get(pod.spec, "securityContext"), pod.path + ".securityContext");
  const std::pair<const char*, ContainerType> lists[] = {
      {"initContainers", ContainerType::Init},
      {"containers", ContainerType::Regular},
      {"ephemeralContainers", ContainerType::Ephemeral}};
  for (const auto& [key, type] : lists) {
    const auto& list = items(get(pod.spec, key));
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i].is_mapping())
        throw Error(list[i].where(),
                    std::string(key) + " entries must be mappings, not " + list[i].describe());
      std::string name(text(get(&list[i], "name")));
      std::string path = pod.path + "." + key + "[" + std::to_string(i) + "]";
      expect_security_context(get(&list[i], "securityContext"), path + ".securityContext");
      out.push_back({&list[i], name.empty() ? "#" + std::to_string(i) : name, path, type});
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> string_map(const Node* node) {
  std::vector<std::pair<std::string, std::string>> out;
  if (node == nullptr || !node->is_mapping()) return out;
  for (const auto& e : node->entries())
    if (e.key.is_scalar() && (e.value.is_scalar() || e.value.is_null()))
      out.emplace_back(e.key.text(), e.value.text());
  return out;
}

namespace {

const std::string* label_value(const std::vector<std::pair<std::string, std::string>>& labels,
                               std::string_view key) {
  for (const auto& [k, v] : labels)
    if (k == key) return &v;
  return nullptr;
}

bool expression_matches(const Node& expr,
                        const std::vector<std::pair<std::string, std::string>>& labels) {
  std::string_view key = text(get(&expr, "key"));
  std::string_view op = text(get(&expr, "operator"));
  const std::string* value = label_value(labels, key);
  std::vector<std::string_view> values;
  for (const auto& v : list_at(&expr, "values"))
    values.push_back(v.text());
  bool listed = value != nullptr && std::find(values.begin(), values.end(), *value) != values.end();
  if (op == "In") return listed;
  if (op == "NotIn") return !listed;
  if (op == "Exists") return value != nullptr;
  if (op == "DoesNotExist") return value == nullptr;
  throw Error(expr.where(), "matchExpressions operator '" + std::string(op) +
                                "' is not one of In, NotIn, Exists, DoesNotExist");
}

}  // namespace

namespace {

// Does every label of a plain map (matchLabels, a Service selector) have this value? Counts the
// labels asked for. Cross-object rules call this for every pair of objects in a namespace, so
// it reads the tree in place instead of building a map.
bool all_labels_match(const Node* map,
                      const std::vector<std::pair<std::string, std::string>>& labels,
                      size_t& asked) {
  asked = 0;
  if (map == nullptr) return true;
  for (const auto& e : map->entries()) {
    if (!e.key.is_scalar() || !(e.value.is_scalar() || e.value.is_null())) continue;
    ++asked;
    const std::string* have = label_value(labels, e.key.text());
    if (have == nullptr || *have != e.value.text()) return false;
  }
  return true;
}

}  // namespace

bool selector_matches(const Node* selector,
                      const std::vector<std::pair<std::string, std::string>>& labels) {
  if (selector == nullptr || selector->is_null()) return false;
  size_t asked = 0;
  if (!all_labels_match(get(selector, "matchLabels"), labels, asked)) return false;
  for (const auto& expr : list_at(selector, "matchExpressions"))
    if (!expression_matches(expr, labels)) return false;
  return true;
}

bool map_selector_matches(const Node* selector,
                          const std::vector<std::pair<std::string, std::string>>& labels) {
  size_t asked = 0;
  bool all = all_labels_match(selector != nullptr && selector->is_mapping() ? selector : nullptr,
                              labels, asked);
  return all && asked > 0;
}

}  // namespace tollgate::posture
