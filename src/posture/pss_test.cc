#include "posture/pss.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "posture/test_support.h"
#include "support/errors.h"

namespace tollgate::posture::pss {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testing::ids;
using Ids = std::set<std::string>;

// A pod that meets the restricted standard; each test breaks one control.
json good_pod() {
  return json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "p", "namespace": "ns"},
    "spec": {
      "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
      "containers": [{
        "name": "app", "image": "app:1.0",
        "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}
      }]
    }
  })");
}

json& ctr(json& pod, size_t i = 0) {
  return pod["spec"]["containers"][i];
}

Ids check_pod(const json& obj, Level level = Level::Restricted, int minor = kLatestMinor) {
  Inputs in = testing::read_text(obj.dump(2), "pod.json");
  Collector c;
  for (const auto& o : in.objects)
    check(o, {level, minor}, c);
  return ids(c);
}

TEST(PssTest, GoodPodPassesBothLevelsAtEveryVersion) {
  for (int minor : {0, 8, 19, 22, 25, 30, 34, 35, 36, 37}) {
    EXPECT_EQ(check_pod(good_pod(), Level::Restricted, minor), Ids{}) << minor;
    EXPECT_EQ(check_pod(good_pod(), Level::Baseline, minor), Ids{}) << minor;
  }
}

TEST(PssTest, RestrictedMustSetControlsFailOnAbsentFieldsButBaselinePasses) {
  json p = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"bare"},
                          "spec":{"containers":[{"name":"c","image":"x:1"}]}})");
  EXPECT_EQ(check_pod(p, Level::Baseline), Ids{});
  EXPECT_EQ(check_pod(p), (Ids{"allowPrivilegeEscalation", "capabilities_restricted",
                               "runAsNonRoot", "seccompProfile_restricted"}));
}

TEST(PssTest, HostNamespaces) {
  for (const char* key : {"hostNetwork", "hostPID", "hostIPC"}) {
    json p = good_pod();
    p["spec"][key] = true;
    EXPECT_EQ(check_pod(p, Level::Baseline), Ids{"hostNamespaces"}) << key;
    p["spec"][key] = false;
    EXPECT_EQ(check_pod(p, Level::Baseline), Ids{}) << key;
  }
}

