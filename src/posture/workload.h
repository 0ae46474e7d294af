#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "posture/rule.h"

// Workload best practice beyond the Pod Security Standards: what Polaris, kube-score and
// Checkov's Kubernetes checks look at, each rule with an id, a severity, a why and a fix.
namespace tollgate::posture::workload {

const std::vector<RuleInfo>& rules();
// The catalogue entry for id; throws std::logic_error for an unknown id (a programming error).
const RuleInfo& rule(std::string_view id);

// Rules about one pod spec and its containers.
void check_pods(std::span<const Object> objects, Collector& out);
// Rules that relate objects to each other (NetworkPolicy, PDB, Service, HPA, ServiceAccount)
// and rules about non-workload objects (RBAC, Ingress, ConfigMap, API versions).
void check_cluster(const std::vector<Object>& objects, Collector& out);

}  // namespace tollgate::posture::workload
