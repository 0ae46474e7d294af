// tollgate serve's server time, Site::handle with no socket in between, on a generated history:
// 10,000 runs (the pipelines page and /api/runs), a run of 200 jobs (its graph) and a run whose
// six images have 5,000 findings (the security page, parsed once and then from the cache, as
// a served page is). No dashboard peer reads this history, so each figure is printed against
// the target: of_target = time / target (under 1 meets it).
#include <benchmark/benchmark.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

#include "history/runs.h"
#include "util/files.h"
#include "web/site.h"

namespace {

namespace fs = std::filesystem;
using tollgate::history::JobRecord;
using tollgate::history::RunRecord;
using tollgate::history::RunStore;
using tollgate::web::Request;
using tollgate::web::Site;

constexpr int kRuns = 10'000;
constexpr int kGraphRun = kRuns - 1;  // the run with 200 jobs
constexpr int kSecurityRun = kRuns;   // the newest: the security page's default
const char* kStages[] = {"build", "test", "scan", "deploy", "verify"};

JobRecord job(const std::string& name, const std::string& stage, int position) {
  JobRecord j{name, stage, position % 17 == 0 ? "failed" : "success"};
  j.position = position;
  j.duration_s = 1.5 + position % 7;
  j.started_at = "2026-12-01T10:00:00.000Z";
  j.log = ".tollgate/runs/1/" + name + ".log";
  return j;
}

std::vector<JobRecord> jobs_of(int64_t run, int count) {
  std::vector<JobRecord> out;
  for (int i = 0; i < count; ++i) {
    JobRecord j = job("job-" + std::to_string(i), kStages[i * 5 / count], i);
    if (i >= count / 5) j.needs = {"job-" + std::to_string(i - count / 5)};
    if (run == kSecurityRun && i < 6)
      j.reports = {{"container_scanning", ".tollgate/runs/" + std::to_string(run) + "/artifacts/" +
                                              j.name + "/gl-cs.json"}};
    out.push_back(std::move(j));
  }
  return out;
}

// One image's GitLab container scanning report with n findings.
nlohmann::json scan_report(int image, int n) {
  const char* severities[] = {"Critical", "High", "Medium", "Low", "Unknown"};
  nlohmann::json vulns = nlohmann::json::array();
  for (int i = 0; i < n; ++i) {
    std::string cve = "CVE-2026-" + std::to_string(10000 + image * 1000 + i);
    vulns.push_back(
        {{"id", cve + "-" + std::to_string(image)},
         {"name", cve + " in libpkg" + std::to_string(i % 300)},
         {"description", "installed 1.2." + std::to_string(i) + "; fixed in 1.3: a flaw"},
         {"severity", severities[i % 5]},
         {"solution", i % 3 ? "upgrade pkg to 1.3." + std::to_string(i) + " or later" : "no fix"},
         {"identifiers",
          {{{"type", "cve"},
            {"name", cve},
            {"value", cve},
            {"url", "https://nvd.nist.gov/vuln/detail/" + cve}}}},
         {"location",
          {{"dependency",
            {{"package", {{"name", "libpkg" + std::to_string(i % 300)}}},
             {"version", "1.2." + std::to_string(i)}}},
           {"operating_system", "debian 12"},
           {"image", "registry.test/shop/svc" + std::to_string(image) + ":1.0"}}}});
  }
  return {{"version", "15.0.7"},
          {"scan", {{"type", "container_scanning"}, {"status", "success"}}},
          {"vulnerabilities", vulns}};
}

fs::path make_project() {
  static tollgate::files::TempDir dir("serve-bench");
  tollgate::db::Database db(dir.path() / ".tollgate/history.db");
  RunStore store(db);
  for (int r = 1; r <= kRuns; ++r) {
    RunRecord run{0, ".gitlab-ci.yml", dir.path().string(), "0123456789abcdef", "main"};
    run.started_at = "2026-12-01T10:00:00.000Z";
    run.stages = {"build", "test", "scan", "deploy", "verify"};
    run.id = store.begin_run(run);
    store.record_jobs(run.id, jobs_of(run.id, run.id == kGraphRun ? 200 : 10));
  }
  for (int image = 0; image < 6; ++image) {
    fs::path at = dir.path() / ".tollgate/runs" / std::to_string(kSecurityRun) / "artifacts" /
                  ("job-" + std::to_string(image));
    fs::create_directories(at);
    std::ofstream(at / "gl-cs.json") << scan_report(image, image < 2 ? 834 : 833).dump();
  }
  return dir.path();
}

Site& site() {
  static fs::path project = make_project();
  static Site s(project);
  return s;
}

void serve(benchmark::State& state, const std::string& path, double target_ms) {
  Site& s = site();
  Request request{path, {}};
  size_t bytes = s.handle(request).body.size();  // the first answer fills the caches
  auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    auto response = s.handle(request);
    if (response.status != 200)
      state.SkipWithError(("status " + std::to_string(response.status)).c_str());
    benchmark::DoNotOptimize(response.body.data());
  }
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() /
      static_cast<double>(state.iterations());
  state.counters["ms"] = ms;
  state.counters["target_ms"] = target_ms;
  state.counters["of_target"] = ms / target_ms;
  state.counters["body_kb"] = static_cast<double>(bytes) / 1024;
}

void BM_PipelinesPage(benchmark::State& state) {
  serve(state, "/", 20);
}
void BM_ApiRuns(benchmark::State& state) {
  serve(state, "/api/runs", 20);
}
void BM_RunGraph200Jobs(benchmark::State& state) {
  serve(state, "/runs/" + std::to_string(kGraphRun), 50);
}
void BM_SecurityPage5000Findings(benchmark::State& state) {
  serve(state, "/security", 100);
}
void BM_ApiSecurity5000Findings(benchmark::State& state) {
  serve(state, "/api/security", 100);
}

#define SERVE_BENCH(fn) \
  BENCHMARK(fn)->Unit(benchmark::kMillisecond)->Repetitions(5)->ReportAggregatesOnly(true)
SERVE_BENCH(BM_PipelinesPage);
SERVE_BENCH(BM_ApiRuns);
SERVE_BENCH(BM_RunGraph200Jobs);
SERVE_BENCH(BM_SecurityPage5000Findings);
SERVE_BENCH(BM_ApiSecurity5000Findings);

}  // namespace