// The apiserver reads these fields with go-yaml v2's resolver: every form it takes for true is a
// finding, and what it takes for a string is not a boolean at all.
TEST(PssTest, ReadsBooleansAsTheApiserverDoes) {
  for (const char* t : {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
                        "!!bool \"true\"", "!!bool 'y'"}) {
    std::string pod = std::string(R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostNetwork: )") + t +
                      R"(
  hostPID: )" + t + R"(
  hostIPC: )" + t + R"(
  containers: [{name: c, image: x, securityContext: {privileged: )" +
                      t + "}}]\n";
    Inputs in = testing::read_text(pod);
    Collector c;
    check(in.objects.at(0), {Level::Baseline, kLatestMinor}, c);
    EXPECT_EQ(ids(c), (Ids{"hostNamespaces", "privileged"})) << t;
  }
  for (const char* t : {"n", "N", "no", "Off", "FALSE", "\"true\"", "'y'", "yEs", "1"}) {
    std::string pod =
        std::string("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  ") + "hostPID: " + t +
        "\n  containers: [{name: c, image: x, securityContext: " + "{privileged: " + t + "}}]\n";
    Inputs in = testing::read_text(pod);
    Collector c;
    check(in.objects.at(0), {Level::Baseline, kLatestMinor}, c);
    EXPECT_EQ(ids(c), Ids{}) << t;
  }
  EXPECT_EQ(kubernetes_bool("y"), true);
  EXPECT_EQ(kubernetes_bool("N"), false);
  EXPECT_EQ(kubernetes_bool("yEs"), std::nullopt);
}

TEST(PssTest, PrivilegedInAnyContainerKind) {
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    json p = good_pod();
    json c = ctr(p);
    c["name"] = "other";
    c["securityContext"]["privileged"] = true;
    if (std::string(list) == "containers")
      p["spec"][list].push_back(c);
    else
      p["spec"][list] = json::array({c});
    EXPECT_EQ(check_pod(p), Ids{"privileged"}) << list;
  }
}

TEST(PssTest, CapabilitiesBaselineAllowListIsExact) {
  json p = good_pod();
  ctr(p)["securityContext"]["capabilities"] = {{"add", {"CHOWN", "NET_BIND_SERVICE", "KILL"}}};
  EXPECT_EQ(check_pod(p, Level::Baseline), Ids{});
  for (const char* bad : {"NET_RAW", "ALL", "SYS_ADMIN", "CAP_CHOWN", "chown"}) {
    ctr(p)["securityContext"]["capabilities"]["add"] = {bad};
    EXPECT_EQ(check_pod(p, Level::Baseline), Ids{"capabilities_baseline"}) << bad;
  }
}

// Kubernetes refuses a scalar where a list or a mapping belongs; read as "nothing there",
// `add: SYS_ADMIN` and `capabilities: SYS_ADMIN` passed both levels. Such a manifest is an input
// error (exit 2) naming the field.
TEST(PssTest, AListOrMappingWrittenAsAScalarIsAnErrorNamingItNotAPass) {
  auto error_of = [](const json& pod) {
    return tollgate::testing::error_message([&] { check_pod(pod, Level::Baseline); });
  };
  json p = good_pod();
  ctr(p)["securityContext"]["capabilities"]["add"] = "SYS_ADMIN";
  EXPECT_THAT(error_of(p),
              HasSubstr("capabilities.add must be a list, not the string 'SYS_ADMIN'"));
  p = good_pod();
  ctr(p)["ports"] = {{"containerPort", 80}, {"hostPort", 80}};
  EXPECT_THAT(error_of(p), HasSubstr("ports must be a list, not a mapping"));
  p = good_pod();
  p["spec"]["securityContext"]["sysctls"] = "kernel.msgmax=1";
  EXPECT_THAT(error_of(p), HasSubstr("sysctls must be a list, not the string"));
  // The same for a mapping written as a scalar.
  p = good_pod();
  ctr(p)["securityContext"]["capabilities"] = "SYS_ADMIN";
  EXPECT_THAT(error_of(p), HasSubstr("spec.containers[0].securityContext.capabilities must be a "
                                     "mapping, not the string 'SYS_ADMIN'"));
  p = good_pod();
  p["spec"]["securityContext"]["seLinuxOptions"] = "spc_t";
  EXPECT_THAT(error_of(p), HasSubstr("spec.securityContext.seLinuxOptions must be a mapping"));
}

TEST(PssTest, CapabilitiesRestrictedOverridesBaseline) {
  json p = good_pod();
  ctr(p)["securityContext"]["capabilities"]["add"] = {"NET_RAW"};
  EXPECT_EQ(check_pod(p), Ids{"capabilities_restricted"});
  ctr(p)["securityContext"]["capabilities"]["add"] = {"NET_BIND_SERVICE"};
  EXPECT_EQ(check_pod(p), Ids{});
  ctr(p)["securityContext"]["capabilities"]["add"] = {"CHOWN"};  // baseline ok, restricted not
  EXPECT_EQ(check_pod(p), Ids{"capabilities_restricted"});
  ctr(p)["securityContext"]["capabilities"] = {{"drop", {"all"}}};  // PSA: "all" is not ALL
  EXPECT_EQ(check_pod(p), Ids{"capabilities_restricted"});
  // Before v1.22 restricted had no capabilities check, so baseline's applies again.
  ctr(p)["securityContext"]["capabilities"] = {{"add", {"NET_RAW"}}};
  EXPECT_EQ(check_pod(p, Level::Restricted, 21), Ids{"capabilities_baseline"});
}

TEST(PssTest, HostPathVolumesAndRestrictedVolumes) {
  json p = good_pod();
  p["spec"]["volumes"] = {{{"name", "h"}, {"hostPath", {{"path", "/var/run/docker.sock"}}}}};
  EXPECT_EQ(check_pod(p, Level::Baseline), Ids{"hostPathVolumes"});
  EXPECT_EQ(check_pod(p), Ids{"restrictedVolumes"});  // one finding: restricted overrides
  p["spec"]["volumes"] = {{{"name", "n"}, {"nfs", {{"server", "x"}, {"path", "/"}}}}};
  EXPECT_EQ(check_pod(p, Level::Baseline), Ids{});
  EXPECT_EQ(check_pod(p), Ids{"restrictedVolumes"});
  for (const char* ok : {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
                         "persistentVolumeClaim", "projected", "secret"}) {
    p["spec"]["volumes"] = {{{"name", "v"}, {ok, json::object()}}};
    EXPECT_EQ(check_pod(p), Ids{}) << ok;
  }
  p["spec"]["volumes"] = {{{"name", "defaulted-to-emptydir"}}};
  EXPECT_EQ(check_pod(p), Ids{});
}

TEST(PssTest, HostPortsZeroIsAllowed) {
  json p = good_pod();
  ctr(p)["ports"] = {{{"containerPort", 80}, {"hostPort", 0}}};
  EXPECT_EQ(check_pod(p), Ids{});
  ctr(p)["ports"] = {{{"containerPort", 80}, {"hostPort", 8080}}};
  EXPECT_EQ(check_pod(p, Level::Baseline), Ids{"hostPorts"});
  json init = ctr(p);
  p["spec"]["initContainers"] = json::array({init});  // {init} alone is a copy under clang
  ctr(p).erase("ports");
  EXPECT_EQ(check_pod(p, Level::Baseline), Ids{"hostPorts"});  // init containers count
}

TEST(PssTest, HostProbesAndLifecycleSinceV134) {
  json p = good_pod();
  ctr(p)["livenessProbe"] = {{"httpGet", {{"host", "169.254.169.254"}, {"port", 80}}}};
  EXPECT_EQ(check_pod(p, Level::Baseline, 34), Ids{"hostProbesAndHostLifecycle"});
  EXPECT_EQ(check_pod(p, Level::Baseline, 33), Ids{});
  ctr(p)["livenessProbe"]["httpGet"]["host"] = "";
  EXPECT_EQ(check_pod(p, Level::Baseline), Ids{});
  ctr(p)["lifecycle"] = {{"preStop", {{"tcpSocket", {{"host", "10.0.0.1"}, {"port", 1}}}}}};
  EXPECT_EQ(check_pod(p, Level::Baseline), Ids{"hostProbesAndHostLifecycle"});
}

TEST(PssTest, AppArmorAnnotationsAndFields) {
  json p = good_pod();
  auto& ann = p["metadata"]["annotations"];
  ann["container.apparmor.security.beta.kubernetes.io/app"] = "runtime/default";
  EXPECT_EQ(check_pod(p), Ids{});
  ann["container.apparmor.security.beta.kubernetes.io/app"] = "localhost/custom";
  EXPECT_EQ(check_pod(p), Ids{});
  ann["container.apparmor.security.beta.kubernetes.io/app"] = "unconfined";
  EXPECT_EQ(check_pod(p, Level::Baseline), Ids{"appArmorProfile"});
  p = good_pod();
  p["spec"]["securityContext"]["appArmorProfile"] = {{"type", "Unconfined"}};
  EXPECT_EQ(check_pod(p, Level::Baseline), Ids{"appArmorProfile"});
  p["spec"]["securityContext"]["appArmorProfile"] = {{"type", "Localhost"}};
  ctr(p)["securityContext"]["appArmorProfile"] = {{"type", "Unconfined"}};
  EXPECT_EQ(check_pod(p, Level::Baseline), Ids{"appArmorProfile"});
}

TEST(PssTest, SeLinuxTypeUserRoleAndVersionedEngineType) {
  json p = good_pod();
  p["spec"]["securityContext"]["seLinuxOptions"] = {{"type", "container_t"}, {"level", "s0:c1"}};
  EXPECT_EQ(check_pod(p), Ids{});
  p["spec"]["securityContext"]["seLinuxOptions"] = {{"type", "container_engine_t"}};
  EXPECT_EQ(check_pod(p, Level::Baseline, 31), Ids{});
  EXPECT_EQ(check_pod(p, Level::Baseline, 30), Ids{"seLinuxOptions"});
  p["spec"]["securityContext"]["seLinuxOptions"] = {{"type", "spc_t"}};
  EXPECT_EQ(check_pod(p, Level::Baseline), Ids{"seLinuxOptions"});
  p["spec"]["securityContext"].erase("seLinuxOptions");
  ctr(p)["securityContext"]["seLinuxOptions"] = {{"user", "system_u"}};
  EXPECT_EQ(check_pod(p, Level::Baseline), Ids{"seLinuxOptions"});
  ctr(p)["securityContext"]["seLinuxOptions"] = {{"role", "system_r"}};
  EXPECT_EQ(check_pod(p, Level::Baseline), Ids{"seLinuxOptions"});
}

TEST(PssTest, ProcMountAndUserNamespaces) {
  json p = good_pod();
  ctr(p)["securityContext"]["procMount"] = "Default";
  EXPECT_EQ(check_pod(p), Ids{});
  ctr(p)["securityContext"]["procMount"] = "Unmasked";
  EXPECT_EQ(check_pod(p, Level::Baseline), Ids{"procMount"});
  EXPECT_EQ(check_pod(p), Ids{"procMount_restricted"});
  p["spec"]["hostUsers"] = false;
  EXPECT_EQ(check_pod(p, Level::Baseline, 35), Ids{});  // relaxed from v1.35
  EXPECT_EQ(check_pod(p, Level::Baseline, 34), Ids{"procMount"});
  EXPECT_EQ(check_pod(p, Level::Restricted, 35), Ids{"procMount_restricted"});  // never relaxed
  EXPECT_EQ(check_pod(p, Level::Restricted, 34), Ids{"procMount"});  // no restricted check yet
}

TEST(PssTest, SeccompBaselineFieldsAndPre119Annotations) {
  json p = good_pod();
  p["spec"]["securityContext"]["seccompProfile"]["type"] = "Unconfined";
  EXPECT_EQ(check_pod(p, Level::Baseline), Ids{"seccompProfile_baseline"});
  EXPECT_EQ(check_pod(p), Ids{"seccompProfile_restricted"});  // override: one finding
  EXPECT_EQ(check_pod(p, Level::Baseline, 18), Ids{});        // fields unchecked before 1.19
  p = good_pod();
  p["metadata"]["annotations"]["seccomp.security.alpha.kubernetes.io/pod"] = "unconfined";
  EXPECT_EQ(check_pod(p, Level::Baseline, 18), Ids{"seccompProfile_baseline"});
  EXPECT_EQ(check_pod(p, Level::Baseline, 19), Ids{});  // v1.19+ reads only the fields
  p["metadata"]["annotations"] = {
      {"container.seccomp.security.alpha.kubernetes.io/app", "docker/default"}};
  EXPECT_EQ(check_pod(p, Level::Baseline, 10), Ids{});
}

TEST(PssTest, SysctlsByVersion) {
  json p = good_pod();
  auto set = [&](const char* name) {
    p["spec"]["securityContext"]["sysctls"] = {{{"name", name}, {"value", "1"}}};
  };
  set("kernel.shm_rmid_forced");
  EXPECT_EQ(check_pod(p, Level::Baseline, 0), Ids{});
  set("net.ipv4.ip_local_reserved_ports");
  EXPECT_EQ(check_pod(p, Level::Baseline, 26), Ids{"sysctls"});
  EXPECT_EQ(check_pod(p, Level::Baseline, 27), Ids{});
  set("net.ipv4.tcp_keepalive_time");
  EXPECT_EQ(check_pod(p, Level::Baseline, 28), Ids{"sysctls"});
  EXPECT_EQ(check_pod(p, Level::Baseline, 29), Ids{});
  set("net.ipv4.tcp_rmem");
  EXPECT_EQ(check_pod(p, Level::Baseline, 31), Ids{"sysctls"});
  EXPECT_EQ(check_pod(p, Level::Baseline, 32), Ids{});
  set("net.ipv4.tcp_notsent_lowat");
  EXPECT_EQ(check_pod(p, Level::Baseline, 36), Ids{"sysctls"});
  EXPECT_EQ(check_pod(p, Level::Baseline, 37), Ids{});
  set("kernel.msgmax");
  EXPECT_EQ(check_pod(p, Level::Baseline), Ids{"sysctls"});
}

TEST(PssTest, WindowsHostProcess) {
  json p = good_pod();
  ctr(p)["securityContext"]["windowsOptions"] = {{"hostProcess", true}};
  EXPECT_EQ(check_pod(p, Level::Baseline), Ids{"windowsHostProcess"});
  p = good_pod();
  p["spec"]["securityContext"]["windowsOptions"] = {{"hostProcess", false}};
  EXPECT_EQ(check_pod(p), Ids{});
}

TEST(PssTest, AllowPrivilegeEscalationMustBeExplicitlyFalse) {
  json p = good_pod();
  ctr(p)["securityContext"].erase("allowPrivilegeEscalation");
  EXPECT_EQ(check_pod(p), Ids{"allowPrivilegeEscalation"});
  ctr(p)["securityContext"]["allowPrivilegeEscalation"] = true;
  EXPECT_EQ(check_pod(p), Ids{"allowPrivilegeEscalation"});
  EXPECT_EQ(check_pod(p, Level::Restricted, 7), Ids{});  // check exists from v1.8
}

TEST(PssTest, WindowsPodsExemptFromLinuxOnlyControlsSinceV125) {
  json p = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"w"},
      "spec":{"os":{"name":"windows"},"securityContext":{"runAsNonRoot":true},
              "containers":[{"name":"c","image":"x:1"}]}})");
  EXPECT_EQ(check_pod(p, Level::Restricted, 25), Ids{});
  EXPECT_EQ(
      check_pod(p, Level::Restricted, 24),
      (Ids{"allowPrivilegeEscalation", "capabilities_restricted", "seccompProfile_restricted"}));
  p["spec"]["securityContext"].erase("runAsNonRoot");  // not relaxed for Windows
  EXPECT_EQ(check_pod(p, Level::Restricted, 36), Ids{"runAsNonRoot"});
}

