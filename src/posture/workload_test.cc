#include "posture/workload.h"

#include <gtest/gtest.h>

#include "posture/test_support.h"

namespace tollgate::posture::workload {
namespace {

using nlohmann::json;
using Ids = std::set<std::string>;

// A shop service that follows every workload rule.
json good_objects() {
  return json::parse(R"([
  {"apiVersion": "apps/v1", "kind": "Deployment",
   "metadata": {"name": "cart", "namespace": "shop"},
   "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "cart"}},
    "template": {"metadata": {"labels": {"app": "cart", "tier": "api"}},
     "spec": {"automountServiceAccountToken": false,
      "securityContext": {"runAsNonRoot": true, "runAsUser": 10001, "runAsGroup": 10001},
      "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                                     "whenUnsatisfiable": "DoNotSchedule"}],
      "containers": [{"name": "cart", "image": "registry.local:5000/cart:1.4.2",
        "imagePullPolicy": "Always",
        "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}},
                {"name": "LOG_LEVEL", "value": "info"}],
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi", "ephemeral-storage": "1Gi"},
                      "limits": {"cpu": "1", "memory": "256Mi", "ephemeral-storage": "2Gi"}},
        "livenessProbe": {"httpGet": {"path": "/live", "port": 8080}},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
        "securityContext": {"readOnlyRootFilesystem": true, "allowPrivilegeEscalation": false,
                            "capabilities": {"drop": ["ALL"]}}}]}}}},
  {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
   "metadata": {"name": "cart", "namespace": "shop"},
   "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "cart"}}}},
  {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
   "metadata": {"name": "cart", "namespace": "shop"},
   "spec": {"podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["cart"]}]},
            "policyTypes": ["Ingress", "Egress"], "ingress": [{}], "egress": [{}]}},
  {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "cart", "namespace": "shop"},
   "spec": {"selector": {"app": "cart"}, "ports": [{"port": 80}]}},
  {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
   "metadata": {"name": "shop", "namespace": "shop"},
   "spec": {"tls": [{"hosts": ["shop.example"], "secretName": "tls"}]}}
  ])");
}

json& deploy(json& objs) {
  return objs[0];
}
json& pod_spec(json& objs) {
  return objs[0]["spec"]["template"]["spec"];
}
json& ctr(json& objs) {
  return pod_spec(objs)["containers"][0];
}

Collector run(const json& objects) {
  json list = {{"apiVersion", "v1"}, {"kind", "List"}, {"items", objects}};
  static std::vector<Inputs> keep;  // findings point into the inputs
  keep.push_back(testing::read_text(list.dump(2), "shop.json"));
  Collector c;
  check_pods(keep.back().objects, c);
  check_cluster(keep.back().objects, c);
  return c;
}

Ids raised(const json& objects) {
  return testing::ids(run(objects));
}

TEST(WorkloadTest, CatalogueHasAtLeast25DocumentedRules) {
  EXPECT_GE(rules().size(), 25u);
  for (const auto& r : rules()) {
    EXPECT_FALSE(r.title.empty()) << r.id;
    EXPECT_GT(r.why.size(), 40u) << r.id;
    EXPECT_FALSE(r.fix.empty()) << r.id;
  }
}

TEST(WorkloadTest, GoodShopRaisesNothing) {
  EXPECT_EQ(raised(good_objects()), Ids{});
}

TEST(WorkloadTest, ResourceRequestsAndLimits) {
  json o = good_objects();
  ctr(o)["resources"]["requests"].erase("cpu");
  ctr(o)["resources"]["limits"].erase("memory");
  EXPECT_EQ(raised(o), (Ids{"cpu-requests-missing", "memory-limits-missing"}));
  o = good_objects();
  ctr(o).erase("resources");
  EXPECT_EQ(raised(o), (Ids{"cpu-requests-missing", "memory-requests-missing", "cpu-limits-missing",
                            "memory-limits-missing", "ephemeral-storage-missing"}));
}

TEST(WorkloadTest, ProbesMissingAndIdentical) {
  json o = good_objects();
  ctr(o).erase("livenessProbe");
  EXPECT_EQ(raised(o), Ids{"liveness-probe-missing"});
  o = good_objects();
  ctr(o)["readinessProbe"] = ctr(o)["livenessProbe"];
  EXPECT_EQ(raised(o), Ids{"probes-identical"});
  o = good_objects();
  ctr(o).erase("readinessProbe");
  EXPECT_EQ(raised(o), Ids{"readiness-probe-missing"});
}

