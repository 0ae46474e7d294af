#pragma once

// Internal to the Terraform pack: the resources of a plan as they will be after apply.
#include <map>
#include <string>
#include <vector>

#include "posture/k8s.h"
#include "posture/rule.h"

namespace tollgate::posture::terraform {

struct Resource {
  std::string address;  // "module.net.aws_security_group.web"
  std::string module;   // "module.net", "" for the root module
  std::string type;
  std::string name;
  bool data = false;              // mode "data"
  const Node* values = nullptr;   // planned values (change.after)
  const Node* unknown = nullptr;  // change.after_unknown: true where known only after apply
  const Node* config = nullptr;   // configuration resource: expressions and references
  SourceLocation where;

  Subject subject() const { return {address, type, "", where}; }
  const Node* value(std::string_view key) const { return get(values, key); }
  // The blocks or items of a list attribute, as items(): anything but a list is exit 2.
  std::span<const Node> list(std::string_view key) const {
    return items(value(key), address + ": " + std::string(key));
  }
  // Is the attribute (a dotted path into nested blocks) known only after apply?
  bool is_unknown(std::string_view dotted) const;
  // Where an attribute is written, or the resource when it is absent.
  SourceLocation where_of(std::string_view key) const;
  // Resource addresses this resource's configuration refers to for an attribute
  // ("aws_s3_bucket.logs"), qualified with this resource's module.
  std::vector<std::string> references(std::string_view key) const;
};

// Managed resources that exist after apply and data sources, in plan order.
std::vector<Resource> collect(const Node& plan);

}  // namespace tollgate::posture::terraform
