// check posture on a generated cluster dump: 10,000 workloads in about 30 MB of YAML.
// Prints the time of parsing the YAML alone beside the full check, as the floor the check
// cannot beat. No peer runs here: kube-score, Polaris and Checkov are not Debian packages.
#include <benchmark/benchmark.h>

#include <string>

#include "posture/fast_yaml.h"
#include "posture/gate.h"
#include "posture/reader.h"
#include "util/yaml.h"

namespace {

constexpr int kWorkloads = 10'000;
constexpr int kNamespaces = 100;

// One Deployment as teams write them: labels, probes, resources, env, volumes. Every third
// one breaks a few rules so the check has findings to build.
std::string deployment(int i) {
  std::string ns = "team-" + std::to_string(i % kNamespaces);
  std::string name = "svc-" + std::to_string(i);
  bool bad = i % 3 == 0;
  std::string y;
  y += "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + name +
       "\n  namespace: " + ns + "\n  labels:\n    app: " + name + "\n    team: " + ns +
       "\n    app.kubernetes.io/part-of: shop\n    app.kubernetes.io/version: \"1." +
       std::to_string(i % 50) + ".0\"\n  annotations:\n    deployment.kubernetes.io/revision: \"" +
       std::to_string(i % 7 + 1) +
       "\"\n    owner: platform@example.com\nspec:\n  replicas: " + (bad ? "1" : "3") +
       "\n  revisionHistoryLimit: 5\n  selector:\n    matchLabels:\n      app: " + name +
       "\n  strategy:\n    type: RollingUpdate\n    rollingUpdate: {maxSurge: 1, maxUnavailable: "
       "0}\n"
       "  template:\n    metadata:\n      labels:\n        app: " +
       name + "\n        team: " + ns +
       "\n      annotations:\n        prometheus.io/scrape: \"true\"\n        prometheus.io/port: "
       "\"9090\"\n"
       "    spec:\n      automountServiceAccountToken: false\n      serviceAccountName: " +
       name +
       "\n      securityContext:\n        runAsNonRoot: true\n        runAsUser: 10001\n"
       "        runAsGroup: 10001\n        fsGroup: 10001\n        seccompProfile:\n          "
       "type: RuntimeDefault\n";
  if (bad) y += "      hostNetwork: true\n";
  y += "      topologySpreadConstraints:\n        - maxSkew: 1\n          topologyKey: "
       "kubernetes.io/hostname\n"
       "          whenUnsatisfiable: ScheduleAnyway\n          labelSelector:\n            "
       "matchLabels:\n"
       "              app: " +
       name + "\n      containers:\n";
  for (const char* c : {"app", "sidecar"}) {
    if (i % 2 == 1 && std::string(c) == "sidecar") continue;  // half the pods have a sidecar
    y += "        - name: " + std::string(c) + "\n          image: registry.example.com/" + ns +
         "/" + name + (bad ? ":latest" : ":1.4." + std::to_string(i % 10)) +
         "\n          imagePullPolicy: Always\n          ports:\n            - name: http\n"
         "              containerPort: 8080\n              protocol: TCP\n            - name: "
         "metrics\n"
         "              containerPort: 9090\n              protocol: TCP\n          env:\n"
         "            - name: LOG_LEVEL\n              value: info\n            - name: "
         "SERVICE_NAME\n"
         "              value: " +
         name +
         "\n            - name: DB_PASSWORD\n              valueFrom:\n"
         "                secretKeyRef: {name: " +
         name +
         "-db, key: password}\n"
         "            - name: POD_IP\n              valueFrom:\n                fieldRef: "
         "{fieldPath: status.podIP}\n"
         "          resources:\n            requests: {cpu: 100m, memory: 128Mi, "
         "ephemeral-storage: 100Mi}\n"
         "            limits: {cpu: 500m, memory: 256Mi, ephemeral-storage: 1Gi}\n"
         "          livenessProbe:\n            httpGet: {path: /healthz, port: 8080}\n"
         "            initialDelaySeconds: 10\n            periodSeconds: 10\n"
         "          readinessProbe:\n            httpGet: {path: /ready, port: 8080}\n            "
         "periodSeconds: 5\n"
         "          volumeMounts:\n            - {name: tmp, mountPath: /tmp}\n            - "
         "{name: config, mountPath: /etc/app}\n"
         "          securityContext:\n            allowPrivilegeEscalation: false\n"
         "            readOnlyRootFilesystem: true\n            capabilities:\n              drop: "
         "[ALL]\n";
  }
  y += "      volumes:\n        - name: tmp\n          emptyDir: {}\n        - name: config\n"
       "          configMap:\n            name: " +
       name + "-config\n";
  return y;
}

const std::string& cluster_dump() {
  static const std::string dump = [] {
    std::string s;
    for (int n = 0; n < kNamespaces; ++n)
      s += "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: "
           "default-deny\n"
           "  namespace: team-" +
           std::to_string(n) + "\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n";
    for (int i = 0; i < kWorkloads; ++i) {
      s += deployment(i);
      std::string name = "svc-" + std::to_string(i), ns = "team-" + std::to_string(i % kNamespaces);
      s += "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: " + name +
           "\n  namespace: " + ns +
           "\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app: " + name + "\n";
    }
    return s;
  }();
  return dump;
}

// The floor: turning the text into location-keeping trees, nothing checked.
void BM_ParseOnly(benchmark::State& state) {
  const std::string& dump = cluster_dump();
  for (auto _ : state) {
    auto docs = tollgate::posture::load_all_fast(dump, "cluster.yaml");
    benchmark::DoNotOptimize(docs);
  }
  state.SetBytesProcessed(state.iterations() * dump.size());
  state.counters["workloads/s"] =
      benchmark::Counter(kWorkloads * state.iterations(), benchmark::Counter::kIsRate);
}

// The same parse through util/yaml (yaml-cpp), for the choice of parser.
void BM_ParseYamlCpp(benchmark::State& state) {
  const std::string& dump = cluster_dump();
  for (auto _ : state) {
    auto docs = tollgate::yaml::load_all(dump, "cluster.yaml");
    benchmark::DoNotOptimize(docs);
  }
  state.SetBytesProcessed(state.iterations() * dump.size());
  state.counters["workloads/s"] =
      benchmark::Counter(kWorkloads * state.iterations(), benchmark::Counter::kIsRate);
}

void BM_CheckPosture(benchmark::State& state) {
  const std::string& dump = cluster_dump();
  size_t findings = 0;
  for (auto _ : state) {
    tollgate::posture::Inputs in;
    tollgate::posture::add_stream(in, dump, "cluster.yaml");
    tollgate::posture::Options options;
    options.today = "2026-01-01";
    findings = tollgate::posture::evaluate(in, options).findings.size();
  }
  state.SetBytesProcessed(state.iterations() * dump.size());
  state.counters["workloads/s"] =
      benchmark::Counter(kWorkloads * state.iterations(), benchmark::Counter::kIsRate);
  state.counters["findings"] = static_cast<double>(findings);
  state.counters["MB"] = static_cast<double>(dump.size()) / 1e6;
}

BENCHMARK(BM_ParseOnly)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->MeasureProcessCPUTime()
    ->UseRealTime();
BENCHMARK(BM_ParseYamlCpp)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->MeasureProcessCPUTime()
    ->UseRealTime();
BENCHMARK(BM_CheckPosture)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

}  // namespace
