// The seven restricted checks of the Pod Security Standards.
#include <algorithm>
#include <array>

#include "posture/pss_checks.h"

namespace tollgate::posture::pss {
namespace {

using verdict::Severity;

constexpr std::array<std::string_view, 9> kRestrictedVolumeSources = {
    "configMap", "csi",   "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim",
    "projected", "secret"};

std::vector<Hit> restricted_volumes(const Pod& pod, int) {
  std::vector<Hit> hits;
  for (const auto& v : list_at(pod.spec.spec, "volumes")) {
    // A volume that names no source is defaulted to emptyDir by the API server.
    for (const auto& e : v.entries()) {
      if (e.key.text() == "name") continue;
      if (std::find(kRestrictedVolumeSources.begin(), kRestrictedVolumeSources.end(),
                    e.key.text()) != kRestrictedVolumeSources.end())
        continue;
      hits.push_back({e.key.where(), "volume '" + std::string(text(get(&v, "name"))) +
                                         "' is of type " + std::string(e.key.text())});
      break;
    }
  }
  return hits;
}

bool windows_exempt(const Pod& pod, int minor) {
  return minor >= 25 && pod.windows;
}

std::vector<Hit> allow_privilege_escalation(const Pod& pod, int minor) {
  std::vector<Hit> hits;
  if (windows_exempt(pod, minor)) return hits;
  for (const auto& c : pod.containers) {
    const Node* sc = security_context(c);
    const Node* value = get(sc, "allowPrivilegeEscalation");
    if (is_false(value)) continue;
    if (value == nullptr || value->is_null())
      hits.push_back({sc ? sc->where() : c.node->where(),
                      c.label() + " does not set securityContext.allowPrivilegeEscalation=false"});
    else
      hits.push_back({where_of(sc, "allowPrivilegeEscalation"),
                      c.label() + " sets allowPrivilegeEscalation to " + std::string(text(value))});
  }
  return hits;
}

bool user_namespace_exempt(const Pod& pod, int minor) {
  return minor >= 35 && pod.host_users_false;
}

std::vector<Hit> run_as_non_root(const Pod& pod, int minor) {
  std::vector<Hit> hits;
  if (user_namespace_exempt(pod, minor)) return hits;
  const Node* pod_value = get(pod.security_context, "runAsNonRoot");
  if (is_false(pod_value))
    hits.push_back({where_of(pod.security_context, "runAsNonRoot"),
                    "pod sets securityContext.runAsNonRoot to false"});
  bool pod_true = is_true(pod_value);
  for (const auto& c : pod.containers) {
    const Node* sc = security_context(c);
    const Node* value = get(sc, "runAsNonRoot");
    if (value != nullptr && !value->is_null()) {
      if (!is_true(value))
        hits.push_back(
            {where_of(sc, "runAsNonRoot"),
             c.label() + " sets securityContext.runAsNonRoot to " + std::string(text(value))});
    } else if (!pod_true) {
      // A non-zero runAsUser does not count: PSA asks for the explicit promise.
      hits.push_back({sc ? sc->where() : c.node->where(),
                      c.label() + " does not set runAsNonRoot=true (nor does the pod)"});
    }
  }
  return hits;
}

std::vector<Hit> run_as_user(const Pod& pod, int minor) {
  std::vector<Hit> hits;
  if (user_namespace_exempt(pod, minor)) return hits;
  auto check_sc = [&](const Node* sc, const std::string& who) {
    if (text(get(sc, "runAsUser")) == "0")
      hits.push_back({where_of(sc, "runAsUser"), who + " sets runAsUser to 0"});
  };
  check_sc(pod.security_context, "pod");
  for (const auto& c : pod.containers)
    check_sc(security_context(c), c.label());
  return hits;
}

bool valid_seccomp(std::string_view type) {
  return type == "RuntimeDefault" || type == "Localhost";
}

std::vector<Hit> seccomp_restricted(const Pod& pod, int minor) {
  std::vector<Hit> hits;
  if (windows_exempt(pod, minor)) return hits;
  const Node* pod_profile = get(pod.security_context, "seccompProfile");
  bool pod_set = pod_profile != nullptr && !pod_profile->is_null();
  bool pod_ok = pod_set && valid_seccomp(text(get(pod_profile, "type")));
  if (pod_set && !pod_ok)
    hits.push_back(
        {where_of(pod_profile, "type"),
         "pod sets seccompProfile.type to '" + std::string(text(get(pod_profile, "type"))) + "'"});
  for (const auto& c : pod.containers) {
    const Node* profile = get(security_context(c), "seccompProfile");
    if (profile != nullptr && !profile->is_null()) {
      if (!valid_seccomp(text(get(profile, "type"))))
        hits.push_back({where_of(profile, "type"), c.label() + " sets seccompProfile.type to '" +
                                                       std::string(text(get(profile, "type"))) +
                                                       "'"});
    } else if (!pod_ok) {
      hits.push_back({c.node->where(), c.label() +
                                           " does not set seccompProfile.type to RuntimeDefault "
                                           "or Localhost (nor does the pod)"});
    }
  }
  return hits;
}

std::vector<Hit> capabilities_restricted(const Pod& pod, int minor) {
  std::vector<Hit> hits;
  if (windows_exempt(pod, minor)) return hits;
  for (const auto& c : pod.containers) {
    const Node* sc = security_context(c);
    const Node* caps = get(sc, "capabilities");
    const auto& drop = list_at(caps, "drop");
    // PSA compares exactly: "all" or "CAP_ALL" do not drop anything in its eyes.
    bool drops_all =
        std::any_of(drop.begin(), drop.end(), [](const Node& n) { return text(&n) == "ALL"; });
    if (!drops_all) {
      SourceLocation where = get(caps, "drop") ? where_of(caps, "drop")
                             : caps            ? caps->where()
                             : sc              ? sc->where()
                                               : c.node->where();
      hits.push_back({where, c.label() + " does not drop ALL capabilities"});
    }
    for (const auto& cap : list_at(caps, "add"))
      if (text(&cap) != "NET_BIND_SERVICE")
        hits.push_back({cap.where(), c.label() + " adds capability " + std::string(text(&cap))});
  }
  return hits;
}

std::vector<Hit> proc_mount_restricted(const Pod& pod, int) {
  return procmount_any(pod);
}

RuleInfo info(std::string id, Severity severity, std::string title, std::string why,
              std::string fix) {
  return {std::move(id), Pack::Pss, severity, std::move(title), std::move(why), std::move(fix)};
}

}  // namespace

const std::vector<CheckDef>& restricted_checks() {
  static const std::vector<CheckDef> checks = {
      {info("restrictedVolumes", Severity::High,
            "Pod uses a volume type outside the restricted set",
            "Only volume types that the cluster mediates (configMap, secret, emptyDir, projected, "
            "persistentVolumeClaim, csi, ...) are safe; hostPath, nfs, gitRepo and direct cloud "
            "disks bypass storage access control.",
            "use configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, "
            "projected or secret volumes"),
       Level::Restricted,
       0,
       {"hostPathVolumes"},
       restricted_volumes},
      {info("allowPrivilegeEscalation", Severity::High, "Container may gain privileges",
            "Without allowPrivilegeEscalation: false a process can gain more privileges than "
            "its parent through setuid binaries or file capabilities.",
            "set securityContext.allowPrivilegeEscalation: false in every container"),
       Level::Restricted,
       8,
       {},
       allow_privilege_escalation},
      {info("runAsNonRoot", Severity::High, "Container may run as root",
            "Unless runAsNonRoot is true the kubelet starts an image whose user is root as root; "
            "a non-zero runAsUser alone is not the promise the standard asks for.",
            "set securityContext.runAsNonRoot: true on the pod (or every container)"),
       Level::Restricted,
       0,
       {},
       run_as_non_root},
      {info("runAsUser", Severity::High, "Container runs as UID 0",
            "runAsUser: 0 runs the container as root whatever the image says.",
            "set runAsUser to a non-zero UID or remove it"),
       Level::Restricted,
       23,
       {},
       run_as_user},
      {info("seccompProfile_restricted", Severity::High, "Seccomp profile not set",
            "The restricted standard requires a seccomp profile so that system calls outside "
            "the runtime's allow-list are refused.",
            "set spec.securityContext.seccompProfile.type: RuntimeDefault"),
       Level::Restricted,
       19,
       {"seccompProfile_baseline"},
       seccomp_restricted},
      {info("capabilities_restricted", Severity::High, "Container keeps Linux capabilities",
            "Containers must drop every capability and may add back only NET_BIND_SERVICE, so a "
            "compromised process holds no kernel privileges.",
            "set securityContext.capabilities.drop: [\"ALL\"] and add at most NET_BIND_SERVICE"),
       Level::Restricted,
       22,
       {"capabilities_baseline"},
       capabilities_restricted},
      {info("procMount_restricted", Severity::High, "Container unmasks /proc",
            "At the restricted level /proc must stay masked even in a user namespace.",
            "remove securityContext.procMount or set it to Default"),
       Level::Restricted,
       35,
       {"procMount"},
       proc_mount_restricted},
  };
  return checks;
}

}  // namespace tollgate::posture::pss
