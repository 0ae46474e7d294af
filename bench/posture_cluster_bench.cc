// check posture on a generated cluster dump: 10,000 workloads in about 30 MB of YAML.
// Prints the time of parsing the YAML alone beside the full check, as the floor the check
// cannot beat, and the same parse by libfyaml and yaml-cpp for the parser's ratio. No posture
// peer runs here: kube-score, Polaris and Checkov are not Debian packages.
#include <benchmark/benchmark.h>
#include <libfyaml.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <string>

#include "posture/gate.h"
#include "posture/reader.h"
#include "util/yaml_parse.h"

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

// Seconds per iteration (wall) of the parses measured so far in this run, for the ratios.
double g_parse_one_thread = 0, g_parse_all_cores = 0;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void report(benchmark::State& state, size_t bytes) {
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["workloads/s"] =
      benchmark::Counter(kWorkloads * state.iterations(), benchmark::Counter::kIsRate);
}

// The floor: turning the text into location-keeping trees (util/yaml_parse), nothing checked.
// Arg 0 parses on one thread, 1 cuts the stream at its documents and uses every core.
void BM_ParseOnly(benchmark::State& state) {
  const std::string& dump = cluster_dump();
  tollgate::yaml_parse::Options options;
  if (state.range(0) == 0) options.parallel_from = 0;
  auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    auto tree = tollgate::yaml_parse::parse(dump, "cluster.yaml", options);
    benchmark::DoNotOptimize(tree);
  }
  (state.range(0) == 0 ? g_parse_one_thread : g_parse_all_cores) =
      seconds_since(start) / static_cast<double>(state.iterations());
  report(state, dump.size());
}

// The same stream through libfyaml's document loader (one thread), the previous parser.
void BM_ParseLibfyaml(benchmark::State& state) {
  const std::string& dump = cluster_dump();
  auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    fy_parse_cfg cfg{};
    cfg.flags = static_cast<fy_parse_cfg_flags>(FYPCF_QUIET | FYPCF_RESOLVE_DOCUMENT);
    fy_parser* parser = fy_parser_create(&cfg);
    fy_parser_set_string(parser, dump.data(), dump.size());
    size_t documents = 0;
    while (fy_document* doc = fy_parse_load_document(parser)) {
      ++documents;
      fy_parse_document_destroy(parser, doc);
    }
    if (fy_parser_get_stream_error(parser)) state.SkipWithError("libfyaml failed");
    fy_parser_destroy(parser);
    benchmark::DoNotOptimize(documents);
  }
  // How many times longer than yaml_parse on one thread.
  state.counters["x_yaml_parse"] =
      seconds_since(start) / static_cast<double>(state.iterations()) / g_parse_one_thread;
  report(state, dump.size());
}

// And through yaml-cpp (one thread), the library util/yaml read pipelines with before it.
void BM_ParseYamlCpp(benchmark::State& state) {
  const std::string& dump = cluster_dump();
  auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    auto docs = YAML::LoadAll(dump);
    benchmark::DoNotOptimize(docs);
  }
  state.counters["x_yaml_parse"] =
      seconds_since(start) / static_cast<double>(state.iterations()) / g_parse_one_thread;
  report(state, dump.size());
}

void BM_CheckPosture(benchmark::State& state) {
  const std::string& dump = cluster_dump();
  size_t findings = 0;
  auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    tollgate::posture::Inputs in;
    tollgate::posture::add_stream(in, dump, "cluster.yaml");  // a copy, as a file read makes
    tollgate::posture::Options options;
    options.today = "2026-01-01";
    findings = tollgate::posture::evaluate(in, options).findings.size();
  }
  state.SetBytesProcessed(state.iterations() * dump.size());
  state.counters["workloads/s"] =
      benchmark::Counter(kWorkloads * state.iterations(), benchmark::Counter::kIsRate);
  state.counters["findings"] = static_cast<double>(findings);
  // The whole check against its floor, the parse alone (both on every core).
  state.counters["x_floor"] =
      seconds_since(start) / static_cast<double>(state.iterations()) / g_parse_all_cores;
  state.counters["MB"] = static_cast<double>(dump.size()) / 1e6;
}

BENCHMARK(BM_ParseOnly)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->MeasureProcessCPUTime()
    ->UseRealTime();
BENCHMARK(BM_ParseLibfyaml)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
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