TEST(PssTest, RunAsNonRootPodOrEveryContainer) {
  json p = good_pod();
  p["spec"]["securityContext"].erase("runAsNonRoot");
  EXPECT_EQ(check_pod(p), Ids{"runAsNonRoot"});
  ctr(p)["securityContext"]["runAsNonRoot"] = true;
  EXPECT_EQ(check_pod(p), Ids{});
  ctr(p)["securityContext"]["runAsUser"] = 10001;  // a UID is not the promise PSA asks for
  ctr(p)["securityContext"].erase("runAsNonRoot");
  EXPECT_EQ(check_pod(p), Ids{"runAsNonRoot"});
  p = good_pod();
  ctr(p)["securityContext"]["runAsNonRoot"] = false;  // container beats pod
  EXPECT_EQ(check_pod(p), Ids{"runAsNonRoot"});
  p["spec"]["hostUsers"] = false;
  EXPECT_EQ(check_pod(p, Level::Restricted, 35), Ids{});
  EXPECT_EQ(check_pod(p, Level::Restricted, 34), Ids{"runAsNonRoot"});
}

TEST(PssTest, RunAsUserZeroSinceV123) {
  json p = good_pod();
  ctr(p)["securityContext"]["runAsUser"] = 0;
  EXPECT_EQ(check_pod(p), Ids{"runAsUser"});
  EXPECT_EQ(check_pod(p, Level::Restricted, 22), Ids{});
  EXPECT_EQ(check_pod(p, Level::Baseline), Ids{});
  p["spec"]["hostUsers"] = false;
  EXPECT_EQ(check_pod(p), Ids{});
}