TEST(WorkloadTest, ImageTagsAndPullPolicy) {
  json o = good_objects();
  ctr(o)["image"] = "registry.local:5000/cart";  // the port is not a tag
  ctr(o).erase("imagePullPolicy");               // defaults to Always for untagged
  EXPECT_EQ(raised(o), Ids{"image-tag-mutable"});
  ctr(o)["image"] = "cart:latest";
  EXPECT_EQ(raised(o), Ids{"image-tag-mutable"});
  ctr(o)["image"] = "cart:1.0";  // defaults to IfNotPresent
  EXPECT_EQ(raised(o), Ids{"image-pull-policy"});
  ctr(o)["image"] = "cart@sha256:0123456789abcdef";
  ctr(o)["imagePullPolicy"] = "IfNotPresent";  // a digest cannot move
  EXPECT_EQ(raised(o), Ids{});
}

TEST(WorkloadTest, ServiceAccountTokenPodOrServiceAccount) {
  json o = good_objects();
  pod_spec(o).erase("automountServiceAccountToken");
  EXPECT_EQ(raised(o), Ids{"automount-service-account-token"});
  pod_spec(o)["serviceAccountName"] = "cart";
  o.push_back({{"apiVersion", "v1"},
               {"kind", "ServiceAccount"},
               {"metadata", {{"name", "cart"}, {"namespace", "shop"}}},
               {"automountServiceAccountToken", false}});
  EXPECT_EQ(raised(o), Ids{});
  pod_spec(o)["automountServiceAccountToken"] = true;  // the pod's own setting wins
  EXPECT_EQ(raised(o), Ids{"automount-service-account-token"});
}

TEST(WorkloadTest, RootFilesystemUidAndGroups) {
  json o = good_objects();
  ctr(o)["securityContext"]["readOnlyRootFilesystem"] = false;
  EXPECT_EQ(raised(o), Ids{"read-only-root-filesystem"});
  o = good_objects();
  ctr(o)["securityContext"]["runAsUser"] = 0;  // container overrides the pod's 10001
  EXPECT_EQ(raised(o), Ids{"run-as-root-uid"});
  o = good_objects();
  pod_spec(o)["securityContext"]["runAsUser"] = 1000;
  EXPECT_EQ(raised(o), Ids{"low-uid"});
  o = good_objects();
  pod_spec(o)["securityContext"]["fsGroup"] = 0;
  EXPECT_EQ(raised(o), Ids{"run-as-root-group"});
}

TEST(WorkloadTest, ReplicasPdbAndSpread) {
  json o = good_objects();
  deploy(o)["spec"].erase("replicas");
  EXPECT_EQ(raised(o), Ids{"replicas-too-few"});
  o = good_objects();
  o.erase(1);  // the PDB
  EXPECT_EQ(raised(o), Ids{"pdb-missing"});
  o = good_objects();
  o[1]["spec"]["selector"]["matchLabels"]["app"] = "kart";
  EXPECT_EQ(raised(o), Ids{"pdb-missing"});
  o = good_objects();
  o[1]["spec"]["maxUnavailable"] = 0;
  EXPECT_EQ(raised(o), Ids{"pdb-blocks-eviction"});
  o = good_objects();
  pod_spec(o).erase("topologySpreadConstraints");
  EXPECT_EQ(raised(o), Ids{"anti-affinity-missing"});
}

TEST(WorkloadTest, HpaManagedWorkloads) {
  json o = good_objects();
  o.push_back(json::parse(R"({"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler",
    "metadata":{"name":"cart","namespace":"shop"},
    "spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"cart"},
            "minReplicas":2,"maxReplicas":10}})"));
  EXPECT_EQ(raised(o), Ids{"hpa-replicas-set"});
  deploy(o)["spec"].erase("replicas");
  EXPECT_EQ(raised(o), Ids{});  // the HPA scales it: one replica in the manifest is fine
}

TEST(WorkloadTest, NetworkPolicyCoverageAcrossObjects) {
  json o = good_objects();
  o.erase(2);
  EXPECT_EQ(raised(o), Ids{"network-policy-missing"});
  o = good_objects();
  o[2]["metadata"]["namespace"] = "other";  // policies apply in their own namespace only
  EXPECT_EQ(raised(o), Ids{"network-policy-missing"});
  o = good_objects();
  o[2]["spec"].erase("policyTypes");
  o[2]["spec"].erase("egress");  // defaults to Ingress only
  EXPECT_EQ(raised(o), Ids{"network-policy-partial"});
  o = good_objects();
  o[2]["spec"]["podSelector"] = json::object();  // selects every pod in the namespace
  EXPECT_EQ(raised(o), Ids{});
  o = good_objects();
  o[2]["spec"]["podSelector"] = {{"matchLabels", {{"app", "kart"}}}};
  EXPECT_EQ(raised(o), (Ids{"network-policy-missing", "network-policy-orphan"}));
}

