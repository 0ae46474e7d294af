// Workload rules about one pod spec and its containers.
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <set>

#include "posture/workload.h"
#include "util/strings.h"

namespace tollgate::posture::workload {
namespace {

struct PodView {
  const Object& obj;
  PodSpec pod;
  std::vector<Container> containers;
  const Node* pod_sc;
};

const Node* sc_of(const Container& c) {
  return get(c.node, "securityContext");
}

// The value a container runs with: its own securityContext field, else the pod's.
std::pair<const Node*, SourceLocation> effective(const PodView& p, const Container& c,
                                                 std::string_view key) {
  if (const Node* v = get(sc_of(c), key)) return {v, where_of(sc_of(c), key)};
  if (const Node* v = get(p.pod_sc, key)) return {v, where_of(p.pod_sc, key)};
  return {nullptr, c.node->where()};
}

bool is_batch(const Object& obj) {
  return obj.kind == "Job" || obj.kind == "CronJob";
}

void resources(const PodView& p, Collector& out) {
  struct Need {
    const char* rule;
    const char* section;
    const char* resource;
  };
  static constexpr Need needs[] = {{"cpu-requests-missing", "requests", "cpu"},
                                   {"memory-requests-missing", "requests", "memory"},
                                   {"cpu-limits-missing", "limits", "cpu"},
                                   {"memory-limits-missing", "limits", "memory"}};
  Subject subject = Subject::of(p.obj);
  for (const auto& need : needs) {
    std::vector<Hit> hits;
    for (const auto& c : p.containers) {
      if (c.type == ContainerType::Ephemeral) continue;  // they cannot have resources
      const Node* section = at(c.node, std::string("resources.") + need.section);
      if (text(get(section, need.resource)).empty())
        hits.push_back({section ? section->where() : c.node->where(),
                        c.label() + " has no resources." + need.section + "." + need.resource});
    }
    out.raise(rule(need.rule), subject, std::move(hits));
  }
  std::vector<Hit> storage;
  for (const auto& c : p.containers) {
    if (c.type == ContainerType::Ephemeral) continue;
    bool req = get(at(c.node, "resources.requests"), "ephemeral-storage") != nullptr;
    bool lim = get(at(c.node, "resources.limits"), "ephemeral-storage") != nullptr;
    if (!req || !lim)
      storage.push_back({c.node->where(), c.label() + " has no ephemeral-storage " +
                                              (req   ? "limit"
                                               : lim ? "request"
                                                     : "request or limit")});
  }
  out.raise(rule("ephemeral-storage-missing"), subject, std::move(storage));
}

void probes(const PodView& p, Collector& out) {
  if (is_batch(p.obj)) return;  // a Job's pods serve no traffic and finish on their own
  std::vector<Hit> liveness, readiness, identical;
  for (const auto& c : p.containers) {
    if (c.type != ContainerType::Regular) continue;
    const Node* live = get(c.node, "livenessProbe");
    const Node* ready = get(c.node, "readinessProbe");
    if (live == nullptr) liveness.push_back({c.node->where(), c.label() + " has no livenessProbe"});
    if (ready == nullptr)
      readiness.push_back({c.node->where(), c.label() + " has no readinessProbe"});
    if (live && ready && yaml_parse::same_data(*live, *ready))
      identical.push_back({where_of(c.node, "readinessProbe"),
                           c.label() + " has identical liveness and readiness probes"});
  }
  Subject subject = Subject::of(p.obj);
  out.raise(rule("liveness-probe-missing"), subject, std::move(liveness));
  out.raise(rule("readiness-probe-missing"), subject, std::move(readiness));
  out.raise(rule("probes-identical"), subject, std::move(identical));
}

// The tag of an image reference, "" when it has none; pinned when it names a digest.
struct ImageRef {
  std::string tag;
  bool pinned = false;
};

ImageRef parse_image(const std::string& image) {
  ImageRef ref;
  std::string name = image;
  if (auto at_pos = name.find('@'); at_pos != std::string::npos) {
    ref.pinned = true;
    name = name.substr(0, at_pos);
  }
  // A colon before the last slash belongs to a registry port: registry:5000/app has no tag.
  size_t slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
    ref.tag = name.substr(colon + 1);
  return ref;
}

void images(const PodView& p, Collector& out) {
  std::vector<Hit> mutable_tags, pull;
  for (const auto& c : p.containers) {
    std::string_view image = text(get(c.node, "image"));
    ImageRef ref = parse_image(std::string(image));
    SourceLocation where = where_of(c.node, "image");
    if (image.empty()) {
      mutable_tags.push_back({where, c.label() + " names no image"});
      continue;
    }
    if (ref.pinned) continue;
    if (ref.tag.empty() || ref.tag == "latest")
      mutable_tags.push_back({where, c.label() + " uses " + std::string(image) +
                                         (ref.tag.empty() ? " (no tag)" : "")});
    const Node* policy = get(c.node, "imagePullPolicy");
    // Kubernetes defaults the policy to Always for latest and untagged images.
    std::string effective_policy(text(policy));
    if (effective_policy.empty())
      effective_policy = ref.tag.empty() || ref.tag == "latest" ? "Always" : "IfNotPresent";
    if (effective_policy != "Always")
      pull.push_back(
          {policy ? where_of(c.node, "imagePullPolicy") : where,
           c.label() + " pulls " + std::string(image) + " with policy " + effective_policy});
  }
  Subject subject = Subject::of(p.obj);
  out.raise(rule("image-tag-mutable"), subject, std::move(mutable_tags));
  out.raise(rule("image-pull-policy"), subject, std::move(pull));
}

void identity(const PodView& p, Collector& out) {
  std::vector<Hit> read_only, root_uid, low, root_group;
  for (const auto& c : p.containers) {
    const Node* sc = sc_of(c);
    if (!is_true(get(sc, "readOnlyRootFilesystem")))
      read_only.push_back({get(sc, "readOnlyRootFilesystem")
                               ? where_of(sc, "readOnlyRootFilesystem")
                               : c.node->where(),
                           c.label() + " does not set readOnlyRootFilesystem: true"});
    auto [uid, uid_where] = effective(p, c, "runAsUser");
    if (text(uid) == "0")
      root_uid.push_back({uid_where, c.label() + " runs as UID 0"});
    else if (int_value(uid).value_or(10000) < 10000)
      low.push_back({uid_where, c.label() + " runs as UID " + std::string(text(uid))});
    auto [gid, gid_where] = effective(p, c, "runAsGroup");
    if (text(gid) == "0")
      root_group.push_back({gid_where, c.label() + " runs with GID 0"});
    else if (int_value(gid).value_or(10000) < 10000)
      low.push_back({gid_where, c.label() + " runs with GID " + std::string(text(gid))});
  }
  if (text(get(p.pod_sc, "fsGroup")) == "0")
    root_group.push_back({where_of(p.pod_sc, "fsGroup"), "pod sets fsGroup to 0"});
  for (const auto& g : list_at(p.pod_sc, "supplementalGroups"))
    if (text(&g) == "0") root_group.push_back({g.where(), "pod adds supplemental group 0"});
  Subject subject = Subject::of(p.obj);
  out.raise(rule("read-only-root-filesystem"), subject, std::move(read_only));
  out.raise(rule("run-as-root-uid"), subject, std::move(root_uid));
  out.raise(rule("low-uid"), subject, std::move(low));
  out.raise(rule("run-as-root-group"), subject, std::move(root_group));
}

std::string bare_capability(std::string_view cap) {
  std::string up = str::upper(cap);
  return up.starts_with("CAP_") ? up.substr(4) : up;
}

void capabilities(const PodView& p, Collector& out) {
  static const std::set<std::string> dangerous = {"ALL",        "SYS_ADMIN",       "NET_ADMIN",
                                                  "SYS_PTRACE", "SYS_MODULE",      "NET_RAW",
                                                  "BPF",        "DAC_READ_SEARCH", "SYS_RAWIO"};
  std::vector<Hit> added, not_dropped;
  for (const auto& c : p.containers) {
    const Node* caps = get(sc_of(c), "capabilities");
    for (const auto& cap : list_at(caps, "add"))
      if (dangerous.count(bare_capability(text(&cap))))
        added.push_back({cap.where(), c.label() + " adds " + std::string(text(&cap))});
    const auto& drop = list_at(caps, "drop");
    // Unlike PSA, the runtime itself accepts "all" in any case, so this rule does too.
    bool drops_all = std::any_of(drop.begin(), drop.end(),
                                 [](const Node& n) { return bare_capability(text(&n)) == "ALL"; });
    if (!drops_all)
      not_dropped.push_back(
          {caps ? caps->where() : c.node->where(), c.label() + " does not drop ALL capabilities"});
  }
  Subject subject = Subject::of(p.obj);
  out.raise(rule("dangerous-capabilities"), subject, std::move(added));
  out.raise(rule("capabilities-not-dropped"), subject, std::move(not_dropped));
}

// A host path that hands the node to the pod: the path itself or anything below it.
bool sensitive_host_path(const std::string& path) {
  static const std::array<std::string_view, 4> exact = {"/", "/var/run", "/run", "/var/lib/docker"};
  static const std::array<std::string_view, 13> trees = {"/etc",
                                                         "/root",
                                                         "/proc",
                                                         "/sys",
                                                         "/dev",
                                                         "/boot",
                                                         "/var/lib/kubelet",
                                                         "/var/run/docker.sock",
                                                         "/run/docker.sock",
                                                         "/var/run/containerd",
                                                         "/run/containerd",
                                                         "/var/run/crio",
                                                         "/run/crio"};
  if (std::find(exact.begin(), exact.end(), path) != exact.end()) return true;
  if (path.ends_with(".sock")) return true;
  return std::any_of(trees.begin(), trees.end(), [&](std::string_view t) {
    return path == t || path.starts_with(std::string(t) + "/");
  });
}

void host_access(const PodView& p, Collector& out) {
  std::vector<Hit> ports, volumes;
  for (const auto& c : p.containers)
    for (const auto& port : list_at(c.node, "ports")) {
      std::string_view hp = text(get(&port, "hostPort"));
      if (!hp.empty() && hp != "0")
        ports.push_back(
            {where_of(&port, "hostPort"), c.label() + " binds host port " + std::string(hp)});
    }
  for (const auto& v : list_at(p.pod.spec, "volumes")) {
    std::string name(text(get(&v, "name")));
    if (const Node* host = get(&v, "hostPath")) {
      std::string path(text(get(host, "path")));
      while (path.size() > 1 && path.back() == '/')
        path.pop_back();
      if (sensitive_host_path(path))
        volumes.push_back(
            {where_of(host, "path"), "volume '" + name + "' mounts host path " + path});
    }
    if (get(&v, "gitRepo") != nullptr)
      volumes.push_back({where_of(&v, "gitRepo"), "volume '" + name + "' is a gitRepo volume"});
  }
  Subject subject = Subject::of(p.obj);
  out.raise(rule("host-port"), subject, std::move(ports));
  out.raise(rule("dangerous-volume"), subject, std::move(volumes));
}

void environment(const PodView& p, Collector& out) {
  static const RE2 secret_name(
      "(?i)(passw(or)?d|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|credential)");
  std::vector<Hit> secrets, duplicates;
  for (const auto& c : p.containers) {
    std::set<std::string> seen;
    for (const auto& e : list_at(c.node, "env")) {
      std::string_view name = text(get(&e, "name"));
      if (!seen.emplace(name).second)
        duplicates.push_back(
            {where_of(&e, "name"), c.label() + " sets " + std::string(name) + " twice"});
      const Node* value = get(&e, "value");
      if (!text(value).empty() && RE2::PartialMatch(name, secret_name))
        secrets.push_back({where_of(&e, "value"),
                           c.label() + " sets " + std::string(name) + " to a literal value"});
    }
  }
  Subject subject = Subject::of(p.obj);
  out.raise(rule("secret-in-env"), subject, std::move(secrets));
  out.raise(rule("env-duplicate"), subject, std::move(duplicates));
}

void cronjob(const Object& obj, Collector& out) {
  if (obj.kind != "CronJob") return;
  const Node* spec = obj.spec();
  if (get(spec, "startingDeadlineSeconds") == nullptr)
    out.raise(rule("cronjob-deadline"), Subject::of(obj),
              {{spec ? spec->where() : obj.where, "spec.startingDeadlineSeconds is not set"}});
}

}  // namespace

void check_pods(std::span<const Object> objects, Collector& out) {
  for (const auto& obj : objects) {
    PodSpec pod = pod_spec_of(obj);
    if (pod.spec == nullptr) continue;
    PodView view{obj, pod, containers_of(pod), get(pod.spec, "securityContext")};
    resources(view, out);
    probes(view, out);
    images(view, out);
    identity(view, out);
    capabilities(view, out);
    host_access(view, out);
    environment(view, out);
    cronjob(obj, out);
  }
}

}  // namespace tollgate::posture::workload