TEST(PssTest, SeccompRestrictedContainerOverridesPod) {
  json p = good_pod();
  p["spec"]["securityContext"].erase("seccompProfile");
  EXPECT_EQ(check_pod(p), Ids{"seccompProfile_restricted"});
  ctr(p)["securityContext"]["seccompProfile"] = {{"type", "Localhost"}};
  EXPECT_EQ(check_pod(p), Ids{});
  p = good_pod();
  ctr(p)["securityContext"]["seccompProfile"] = {{"type", "Unconfined"}};
  EXPECT_EQ(check_pod(p), Ids{"seccompProfile_restricted"});
  EXPECT_EQ(check_pod(p, Level::Restricted, 18), Ids{});  // before 1.19: annotations only
}

TEST(PssTest, EveryWorkloadKindIsChecked) {
  const char* kinds = R"(
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec: {template: {spec: {hostIPC: true, containers: [{name: c, image: x}]}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: s}
spec: {template: {spec: {hostIPC: true, containers: [{name: c, image: x}]}}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds}
spec: {template: {spec: {hostIPC: true, containers: [{name: c, image: x}]}}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec: {template: {spec: {hostIPC: true, containers: [{name: c, image: x}]}}}
---
apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec: {template: {spec: {hostIPC: true, containers: [{name: c, image: x}]}}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: j}
spec: {template: {spec: {hostIPC: true, containers: [{name: c, image: x}]}}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj}
spec: {schedule: "* * * * *", jobTemplate: {spec: {template: {spec: {hostIPC: true, containers: [{name: c, image: x}]}}}}}
---
apiVersion: v1
kind: PodTemplate
metadata: {name: pt}
template: {spec: {hostIPC: true, containers: [{name: c, image: x}]}}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec: {ports: [{port: 80}]}
)";
  Inputs in = testing::read_text(kinds);
  Collector c;
  for (const auto& o : in.objects)
    check(o, {Level::Baseline, kLatestMinor}, c);
  std::set<std::string> subjects;
  for (const auto& r : c.raised())
    subjects.insert(r.subject.name);
  EXPECT_EQ(subjects, (Ids{"Deployment/d", "StatefulSet/s", "DaemonSet/ds", "ReplicaSet/rs",
                           "ReplicationController/rc", "Job/j", "CronJob/cj", "PodTemplate/pt"}));
  const Raised* cron = testing::find(c, "hostNamespaces");
  ASSERT_NE(cron, nullptr);
}

TEST(PssTest, FindingPointsAtTheOffendingFieldAndCronJobPath) {
  const char* text = R"(apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
  namespace: ops
spec:
  schedule: "0 0 * * *"
  jobTemplate:
    spec:
      template:
        metadata:
          annotations:
            container.apparmor.security.beta.kubernetes.io/c: unconfined
        spec:
          hostNetwork: true
          containers:
            - name: c
              image: x
)";
  Inputs in = testing::read_text(text, "cron.yaml");
  Collector c;
  check(in.objects.at(0), {Level::Baseline, kLatestMinor}, c);
  const Raised* ns = testing::find(c, "hostNamespaces");
  ASSERT_NE(ns, nullptr);
  EXPECT_EQ(ns->subject.name, "CronJob/ops/nightly");
  EXPECT_EQ(ns->hits.at(0).where.str(), "cron.yaml:15:11");
  EXPECT_EQ(ns->hits.at(0).what, "spec.jobTemplate.spec.template.spec.hostNetwork is true");
  const Raised* aa = testing::find(c, "appArmorProfile");
  ASSERT_NE(aa, nullptr);  // annotations come from the template's metadata
  EXPECT_EQ(aa->hits.at(0).where.line, 13);
}

TEST(PssTest, VersionAndLevelParsing) {
  EXPECT_EQ(parse_version("latest", "--pss-version"), kLatestMinor);
  EXPECT_EQ(parse_version("v1.30", "--pss-version"), 30);
  EXPECT_EQ(parse_version("1.25", "--pss-version"), 25);
  EXPECT_EQ(parse_version("v1.99", "--pss-version"), kNewestKnownMinor);
  EXPECT_THROW(parse_version("v2.0", "--pss-version"), UsageError);
  EXPECT_THROW(parse_version("v1.x", "--pss-version"), UsageError);
  EXPECT_THROW(parse_level("privileged", "--level"), UsageError);
  EXPECT_EQ(rules().size(), 19u);
}

}  // namespace
}  // namespace tollgate::posture::pss
