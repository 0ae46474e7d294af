#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/yaml_parse.h"

// Read-only access to Kubernetes objects held as location-keeping YAML trees.
namespace tollgate::posture {

using yaml_parse::Node;

// The value under key, or nullptr when node is null, not a mapping or lacks the key.
const Node* get(const Node* node, std::string_view key);
// get() along a dotted path of keys: at(spec, "securityContext.runAsNonRoot").
const Node* at(const Node* node, std::string_view dotted);
// The entry (key and value) under key, for the location of a field's key.
const Node::Entry* entry(const Node* node, std::string_view key);
// Where a field is written (its key) or, when absent, where its parent is.
SourceLocation where_of(const Node* parent, std::string_view key);

// JSON true or YAML true (unquoted); a quoted "true" is a string in Kubernetes too.
// A scalar as the apiserver reads a boolean field (go-yaml v2's resolver), or nullopt.
std::optional<bool> kubernetes_bool(std::string_view text);
bool is_true(const Node* node);
bool is_false(const Node* node);
// A plain scalar that is a whole decimal integer ("3", "-1"); nullopt for anything else.
std::optional<long long> int_value(const Node* node);
// A scalar's text, "" for anything else.
std::string_view text(const Node* node);
// The items of a list; none when node is absent or null. Any other kind is an input error
// (exit 2): Kubernetes and Terraform reject it, and a gate that read it as "no items" would
// pass what it never checked (`capabilities: {add: SYS_ADMIN}`, `cidr_blocks: "0.0.0.0/0"`).
// `field` names the value in that error; without it the message says only where it is.
std::span<const Node> items(const Node* node, std::string_view field = {});
// items() of the value at a dotted path (as at()), named by that path in the error.
std::span<const Node> list_at(const Node* node, std::string_view dotted);

// One Kubernetes object read from an input.
struct Object {
  const Node* root = nullptr;
  std::string api_version;
  std::string kind;
  std::string name;
  std::string ns;  // metadata.namespace, "" when not written
  SourceLocation where;

  // "Kind/namespace/name", or "Kind/name" when the manifest names no namespace.
  std::string subject() const;
  const Node* metadata() const { return get(root, "metadata"); }
  const Node* spec() const { return get(root, "spec"); }
};

// A pod spec inside an object, with the path that leads to it for messages.
struct PodSpec {
  const Node* spec = nullptr;      // the PodSpec mapping
  const Node* metadata = nullptr;  // the pod (template) metadata: labels, annotations
  std::string path;                // "spec.template.spec"
};

// The pod spec of Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController,
// Job, CronJob and PodTemplate objects; spec == nullptr for every other kind.
PodSpec pod_spec_of(const Object& obj);
bool is_workload_kind(std::string_view kind);

enum class ContainerType { Init, Regular, Ephemeral };

struct Container {
  const Node* node = nullptr;
  std::string name;
  std::string path;  // "spec.template.spec.containers[0]"
  ContainerType type = ContainerType::Regular;

  // "container 'web'", "init container 'migrate'", "ephemeral container 'debug'"
  std::string label() const;
};

// initContainers, containers and ephemeralContainers, in that order.
std::vector<Container> containers_of(const PodSpec& pod);

// The labels of a mapping (metadata.labels); non-scalar values are skipped.
std::vector<std::pair<std::string, std::string>> string_map(const Node* node);

// Does a LabelSelector (matchLabels + matchExpressions) select these labels? An empty selector
// selects everything; a null selector nothing.
bool selector_matches(const Node* selector,
                      const std::vector<std::pair<std::string, std::string>>& labels);
// A Service-style plain map selector (key: value pairs, all must match; empty selects nothing).
bool map_selector_matches(const Node* selector,
                          const std::vector<std::pair<std::string, std::string>>& labels);

}  // namespace tollgate::posture
