// The twelve baseline checks of the Pod Security Standards.
#include <algorithm>
#include <array>

#include "posture/pss_checks.h"

namespace tollgate::posture::pss {
namespace {

using verdict::Severity;

template <size_t N>
bool one_of(std::string_view s, const std::array<std::string_view, N>& set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

std::vector<Hit> host_namespaces(const Pod& pod, int) {
  std::vector<Hit> hits;
  for (const char* key : {"hostNetwork", "hostPID", "hostIPC"})
    if (is_true(get(pod.spec.spec, key)))
      hits.push_back({where_of(pod.spec.spec, key), pod.path(key) + " is true"});
  return hits;
}

std::vector<Hit> privileged(const Pod& pod, int) {
  std::vector<Hit> hits;
  for (const auto& c : pod.containers) {
    const Node* sc = security_context(c);
    if (is_true(get(sc, "privileged")))
      hits.push_back({where_of(sc, "privileged"), c.label() + " is privileged"});
  }
  return hits;
}

constexpr std::array<std::string_view, 13> kBaselineCapabilities = {
    "AUDIT_WRITE",      "CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",      "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID",       "SETPCAP", "SETUID", "SYS_CHROOT"};

std::vector<Hit> capabilities_baseline(const Pod& pod, int) {
  std::vector<Hit> hits;
  for (const auto& c : pod.containers) {
    for (const auto& cap : list_at(security_context(c), "capabilities.add"))
      if (!one_of(text(&cap), kBaselineCapabilities))
        hits.push_back({cap.where(), c.label() + " adds capability " + std::string(text(&cap))});
  }
  return hits;
}

std::vector<Hit> host_path_volumes(const Pod& pod, int) {
  std::vector<Hit> hits;
  for (const auto& v : list_at(pod.spec.spec, "volumes"))
    if (get(&v, "hostPath") != nullptr)
      hits.push_back({where_of(&v, "hostPath"),
                      "volume '" + std::string(text(get(&v, "name"))) + "' is a hostPath volume (" +
                          std::string(text(at(&v, "hostPath.path"))) + ")"});
  return hits;
}

std::vector<Hit> host_ports(const Pod& pod, int) {
  std::vector<Hit> hits;
  for (const auto& c : pod.containers)
    for (const auto& port : list_at(c.node, "ports")) {
      std::string_view hp = text(get(&port, "hostPort"));
      if (!hp.empty() && hp != "0")
        hits.push_back(
            {where_of(&port, "hostPort"), c.label() + " uses hostPort " + std::string(hp)});
    }
  return hits;
}

std::vector<Hit> host_probes(const Pod& pod, int) {
  std::vector<Hit> hits;
  auto check_handler = [&](const Container& c, const Node* handler, const std::string& where) {
    for (const char* kind : {"httpGet", "tcpSocket"}) {
      const Node* action = get(handler, kind);
      if (!text(get(action, "host")).empty())
        hits.push_back({where_of(action, "host"), c.label() + " " + where + "." + kind +
                                                      ".host is " +
                                                      std::string(text(get(action, "host")))});
    }
  };
  for (const auto& c : pod.containers) {
    for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"})
      check_handler(c, get(c.node, probe), probe);
    for (const char* hook : {"postStart", "preStop"})
      check_handler(c, at(c.node, std::string("lifecycle.") + hook),
                    std::string("lifecycle.") + hook);
  }
  return hits;
}

const std::string kAppArmorAnnotation = "container.apparmor.security.beta.kubernetes.io/";

std::vector<Hit> apparmor(const Pod& pod, int) {
  std::vector<Hit> hits;
  const Node* annotations = get(pod.spec.metadata, "annotations");
  if (annotations != nullptr && annotations->is_mapping()) {
    for (const auto& e : annotations->entries()) {
      if (!e.key.text().starts_with(kAppArmorAnnotation)) continue;
      std::string_view v = text(&e.value);
      if (v.empty() || v == "runtime/default" || v.starts_with("localhost/")) continue;
      hits.push_back(
          {e.key.where(), "annotation " + std::string(e.key.text()) + "=" + std::string(v)});
    }
  }
  auto check_profile = [&](const Node* sc, const std::string& who) {
    const Node* profile = get(sc, "appArmorProfile");
    if (profile == nullptr || profile->is_null()) return;
    std::string_view type = text(get(profile, "type"));
    if (type == "RuntimeDefault" || type == "Localhost") return;
    hits.push_back({where_of(profile, "type"),
                    who + " sets appArmorProfile.type to '" + std::string(type) + "'"});
  };
  check_profile(pod.security_context, "pod");
  for (const auto& c : pod.containers)
    check_profile(security_context(c), c.label());
  return hits;
}

std::vector<Hit> selinux(const Pod& pod, int minor) {
  std::vector<Hit> hits;
  auto check_options = [&](const Node* sc, const std::string& who) {
    const Node* opts = get(sc, "seLinuxOptions");
    if (opts == nullptr) return;
    std::string_view type = text(get(opts, "type"));
    bool type_ok = type.empty() || type == "container_t" || type == "container_init_t" ||
                   type == "container_kvm_t" || (minor >= 31 && type == "container_engine_t");
    if (!type_ok)
      hits.push_back({where_of(opts, "type"),
                      who + " sets seLinuxOptions.type to '" + std::string(type) + "'"});
    for (const char* key : {"user", "role"})
      if (!text(get(opts, key)).empty())
        hits.push_back({where_of(opts, key), who + " sets seLinuxOptions." + key + " to '" +
                                                 std::string(text(get(opts, key))) + "'"});
  };
  check_options(pod.security_context, "pod");
  for (const auto& c : pod.containers)
    check_options(security_context(c), c.label());
  return hits;
}

std::vector<Hit> proc_mount_hits(const Pod& pod) {
  std::vector<Hit> hits;
  for (const auto& c : pod.containers) {
    const Node* sc = security_context(c);
    std::string_view mount = text(get(sc, "procMount"));
    if (!mount.empty() && mount != "Default")
      hits.push_back(
          {where_of(sc, "procMount"), c.label() + " sets procMount to " + std::string(mount)});
  }
  return hits;
}

std::vector<Hit> proc_mount(const Pod& pod, int minor) {
  // With user namespaces the container's root is unprivileged on the host (v1.35).
  if (minor >= 35 && pod.host_users_false) return {};
  return proc_mount_hits(pod);
}

bool valid_seccomp_annotation(std::string_view v) {
  return v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/");
}

std::vector<Hit> seccomp_baseline(const Pod& pod, int minor) {
  std::vector<Hit> hits;
  if (minor < 19) {
    // Before v1.19 seccomp was configured, and checked, through alpha annotations only.
    const Node* annotations = get(pod.spec.metadata, "annotations");
    auto check_annotation = [&](const std::string& key) {
      const Node::Entry* e = entry(annotations, key);
      if (e != nullptr && !valid_seccomp_annotation(text(&e->value)))
        hits.push_back({e->key.where(), "annotation " + key + "=" + std::string(text(&e->value))});
    };
    check_annotation("seccomp.security.alpha.kubernetes.io/pod");
    for (const auto& c : pod.containers)
      check_annotation("container.seccomp.security.alpha.kubernetes.io/" + c.name);
    return hits;
  }
  auto check_profile = [&](const Node* sc, const std::string& who) {
    const Node* profile = get(sc, "seccompProfile");
    if (profile == nullptr || profile->is_null()) return;
    std::string_view type = text(get(profile, "type"));
    if (type == "RuntimeDefault" || type == "Localhost") return;
    hits.push_back({where_of(profile, "type"),
                    who + " sets seccompProfile.type to '" + std::string(type) + "'"});
  };
  check_profile(pod.security_context, "pod");
  for (const auto& c : pod.containers)
    check_profile(security_context(c), c.label());
  return hits;
}

struct Sysctl {
  std::string_view name;
  int since;
};
constexpr std::array<Sysctl, 14> kSafeSysctls = {{
    {"kernel.shm_rmid_forced", 0},
    {"net.ipv4.ip_local_port_range", 0},
    {"net.ipv4.tcp_syncookies", 0},
    {"net.ipv4.ping_group_range", 0},
    {"net.ipv4.ip_unprivileged_port_start", 0},
    {"net.ipv4.ip_local_reserved_ports", 27},
    {"net.ipv4.tcp_keepalive_time", 29},
    {"net.ipv4.tcp_fin_timeout", 29},
    {"net.ipv4.tcp_keepalive_intvl", 29},
    {"net.ipv4.tcp_keepalive_probes", 29},
    {"net.ipv4.tcp_rmem", 32},
    {"net.ipv4.tcp_wmem", 32},
    {"net.ipv4.tcp_slow_start_after_idle", 37},
    {"net.ipv4.tcp_notsent_lowat", 37},
}};

std::vector<Hit> sysctls(const Pod& pod, int minor) {
  std::vector<Hit> hits;
  for (const auto& s : list_at(pod.security_context, "sysctls")) {
    std::string_view name = text(get(&s, "name"));
    bool safe = std::any_of(kSafeSysctls.begin(), kSafeSysctls.end(),
                            [&](const Sysctl& k) { return k.name == name && k.since <= minor; });
    if (!safe) hits.push_back({where_of(&s, "name"), "pod sets sysctl " + std::string(name)});
  }
  return hits;
}

std::vector<Hit> windows_host_process(const Pod& pod, int) {
  std::vector<Hit> hits;
  auto check_sc = [&](const Node* sc, const std::string& who) {
    const Node* opts = get(sc, "windowsOptions");
    if (is_true(get(opts, "hostProcess")))
      hits.push_back({where_of(opts, "hostProcess"), who + " sets windowsOptions.hostProcess"});
  };
  check_sc(pod.security_context, "pod");
  for (const auto& c : pod.containers)
    check_sc(security_context(c), c.label());
  return hits;
}

RuleInfo info(std::string id, Severity severity, std::string title, std::string why,
              std::string fix) {
  return {std::move(id), Pack::Pss, severity, std::move(title), std::move(why), std::move(fix)};
}

}  // namespace

std::vector<Hit> procmount_any(const Pod& pod) {
  return proc_mount_hits(pod);
}

const Node* security_context(const Container& c) {
  return get(c.node, "securityContext");
}

const std::vector<CheckDef>& baseline_checks() {
  static const std::vector<CheckDef> checks = {
      {info("hostNamespaces", Severity::Critical, "Pod shares the host's namespaces",
            "A pod in the host's network, PID or IPC namespace sees and can disturb every "
            "process and connection on the node, and escapes the isolation the other controls "
            "assume.",
            "remove hostNetwork, hostPID and hostIPC, or set them to false"),
       Level::Baseline,
       0,
       {},
       host_namespaces},
      {info("privileged", Severity::Critical, "Container runs privileged",
            "A privileged container has every capability and all host devices: it is root on "
            "the node.",
            "remove securityContext.privileged or set it to false"),
       Level::Baseline,
       0,
       {},
       privileged},
      {info("capabilities_baseline", Severity::High,
            "Container adds capabilities beyond the baseline set",
            "Capabilities outside the container runtime's default set (NET_RAW, SYS_ADMIN, ALL, "
            "...) give a compromised process kernel powers it can use to break out.",
            "add only AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, "
            "NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID or SYS_CHROOT"),
       Level::Baseline,
       0,
       {},
       capabilities_baseline},
      {info("hostPathVolumes", Severity::High, "Pod mounts a hostPath volume",
            "A hostPath volume exposes the node's file system to the pod: container runtime "
            "sockets, kubelet credentials, other pods' data.",
            "use an emptyDir, configMap, secret or persistentVolumeClaim volume instead"),
       Level::Baseline,
       0,
       {},
       host_path_volumes},
      {info("hostPorts", Severity::High, "Container binds a host port",
            "A hostPort opens the port on the node's own address, bypassing Services and "
            "NetworkPolicies, and limits scheduling to one such pod per node.",
            "remove hostPort (or set it to 0) and expose the port through a Service"),
       Level::Baseline,
       0,
       {},
       host_ports},
      {info("hostProbesAndHostLifecycle", Severity::High,
            "Probe or lifecycle hook targets another host",
            "A probe or lifecycle handler with a host field makes the kubelet connect to an "
            "arbitrary address from the node's network: a server-side request forgery.",
            "remove the host field so probes and hooks target the pod itself"),
       Level::Baseline,
       34,
       {},
       host_probes},
      {info("appArmorProfile", Severity::High, "AppArmor is disabled",
            "An Unconfined AppArmor profile removes the mandatory access control that limits "
            "what a compromised container can touch.",
            "use appArmorProfile.type RuntimeDefault or Localhost (or remove the override)"),
       Level::Baseline,
       0,
       {},
       apparmor},
      {info("seLinuxOptions", Severity::High, "Custom SELinux user, role or type",
            "Setting an SELinux user, role or an unusual type can lift the confinement the "
            "container runtime applies.",
            "remove seLinuxOptions.user and .role; use type container_t, container_init_t, "
            "container_kvm_t or container_engine_t"),
       Level::Baseline,
       0,
       {},
       selinux},
      {info("procMount", Severity::High, "Container unmasks /proc",
            "procMount Unmasked exposes kernel interfaces in /proc that the runtime normally "
            "hides.",
            "remove securityContext.procMount or set it to Default"),
       Level::Baseline,
       0,
       {},
       proc_mount},
      {info("seccompProfile_baseline", Severity::High, "Seccomp is disabled",
            "An Unconfined seccomp profile gives a container the whole kernel system-call "
            "surface, which most container escapes use.",
            "set seccompProfile.type to RuntimeDefault or Localhost, or leave it unset"),
       Level::Baseline,
       0,
       {},
       seccomp_baseline},
      {info("sysctls", Severity::High, "Pod sets an unsafe sysctl",
            "Sysctls outside the namespaced safe set change kernel settings for the whole node.",
            "set only the safe sysctls (kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, "
            "net.ipv4.tcp_syncookies, ...)"),
       Level::Baseline,
       0,
       {},
       sysctls},
      {info("windowsHostProcess", Severity::Critical, "Windows HostProcess container",
            "A Windows HostProcess container runs directly on the host with administrator "
            "access to it.",
            "remove windowsOptions.hostProcess or set it to false"),
       Level::Baseline,
       0,
       {},
       windows_host_process},
  };
  return checks;
}

}  // namespace tollgate::posture::pss
