// The workload rules: what each is, why it matters and how to fix it.
#include <stdexcept>

#include "posture/workload.h"

namespace tollgate::posture::workload {
namespace {

using S = verdict::Severity;

RuleInfo r(std::string id, S severity, std::string title, std::string why, std::string fix) {
  return {std::move(id),    Pack::Workload, severity,
          std::move(title), std::move(why), std::move(fix)};
}

}  // namespace

const std::vector<RuleInfo>& rules() {
  static const std::vector<RuleInfo> all = {
      r("cpu-requests-missing", S::Medium, "Container has no CPU request",
        "Without a CPU request the scheduler places the pod as if it needed nothing, so nodes "
        "are overcommitted and the container is the first to be starved under load.",
        "set resources.requests.cpu to the container's typical use, e.g. 100m"),
      r("memory-requests-missing", S::Medium, "Container has no memory request",
        "Without a memory request the pod is scheduled onto nodes that cannot hold it and is "
        "among the first evicted under memory pressure.",
        "set resources.requests.memory, e.g. 128Mi"),
      r("cpu-limits-missing", S::Low, "Container has no CPU limit",
        "A container without a CPU limit can take every idle core of the node; noisy "
        "neighbours make latency unpredictable.",
        "set resources.limits.cpu (or accept bursting deliberately and disable this rule)"),
      r("memory-limits-missing", S::Medium, "Container has no memory limit",
        "A leak in a container without a memory limit drives the whole node into memory "
        "pressure and gets unrelated pods killed.",
        "set resources.limits.memory, e.g. 256Mi"),
      r("ephemeral-storage-missing", S::Low, "Container has no ephemeral-storage request or limit",
        "Logs and scratch files written to the container's writable layer fill the node's disk "
        "and get every pod on it evicted.",
        "set resources.requests and resources.limits ephemeral-storage, e.g. 1Gi"),
      r("liveness-probe-missing", S::Medium, "Container has no liveness probe",
        "Without a liveness probe a deadlocked process keeps its pod Running forever and is "
        "never restarted.",
        "add a livenessProbe (httpGet, tcpSocket, grpc or exec) that fails when the process is "
        "stuck"),
      r("readiness-probe-missing", S::Medium, "Container has no readiness probe",
        "Without a readiness probe a Service sends traffic to pods that are still starting or "
        "cannot serve, which shows up as errors during every rollout.",
        "add a readinessProbe that succeeds only when the container can serve requests"),
      r("probes-identical", S::Medium, "Liveness and readiness probes are identical",
        "When both probes check the same thing, a slow dependency makes the kubelet restart "
        "every replica at once instead of only taking them out of the Service.",
        "make the liveness probe check only the process itself and the readiness probe its "
        "dependencies"),
      r("image-tag-mutable", S::High, "Image uses the latest tag or no tag",
        "A latest or missing tag means the code that runs changes without a manifest change: "
        "rollbacks and audits cannot tell what was deployed.",
        "pin the image to a version tag or, better, a digest (image@sha256:...)"),
      r("image-pull-policy", S::Low, "Image pull policy is not Always for a tag",
        "With IfNotPresent or Never a node keeps running whatever image it cached under the tag, "
        "even after the tag was moved or the registry revoked access.",
        "set imagePullPolicy: Always, or pin the image by digest"),
      r("automount-service-account-token", S::Medium, "Service account token is mounted",
        "Every pod gets an API token unless it opts out; an attacker in the container uses it "
        "to talk to the Kubernetes API with the service account's rights.",
        "set automountServiceAccountToken: false on the pod spec or its ServiceAccount"),
      r("read-only-root-filesystem", S::Medium, "Root filesystem is writable",
        "A writable root filesystem lets an attacker drop tools and persist changes inside the "
        "container.",
        "set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the "
        "application must write"),
      r("run-as-root-uid", S::High, "Container runs as UID 0",
        "runAsUser: 0 runs the process as root whatever the image declares.",
        "set runAsUser to a non-zero UID (10000 or above) and runAsNonRoot: true"),
      r("low-uid", S::Low, "Container runs with a UID or GID below 10000",
        "Low user and group ids may coincide with privileged users on the node, which matters "
        "once a container escapes.",
        "use runAsUser and runAsGroup of 10000 or above"),
      r("run-as-root-group", S::Medium, "Container runs with GID 0",
        "Group 0 owns many files in images and on the node; running with it grants their "
        "access even to a non-root user.",
        "set runAsGroup, fsGroup and supplementalGroups to non-zero ids"),
      r("replicas-too-few", S::Medium, "Workload runs a single replica",
        "A single replica makes every node drain, rollout or crash an outage.",
        "set spec.replicas to 2 or more (or scale it with a HorizontalPodAutoscaler)"),
      r("pdb-missing", S::Medium, "No PodDisruptionBudget covers the workload",
        "Without a PodDisruptionBudget a node drain may evict every replica at the same time.",
        "add a PodDisruptionBudget whose selector matches the pod template's labels"),
      r("pdb-blocks-eviction", S::Medium, "PodDisruptionBudget allows no disruption",
        "maxUnavailable: 0 or minAvailable: 100% blocks node drains and cluster upgrades "
        "indefinitely.",
        "allow at least one disruption, e.g. maxUnavailable: 1"),
      r("network-policy-missing", S::High, "No NetworkPolicy selects the pods",
        "Pods that no NetworkPolicy selects accept traffic from, and send it to, anything in the "
        "cluster: one compromised pod reaches every other.",
        "add a NetworkPolicy whose podSelector matches the pods, with ingress and egress rules"),
      r("network-policy-partial", S::Low, "NetworkPolicy covers only one direction",
        "The pods are isolated for ingress or egress but not both, so the other direction is "
        "wide open.",
        "add policyTypes: [Ingress, Egress] with rules for both directions"),
      r("network-policy-orphan", S::Low, "NetworkPolicy selects no pods",
        "A NetworkPolicy whose selector matches no workload protects nothing, usually because "
        "of a label typo.",
        "fix the podSelector labels to match the pod template labels"),
      r("service-nodeport", S::Medium, "Service of type NodePort",
        "A NodePort opens the port on every node's address, outside any ingress control.",
        "use type ClusterIP behind an Ingress or a LoadBalancer with source ranges"),
      r("service-loadbalancer-open", S::High, "LoadBalancer open to the internet",
        "A LoadBalancer Service without loadBalancerSourceRanges accepts connections from any "
        "address on the internet.",
        "set spec.loadBalancerSourceRanges to the networks that should reach it"),
      r("service-orphan", S::Low, "Service selects no pods",
        "A Service whose selector matches no workload has no endpoints, usually because of a "
        "label typo.",
        "fix spec.selector to match the pod template labels"),
      r("secret-in-env", S::High, "Secret passed as a literal environment value",
        "A password or token written in the manifest ends up in git, in `kubectl get -o yaml` "
        "and in every log of the object.",
        "store it in a Secret and reference it with valueFrom.secretKeyRef"),
      r("host-port", S::Medium, "Container binds a host port",
        "A hostPort exposes the container on the node's address and bypasses NetworkPolicies.",
        "remove hostPort and expose the port through a Service"),
      r("dangerous-volume", S::High, "Pod mounts a sensitive host path or a gitRepo volume",
        "A hostPath of the container runtime socket, /etc, /proc, /var/lib/kubelet or / hands "
        "the node to the pod; gitRepo volumes run git as root on the node.",
        "remove the volume; use a persistentVolumeClaim, or an init container that clones the "
        "repository"),
      r("dangerous-capabilities", S::High, "Container adds a dangerous capability",
        "SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE, NET_RAW, BPF or ALL give a container "
        "kernel powers that most container escapes rely on.",
        "remove the capability from securityContext.capabilities.add"),
      r("capabilities-not-dropped", S::Low, "Container does not drop all capabilities",
        "Containers start with the runtime's default capabilities (NET_RAW among them); "
        "dropping ALL leaves an attacker none.",
        "set securityContext.capabilities.drop: [\"ALL\"]"),
      r("deprecated-api-version", S::Medium, "API version is deprecated or removed",
        "Kubernetes removed this apiVersion; the manifest fails to apply on current clusters.",
        "move to the replacement apiVersion named in the finding"),
      r("cronjob-deadline", S::Low, "CronJob has no startingDeadlineSeconds",
        "Without a starting deadline a CronJob that missed its schedule (controller down, too "
        "many missed runs) may stop being scheduled at all.",
        "set spec.startingDeadlineSeconds, e.g. 200"),
      r("env-duplicate", S::Low, "Environment variable set twice",
        "When a container defines the same variable twice only the last one applies, which "
        "hides configuration mistakes.",
        "remove the duplicate env entry"),
      r("hpa-replicas-set", S::Medium, "Workload managed by an HPA sets spec.replicas",
        "Every apply of the manifest resets the replica count the HorizontalPodAutoscaler "
        "chose, scaling the workload down under load.",
        "remove spec.replicas from workloads that an HPA scales"),
      r("ingress-tls-missing", S::Medium, "Ingress without TLS",
        "An Ingress without a tls section serves plain HTTP: credentials and cookies travel "
        "unencrypted.",
        "add spec.tls with the hosts and a certificate Secret"),
      r("rbac-cluster-admin", S::Critical, "Binding grants cluster-admin",
        "Binding the cluster-admin ClusterRole gives the subjects full control of the cluster.",
        "bind a Role with only the verbs and resources the subject needs"),
      r("rbac-wildcard", S::High, "Role grants every verb on every resource",
        "Wildcard verbs on wildcard resources make the role cluster-admin in all but name and "
        "silently include resources added later.",
        "list the verbs and resources the role needs"),
      r("rbac-exec-attach", S::High, "Role allows exec or attach into pods",
        "pods/exec and pods/attach let the subject run commands inside any pod it can see and "
        "read the secrets mounted there.",
        "remove pods/exec and pods/attach from the rules"),
      r("configmap-secret", S::High, "ConfigMap holds what looks like a secret",
        "ConfigMaps are not access-controlled like Secrets and are readable by anyone who can "
        "list them.",
        "move the value to a Secret"),
      r("anti-affinity-missing", S::Low, "Replicas may all land on one node",
        "Without pod anti-affinity or a topology spread constraint the scheduler may put every "
        "replica on the same node, so one node failure takes them all.",
        "add topologySpreadConstraints (or podAntiAffinity) on kubernetes.io/hostname"),
  };
  return all;
}

const RuleInfo& rule(std::string_view id) {
  for (const auto& r : rules())
    if (r.id == id) return r;
  throw std::logic_error("unknown workload rule " + std::string(id));
}

}  // namespace tollgate::posture::workload
