// Workload rules that relate objects to each other, and rules about non-workload objects.
#include <re2/re2.h>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "posture/workload.h"

namespace tollgate::posture::workload {
namespace {

using Labels = std::vector<std::pair<std::string, std::string>>;

struct Workload {
  const Object* obj;
  PodSpec pod;
  Labels labels;  // the pod template's labels
};

// Objects by kind and namespace: cross-object rules only ever match within a namespace, and
// a cluster dump holds thousands of workloads and budgets.
struct Index {
  using ByNamespace = std::unordered_map<std::string, std::vector<const Object*>>;
  std::vector<Workload> workloads;
  std::unordered_map<std::string, std::vector<const Workload*>> workloads_by_ns;
  ByNamespace network_policies, hpas, service_accounts;
  // Every workload is matched against every budget of its namespace: selectors found once.
  std::unordered_map<std::string, std::vector<const Node*>> pdb_selectors;
  std::vector<const Object*> services, all_pdbs, all_network_policies;  // in input order

  explicit Index(const std::vector<Object>& objects) {
    for (const auto& obj : objects) {
      PodSpec pod = pod_spec_of(obj);
      if (pod.spec != nullptr)
        workloads.push_back({&obj, pod, string_map(get(pod.metadata, "labels"))});
      else if (obj.kind == "NetworkPolicy")
        network_policies[obj.ns].push_back(&obj);
      else if (obj.kind == "PodDisruptionBudget")
        pdb_selectors[obj.ns].push_back(at(obj.root, "spec.selector"));
      else if (obj.kind == "Service")
        services.push_back(&obj);
      else if (obj.kind == "HorizontalPodAutoscaler")
        hpas[obj.ns].push_back(&obj);
      else if (obj.kind == "ServiceAccount")
        service_accounts[obj.ns].push_back(&obj);
      if (obj.kind == "NetworkPolicy") all_network_policies.push_back(&obj);
      if (obj.kind == "PodDisruptionBudget") all_pdbs.push_back(&obj);
    }
    for (const auto& w : workloads)
      workloads_by_ns[w.obj->ns].push_back(&w);
  }

  static const std::vector<const Object*>& in(const ByNamespace& map, const std::string& ns) {
    static const std::vector<const Object*> none;
    auto it = map.find(ns);
    return it == map.end() ? none : it->second;
  }

  const std::vector<const Node*>& pdb_selectors_in(const std::string& ns) const {
    static const std::vector<const Node*> none;
    auto it = pdb_selectors.find(ns);
    return it == pdb_selectors.end() ? none : it->second;
  }

  const std::vector<const Workload*>& workloads_in(const std::string& ns) const {
    static const std::vector<const Workload*> none;
    auto it = workloads_by_ns.find(ns);
    return it == workloads_by_ns.end() ? none : it->second;
  }