TEST(WorkloadTest, NetworkPolicyInAnotherFileCounts) {
  json o = good_objects();
  json policy = o[2];
  o.erase(2);
  Inputs in = testing::read_text(
      json({{"apiVersion", "v1"}, {"kind", "List"}, {"items", o}}).dump(), "a.json");
  add_stream(in, policy.dump(), "netpol.json");
  Collector c;
  check_cluster(in.objects, c);
  EXPECT_EQ(testing::ids(c), Ids{});
}

TEST(WorkloadTest, Services) {
  json o = good_objects();
  o[3]["spec"]["type"] = "NodePort";
  EXPECT_EQ(raised(o), Ids{"service-nodeport"});
  o[3]["spec"]["type"] = "LoadBalancer";
  EXPECT_EQ(raised(o), Ids{"service-loadbalancer-open"});
  o[3]["spec"]["loadBalancerSourceRanges"] = {"10.0.0.0/8"};
  EXPECT_EQ(raised(o), Ids{});
  o[3]["spec"]["selector"]["app"] = "kart";
  EXPECT_EQ(raised(o), Ids{"service-orphan"});
}

TEST(WorkloadTest, SecretsInEnvAndDuplicates) {
  json o = good_objects();
  ctr(o)["env"].push_back({{"name", "STRIPE_API_KEY"}, {"value", "sk_live_123"}});
  ctr(o)["env"].push_back({{"name", "LOG_LEVEL"}, {"value", "debug"}});
  EXPECT_EQ(raised(o), (Ids{"secret-in-env", "env-duplicate"}));
}

TEST(WorkloadTest, HostPortsDangerousVolumesAndCapabilities) {
  json o = good_objects();
  ctr(o)["ports"] = {{{"containerPort", 80}, {"hostPort", 80}}};
  EXPECT_EQ(raised(o), Ids{"host-port"});
  o = good_objects();
  pod_spec(o)["volumes"] = {{{"name", "sock"}, {"hostPath", {{"path", "/var/run/docker.sock"}}}},
                            {{"name", "data"}, {"hostPath", {{"path", "/srv/data"}}}}};
  Collector c = run(o);
  ASSERT_EQ(testing::ids(c), Ids{"dangerous-volume"});
  EXPECT_EQ(testing::find(c, "dangerous-volume")->hits.size(), 1u);  // /srv/data is not sensitive
  o = good_objects();
  pod_spec(o)["volumes"] = {{{"name", "g"}, {"gitRepo", {{"repository", "https://x"}}}}};
  EXPECT_EQ(raised(o), Ids{"dangerous-volume"});
  o = good_objects();
  ctr(o)["securityContext"]["capabilities"] = {{"add", {"cap_sys_admin"}}, {"drop", {"all"}}};
  EXPECT_EQ(raised(o), Ids{"dangerous-capabilities"});  // "all" drops all for the runtime
  ctr(o)["securityContext"]["capabilities"] = {{"drop", {"NET_RAW"}}};
  EXPECT_EQ(raised(o), Ids{"capabilities-not-dropped"});
}

TEST(WorkloadTest, RemovedApiVersionsAndCronJobDeadline) {
  Inputs in = testing::read_text(R"(
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: old}
spec: {tls: [{hosts: [a]}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 0 * * *"
  jobTemplate: {spec: {template: {spec: {containers: []}}}}
)");
  Collector c;
  check_pods(in.objects, c);
  check_cluster(in.objects, c);
  EXPECT_EQ(testing::ids(c, "Ingress/old"), Ids{"deprecated-api-version"});
  EXPECT_EQ(testing::ids(c, "CronJob/nightly"),
            (Ids{"cronjob-deadline", "network-policy-missing", "automount-service-account-token"}));
  EXPECT_NE(testing::find(c, "deprecated-api-version")->hits[0].what.find("networking.k8s.io/v1"),
            std::string::npos);
}

TEST(WorkloadTest, RbacIngressAndConfigMaps) {
  Inputs in = testing::read_text(R"(
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: ci}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{kind: ServiceAccount, name: ci, namespace: ci}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: debug, namespace: shop}
rules:
- {apiGroups: [""], resources: [pods/exec], verbs: [create]}
- {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: shop}
data: {db_password: hunter2, log_level: info}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: plain, namespace: shop}
spec: {rules: [{host: a}]}
)");
  Collector c;
  check_cluster(in.objects, c);
  EXPECT_EQ(testing::ids(c, "ClusterRoleBinding/ci"), Ids{"rbac-cluster-admin"});
  EXPECT_EQ(testing::ids(c, "Role/shop/debug"), (Ids{"rbac-exec-attach", "rbac-wildcard"}));
  EXPECT_EQ(testing::ids(c, "ConfigMap/shop/cfg"), Ids{"configmap-secret"});
  EXPECT_EQ(testing::ids(c, "Ingress/shop/plain"), Ids{"ingress-tls-missing"});
}

}  // namespace
}  // namespace tollgate::posture::workload