  bool has_workloads_in(const std::string& ns) const { return !workloads_in(ns).empty(); }
};

bool scalable(const Object& obj) {
  return obj.kind == "Deployment" || obj.kind == "StatefulSet";
}

const Object* hpa_for(const Index& idx, const Object& obj) {
  for (const Object* hpa : Index::in(idx.hpas, obj.ns)) {
    const Node* target = at(hpa->root, "spec.scaleTargetRef");
    if (text(get(target, "kind")) == obj.kind && text(get(target, "name")) == obj.name) return hpa;
  }
  return nullptr;
}

// Replica count as written; Kubernetes defaults an absent count to 1.
long long replicas_of(const Object& obj) {
  const Node* r = get(obj.spec(), "replicas");
  return int_value(r).value_or(1);
}

void availability(const Index& idx, Collector& out) {
  for (const auto& w : idx.workloads) {
    const Object& obj = *w.obj;
    if (!scalable(obj)) continue;
    Subject subject = Subject::of(obj);
    const Object* hpa = hpa_for(idx, obj);
    const Node* spec = obj.spec();
    long long replicas = replicas_of(obj);
    if (hpa != nullptr && get(spec, "replicas") != nullptr)
      out.raise(rule("hpa-replicas-set"), subject,
                {{where_of(spec, "replicas"),
                  "spec.replicas is set although " + hpa->subject() + " scales the workload"}});
    if (hpa == nullptr && replicas < 2)
      out.raise(rule("replicas-too-few"), subject,
                {{where_of(spec, "replicas"),
                  "spec.replicas is " + (get(spec, "replicas") ? std::to_string(replicas)
                                                               : std::string("not set (1)"))}});
    if (hpa == nullptr && replicas < 2) continue;  // one replica: nothing to keep available
    const auto& selectors = idx.pdb_selectors_in(obj.ns);
    bool covered = std::any_of(selectors.begin(), selectors.end(), [&](const Node* selector) {
      return selector_matches(selector, w.labels);
    });
    if (!covered)
      out.raise(rule("pdb-missing"), subject,
                {{obj.where, "no PodDisruptionBudget selects the pod template's labels"}});
    const Node* affinity = at(w.pod.spec, "affinity.podAntiAffinity");
    if (affinity == nullptr && get(w.pod.spec, "topologySpreadConstraints") == nullptr)
      out.raise(
          rule("anti-affinity-missing"), subject,
          {{w.pod.spec->where(), "neither podAntiAffinity nor topologySpreadConstraints is set"}});
  }
  for (const Object* pdb : idx.all_pdbs) {
    const Node* spec = pdb->spec();
    std::string max_unavailable(text(get(spec, "maxUnavailable")));
    std::string min_available(text(get(spec, "minAvailable")));
    std::vector<Hit> hits;
    if (max_unavailable == "0" || max_unavailable == "0%")
      hits.push_back({where_of(spec, "maxUnavailable"), "maxUnavailable is " + max_unavailable});
    if (min_available == "100%")
      hits.push_back({where_of(spec, "minAvailable"), "minAvailable is 100%"});
    out.raise(rule("pdb-blocks-eviction"), Subject::of(*pdb), std::move(hits));
  }
}

// The directions a NetworkPolicy isolates: policyTypes when given, else Ingress plus Egress
// when it has egress rules (the API server's defaulting).
std::pair<bool, bool> policy_directions(const Object& np) {
  const Node* spec = np.spec();
  const Node* types = get(spec, "policyTypes");
  if (types == nullptr) return {true, get(spec, "egress") != nullptr};
  bool in = false, eg = false;
  for (const auto& t : items(types, "policyTypes")) {
    in |= text(&t) == "Ingress";
    eg |= text(&t) == "Egress";
  }
  return {in, eg};
}

void network_policies(const Index& idx, Collector& out) {
  for (const auto& w : idx.workloads) {
    bool ingress = false, egress = false, any = false;
    for (const Object* np : Index::in(idx.network_policies, w.obj->ns)) {
      if (!selector_matches(at(np->root, "spec.podSelector"), w.labels)) continue;
      any = true;
      auto [in, eg] = policy_directions(*np);
      ingress |= in;
      egress |= eg;
    }
    Subject subject = Subject::of(*w.obj);
    if (!any) {
      out.raise(rule("network-policy-missing"), subject,
                {{w.obj->where, "no NetworkPolicy in namespace '" +
                                    (w.obj->ns.empty() ? std::string("(unset)") : w.obj->ns) +
                                    "' selects the pod template's labels"}});
    } else if (!ingress || !egress) {
      out.raise(rule("network-policy-partial"), subject,
                {{w.obj->where, std::string("the pods are isolated for ") +
                                    (ingress ? "ingress" : "egress") + " only"}});
    }
  }
  for (const Object* np : idx.all_network_policies) {
    const Node* selector = at(np->root, "spec.podSelector");
    // An empty selector covers the whole namespace, including pods deployed elsewhere.
    if (string_map(get(selector, "matchLabels")).empty() &&
        list_at(selector, "matchExpressions").empty())
      continue;
    if (!idx.has_workloads_in(np->ns)) continue;  // the pods may live in other inputs
    const auto& candidates = idx.workloads_in(np->ns);
    bool selects = std::any_of(candidates.begin(), candidates.end(), [&](const Workload* w) {
      return selector_matches(selector, w->labels);
    });
    if (!selects)
      out.raise(rule("network-policy-orphan"), Subject::of(*np),
                {{np->spec() ? where_of(np->spec(), "podSelector") : np->where,
                  "spec.podSelector matches no workload in the inputs"}});
  }
}

void services(const Index& idx, Collector& out) {
  for (const Object* svc : idx.services) {
    const Node* spec = svc->spec();
    std::string_view type = text(get(spec, "type"));
    Subject subject = Subject::of(*svc);
    if (type == "NodePort")
      out.raise(rule("service-nodeport"), subject, {{where_of(spec, "type"), "type is NodePort"}});
    if (type == "LoadBalancer") {
      const auto& ranges = list_at(spec, "loadBalancerSourceRanges");
      bool open = ranges.empty() || std::any_of(ranges.begin(), ranges.end(), [](const Node& r) {
                    return text(&r) == "0.0.0.0/0" || text(&r) == "::/0";
                  });
      if (open)
        out.raise(rule("service-loadbalancer-open"), subject,
                  {{where_of(spec, "type"),
                    ranges.empty() ? "type is LoadBalancer without loadBalancerSourceRanges"
                                   : "loadBalancerSourceRanges includes the whole internet"}});
    }
    const Node* selector = get(spec, "selector");
    if (string_map(selector).empty() || !idx.has_workloads_in(svc->ns)) continue;
    const auto& candidates = idx.workloads_in(svc->ns);
    bool selects = std::any_of(candidates.begin(), candidates.end(), [&](const Workload* w) {
      return map_selector_matches(selector, w->labels);
    });
    if (!selects)
      out.raise(rule("service-orphan"), subject,
                {{where_of(spec, "selector"), "spec.selector matches no workload in the inputs"}});
  }
}

void service_account_tokens(const Index& idx, Collector& out) {
  for (const auto& w : idx.workloads) {
    const Node* own = get(w.pod.spec, "automountServiceAccountToken");
    if (is_false(own)) continue;
    std::string sa_name(text(get(w.pod.spec, "serviceAccountName")));
    if (sa_name.empty()) sa_name = text(get(w.pod.spec, "serviceAccount"));
    if (sa_name.empty()) sa_name = "default";
    const auto& accounts = Index::in(idx.service_accounts, w.obj->ns);
    bool sa_opts_out =
        own == nullptr && std::any_of(accounts.begin(), accounts.end(), [&](const Object* sa) {
          return sa->name == sa_name && is_false(get(sa->root, "automountServiceAccountToken"));
        });
    if (sa_opts_out) continue;
    out.raise(rule("automount-service-account-token"), Subject::of(*w.obj),
              {{own ? where_of(w.pod.spec, "automountServiceAccountToken") : w.pod.spec->where(),
                own ? "automountServiceAccountToken is true"
                    : "neither the pod spec nor ServiceAccount '" + sa_name +
                          "' sets automountServiceAccountToken: false"}});
  }
}

struct Removed {
  std::string_view api_version;
  std::string_view kind;  // "" for every kind of that group version
  std::string_view replacement;
  std::string_view removed_in;
};

constexpr Removed kRemoved[] = {
    {"extensions/v1beta1", "Ingress", "networking.k8s.io/v1", "v1.22"},
    {"extensions/v1beta1", "NetworkPolicy", "networking.k8s.io/v1", "v1.16"},
    {"extensions/v1beta1", "PodSecurityPolicy", "(none: use Pod Security Admission)", "v1.16"},
    {"extensions/v1beta1", "", "apps/v1", "v1.16"},
    {"apps/v1beta1", "", "apps/v1", "v1.16"},
    {"apps/v1beta2", "", "apps/v1", "v1.16"},
    {"batch/v1beta1", "CronJob", "batch/v1", "v1.25"},
    {"policy/v1beta1", "PodSecurityPolicy", "(none: use Pod Security Admission)", "v1.25"},
    {"policy/v1beta1", "", "policy/v1", "v1.25"},
    {"networking.k8s.io/v1beta1", "", "networking.k8s.io/v1", "v1.22"},
    {"rbac.authorization.k8s.io/v1beta1", "", "rbac.authorization.k8s.io/v1", "v1.22"},
    {"autoscaling/v2beta1", "", "autoscaling/v2", "v1.25"},
    {"autoscaling/v2beta2", "", "autoscaling/v2", "v1.26"},
    {"storage.k8s.io/v1beta1", "", "storage.k8s.io/v1", "v1.22"},
    {"apiextensions.k8s.io/v1beta1", "", "apiextensions.k8s.io/v1", "v1.22"},
    {"admissionregistration.k8s.io/v1beta1", "", "admissionregistration.k8s.io/v1", "v1.22"},
    {"discovery.k8s.io/v1beta1", "", "discovery.k8s.io/v1", "v1.25"},
    {"flowcontrol.apiserver.k8s.io/v1beta2", "", "flowcontrol.apiserver.k8s.io/v1", "v1.29"},
};

void api_versions(const std::vector<Object>& objects, Collector& out) {
  for (const auto& obj : objects) {
    for (const auto& r : kRemoved) {
      if (obj.api_version != r.api_version || (!r.kind.empty() && r.kind != obj.kind)) continue;
      out.raise(rule("deprecated-api-version"), Subject::of(obj),
                {{where_of(obj.root, "apiVersion"),
                  obj.api_version + " " + obj.kind + " was removed in Kubernetes " +
                      std::string(r.removed_in) + "; use " + std::string(r.replacement)}});
      break;
    }
  }
}

bool contains(const Node* list, std::string_view value) {
  const auto& all = items(list);
  return std::any_of(all.begin(), all.end(), [&](const Node& n) { return text(&n) == value; });
}

void rbac(const std::vector<Object>& objects, Collector& out) {
  for (const auto& obj : objects) {
    Subject subject = Subject::of(obj);
    if (obj.kind == "ClusterRoleBinding" || obj.kind == "RoleBinding") {
      const Node* ref = get(obj.root, "roleRef");
      if (text(get(ref, "kind")) == "ClusterRole" && text(get(ref, "name")) == "cluster-admin")
        out.raise(rule("rbac-cluster-admin"), subject,
                  {{where_of(ref, "name"), "roleRef names ClusterRole cluster-admin"}});
    }
    if (obj.kind != "ClusterRole" && obj.kind != "Role") continue;
    std::vector<Hit> wildcard, exec;
    for (const auto& r : list_at(obj.root, "rules")) {
      const Node* verbs = get(&r, "verbs");
      const Node* resources = get(&r, "resources");
      if (contains(verbs, "*") && contains(resources, "*"))
        wildcard.push_back({r.where(), "a rule grants verbs * on resources *"});
      bool execs = contains(resources, "pods/exec") || contains(resources, "pods/attach") ||
                   contains(resources, "pods/*");
      if (execs && (contains(verbs, "create") || contains(verbs, "*") || contains(verbs, "get")))
        exec.push_back({where_of(&r, "resources"), "a rule grants pods/exec or pods/attach"});
    }
    out.raise(rule("rbac-wildcard"), subject, std::move(wildcard));
    out.raise(rule("rbac-exec-attach"), subject, std::move(exec));
  }
}

void misc(const std::vector<Object>& objects, Collector& out) {
  static const RE2 secret_key(
      "(?i)(passw(or)?d|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|credential)");
  for (const auto& obj : objects) {
    if (obj.kind == "Ingress" && get(obj.spec(), "tls") == nullptr)
      out.raise(rule("ingress-tls-missing"), Subject::of(obj),
                {{obj.spec() ? obj.spec()->where() : obj.where, "spec.tls is not set"}});
    if (obj.kind == "ConfigMap") {
      std::vector<Hit> hits;
      const Node* data = get(obj.root, "data");
      if (data != nullptr && data->is_mapping())
        for (const auto& e : data->entries())
          if (!text(&e.value).empty() && RE2::PartialMatch(e.key.text(), secret_key))
            hits.push_back(
                {e.key.where(), "data key " + std::string(e.key.text()) + " holds a value"});
      out.raise(rule("configmap-secret"), Subject::of(obj), std::move(hits));
    }
  }
}

}  // namespace

void check_cluster(const std::vector<Object>& objects, Collector& out) {
  Index idx(objects);
  availability(idx, out);
  network_policies(idx, out);
  services(idx, out);
  service_account_tokens(idx, out);
  api_versions(objects, out);
  rbac(objects, out);
  misc(objects, out);
}

}  // namespace tollgate::posture::workload
