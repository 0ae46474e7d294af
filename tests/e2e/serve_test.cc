// tollgate serve over a real run's .tollgate/: every page in a real browser (headless Chromium
// through the DevTools protocol), the JSON API, the security rules and the live log.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "pipeline_project.h"
#include "support/browser.h"
#include "support/http_test_server.h"
#include "support/server.h"
#include "util/files.h"

namespace tollgate::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The characters a job printed that must stay characters on the page.
const std::string kHostile = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>";

std::string budget_dir() {
  return (source_dir() / "src/budget/testdata").string();
}

// A pipeline with something on every page: a failed job printing markup, a container scanning
// report, a posture SARIF log, a budget verdict, a load run, a deployment and a masked variable.
void write_shop(PipelineProject& p, const std::string& target) {
  p.write(".gitlab-ci.yml", R"(stages: [build, scan, governance, deploy, performance]
variables:
  GREETING: hello
build:
  stage: build
  script:
    - printf '\033[1;32mcompiled\033[0m in %s\n' "1.2s"
    - echo "token is $API_TOKEN"
    - echo "Coverage 81.5%"
  coverage: '/Coverage (\d+\.\d+)%/'
hostile:
  stage: build
  script:
    - echo "<script>document.title='pwned'</script><img src=x onerror=alert(1)>"
    - exit 3
scan:
  stage: scan
  needs: [build]
  script:
    - tollgate scan rootfs "$ALPINE" --db "$VULN_DB" --format gitlab -o gl-container-scanning-report.json || test $? = 1
  artifacts:
    reports:
      container_scanning: gl-container-scanning-report.json
posture:
  stage: governance
  needs: []
  allow_failure: true
  script:
    - tollgate check posture k8s/ --report sarif=posture.sarif
  artifacts: {when: always, paths: [posture.sarif]}
budget:
  stage: governance
  needs: []
  script:
    - tollgate check budget --source "focus:$BUDGET_DATA/focus_mixed.csv" --budgets "$BUDGET_DATA/budgets.yaml" --as-of 2026-11-21T00:00:00Z --report json=budget.json || test $? = 1
  artifacts: {when: always, paths: [budget.json]}
deploy:
  stage: deploy
  needs: [scan]
  environment: {name: staging, url: "http://staging.test"}
  script: [echo deployed]
load:
  stage: performance
  needs: [deploy]
  script:
    - tollgate load scenario.yaml --json load.json
    - tollgate check slo slo.yaml --source load:load.json --no-record --report metrics=metrics.txt
  artifacts:
    when: always
    paths: [load.json]
    reports: {metrics: metrics.txt}
)");
  p.write("slo.yaml", R"(objectives:
  - {sli: p95_ms, pass: [{criteria: ["<2000"]}]}
  - {sli: error_rate, pass: [{criteria: ["<=0.01"]}]}
total_score: {pass: "90%"}
)");
  p.write(".tollgate/variables", "API_TOKEN: {value: hunter2-very-secret, masked: true}\n");
  p.write("k8s/app.yaml", R"(apiVersion: v1
kind: Pod
metadata: {name: app}
spec:
  containers:
    - name: app
      image: registry.test/app:1
      securityContext: {privileged: true}
)");
  p.write("scenario.yaml", "host: " + target + R"(
load: {users: 2, duration: 2s}
journeys: [{pacing: 50ms, requests: [{name: ok, path: /ok}]}]
thresholds:
  http_req_duration: ["p(95)<2000"]
)");
}

class Serve : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    target = new HttpTestServer;
    project = new PipelineProject;
    write_shop(*project, target->url());
    project->git_init();
    project->commit("shop");
    fs::path db = project->path() / "vulndb.sqlite";
    CommandResult imported = project->tollgate(
        "db import " + (source_dir() / "src/scan/testdata/osv").string() + " --db " + db.string());
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    run = new json(project->run_json(
        "--var ALPINE=" + (source_dir() / "src/scan/testdata/alpine-rootfs").string() +
            " --var VULN_DB=" + db.string() + " --var BUDGET_DATA=" + budget_dir(),
        1));
    port = free_port();
    server = new ServerProcess({tollgate_binary().string(), "serve", project->path().string(),
                                "--port", std::to_string(port)},
                               project->path() / "serve.log");
    server->wait_for_port(port);
  }
  static void TearDownTestSuite() {
    delete server;
    delete run;
    delete project;
    delete target;
  }

  static std::string url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port) + path;
  }
  static std::string run_path() { return "/runs/" + std::to_string((*run)["id"].get<int>()); }

  // The status and body of GET path (curl; --path-as-is keeps "..", as an attacker's would).
  static std::pair<int, std::string> get(const std::string& path, const std::string& flags = "") {
    CommandResult r = shell("curl -s --path-as-is " + flags +
                            " -o /dev/stdout -w '\\n%{http_code}' '" + url(path) + "'");
    while (!r.out.empty() && r.out.back() == '\n')
      r.out.pop_back();
    size_t nl = r.out.rfind('\n');
    return {std::stoi(r.out.substr(nl + 1)), r.out.substr(0, nl)};
  }

  // Saves the page the browser shows, for the docs and for a person to look at.
  static void screenshot(Browser& b, const std::string& name) {
    const char* dir = std::getenv("TOLLGATE_SCREENSHOT_DIR");
    fs::path out = dir ? fs::path(dir) : fs::current_path() / "serve-screenshots";
    fs::create_directories(out);
    b.screenshot(out / (name + ".png"));
  }

  static inline HttpTestServer* target = nullptr;
  static inline PipelineProject* project = nullptr;
  static inline json* run = nullptr;
  static inline int port = 0;
  static inline ServerProcess* server = nullptr;
};

TEST_F(Serve, PipelinesPageListsTheRunWithItsJobsByStatus) {
  Browser b;
  b.open(url("/"));
  EXPECT_EQ(b.eval("document.querySelector('tr[data-run] .status').dataset.status"), "failed");
  // build, scan, posture, budget, deploy, load succeeded (posture's failure is allowed, but
  // a failed job is still failed); hostile failed.
  EXPECT_EQ(b.eval("document.querySelector('[data-count-status=failed]').textContent"), "2 failed");
  EXPECT_EQ(b.eval("document.querySelector('[data-count-status=success]').textContent"),
            "5 success");
  screenshot(b, "pipelines");
}

TEST_F(Serve, RunPageDrawsEveryJobWithItsStatusAndTheNeedsArrows) {
  Browser b;
  b.open(url(run_path()));
  json jobs = b.eval(
      "[...document.querySelectorAll('svg.graph g.job')].map(g => [g.dataset.job, "
      "g.dataset.status])");
  EXPECT_EQ(jobs, json::parse(R"([["build","success"],["hostile","failed"],["scan","success"],
      ["posture","failed"],["budget","success"],["deploy","success"],["load","success"]])"));
  // needs: scan<-build, deploy<-scan, load<-deploy.
  EXPECT_EQ(b.eval("document.querySelectorAll('svg.graph path.need').length"), 3);
  // Stages are columns in the pipeline's order: build's box is left of scan's.
  EXPECT_EQ(b.eval("Number(document.querySelector('g[data-job=build] rect').getAttribute('x')) < "
                   "Number(document.querySelector('g[data-job=scan] rect').getAttribute('x'))"),
            true);
  std::string vars = b.eval("document.querySelector('table.variables').textContent");
  EXPECT_NE(vars.find("[MASKED]"), std::string::npos) << vars;
  EXPECT_EQ(vars.find("hunter2"), std::string::npos) << "the masked value never reaches a page";
  EXPECT_NE(b.eval("document.querySelector('table.reports').textContent")
                .get<std::string>()
                .find("container_scanning"),
            std::string::npos);
  screenshot(b, "run");
}

TEST_F(Serve, JobPageShowsTheLogWithCommandsColoursAndHostileTextAsText) {
  Browser b;
  b.open(url(run_path() + "/jobs/build"));
  EXPECT_EQ(b.eval("document.querySelector('#log .cmd').textContent.startsWith('$ printf')"), true);
  EXPECT_EQ(b.eval("document.querySelector('#log .fg2.b').textContent"), "compiled");
  EXPECT_EQ(b.eval("document.querySelector('#log').textContent.includes('token is [MASKED]')"),
            true);
  b.open(url(run_path() + "/jobs/hostile"));
  EXPECT_EQ(
      b.eval("document.querySelector('#log').textContent.includes(" + json(kHostile).dump() + ")"),
      true);
  EXPECT_EQ(b.eval("document.querySelectorAll('#log script, #log img, body img').length"), 0);
  EXPECT_NE(b.eval("document.title"), "pwned");
  EXPECT_EQ(b.eval("document.querySelector('#job-status').dataset.status"), "failed");
  screenshot(b, "job-log");
}

TEST_F(Serve, SecurityPageCountsTheFindingsPerSeverityAndFilters) {
  json report =
      json::parse(project->read(".tollgate/runs/" + std::to_string((*run)["id"].get<int>()) +
                                "/artifacts/scan/gl-container-scanning-report.json"));
  std::map<std::string, int> expected;
  for (const auto& v : report["vulnerabilities"]) {
    std::string s = v["severity"];
    std::transform(s.begin(), s.end(), s.begin(), ::tolower);
    ++expected[s];
  }
  ASSERT_FALSE(expected.empty()) << "the scan found nothing to show";
  Browser b;
  b.open(url("/security"));
  for (const auto& [severity, n] : expected)
    EXPECT_EQ(b.eval("document.querySelector('[data-severity=" + severity + "] .n').textContent"),
              std::to_string(n))
        << severity;
  EXPECT_EQ(b.eval("document.querySelectorAll('tr.vuln').length"),
            report["vulnerabilities"].size());
  // The posture SARIF: the privileged pod at its file and line.
  EXPECT_EQ(b.eval("[...document.querySelectorAll('tr.posture-finding')].some(r => "
                   "r.textContent.includes('k8s/app.yaml:8'))"),
            true);
  screenshot(b, "security");
  // A filter by the first severity shows exactly that many rows.
  auto [severity, n] = *expected.begin();
  b.open(url("/security?severity=" + severity));
  EXPECT_EQ(b.eval("document.querySelectorAll('tr.vuln').length"), n);
}

TEST_F(Serve, BudgetPerformanceAndEnvironmentPagesShowTheirGates) {
  Browser b;
  b.open(url("/budget"));
  EXPECT_GE(b.eval("document.querySelectorAll('h2.budget-name').length").get<int>(), 1);
  EXPECT_EQ(b.eval("document.querySelectorAll('svg.budget').length"),
            b.eval("document.querySelectorAll('h2.budget-name').length"));
  screenshot(b, "budget");
  b.open(url("/performance"));
  EXPECT_EQ(b.eval("document.querySelector('table.requests td').textContent"), "ok");
  EXPECT_GE(b.eval("document.querySelectorAll('svg.chart path.s0').length").get<int>(), 2)
      << "latency and throughput over the run";
  EXPECT_EQ(b.eval("document.querySelector('table.thresholds .status').dataset.status"), "pass");
  // The SLO evaluation of the run's metrics report: both objectives met, a score of 100.
  EXPECT_EQ(b.eval("document.querySelector('table.slo td.num').textContent"), "100.00");
  EXPECT_EQ(b.eval("document.querySelector('table.slo .status').dataset.status"), "pass");
  EXPECT_NE(
      b.eval("document.querySelector('table.slo').textContent").get<std::string>().find("p95_ms"),
      std::string::npos);
  screenshot(b, "performance");
  b.open(url("/environments"));
  EXPECT_EQ(b.eval("document.querySelector('h2.environment').dataset.environment"), "staging");
  EXPECT_NE(b.eval("document.querySelector('.release').textContent"), "");
  screenshot(b, "environments");
  // No page broke its own Content-Security-Policy.
  for (const auto& line : b.console())
    EXPECT_EQ(line.find("Content Security Policy"), std::string::npos) << line;
}

TEST_F(Serve, ApiAnswersWhatThePagesShow) {
  auto [status, body] = get("/api/runs?limit=1");
  ASSERT_EQ(status, 200) << body;
  json runs = json::parse(body);
  EXPECT_EQ(runs["total"], 1);
  EXPECT_EQ(runs["runs"][0]["jobs"]["failed"], 2);
  json r = json::parse(get("/api/runs/" + std::to_string((*run)["id"].get<int>())).second);
  EXPECT_EQ(
      r["stages"],
      json::parse(R"([".pre", "build", "scan", "governance", "deploy", "performance", ".post"])"));
  EXPECT_EQ((*find_job(r, "load"))["needs"], json::array({"deploy"}));
  EXPECT_EQ((*find_job(r, "build"))["coverage"], 81.5);
  EXPECT_FALSE(find_job(r, "load")->contains("coverage")) << "no coverage: regex, no figure";
  std::string log =
      get("/api/runs/" + std::to_string((*run)["id"].get<int>()) + "/jobs/hostile/log").second;
  EXPECT_NE(log.find(kHostile), std::string::npos) << "the raw log, as text/plain";
  json security = json::parse(get("/api/security").second);
  EXPECT_GT(security["vulnerabilities"].size(), 0u);
  json envs = json::parse(get("/api/environments").second);
  EXPECT_EQ(envs["environments"][0]["current"]["job"], "deploy");
  EXPECT_EQ(get("/api/runs?limit=zero").first, 400);
  EXPECT_EQ(get("/api/runs/999").first, 404);
}

TEST_F(Serve, NoPathLeadsOutOfTheStateDirectory) {
  std::string artifacts = run_path() + "/artifacts/";
  EXPECT_EQ(get(artifacts + "budget/budget.json").first, 200);
  fs::create_symlink("/etc/passwd", project->path() / (".tollgate/runs/" +
                                                       std::to_string((*run)["id"].get<int>()) +
                                                       "/artifacts/budget/passwd"));
  for (const std::string& attempt :
       {artifacts + "../../../../.gitlab-ci.yml", artifacts + "%2e%2e/%2e%2e/history.db",
        artifacts + "..%2f..%2f..%2f..%2f..%2fetc%2fpasswd", artifacts + "budget/passwd",
        std::string("/assets/../../etc/passwd"),
        run_path() + "/jobs/..%2f..%2f..%2fetc%2fpasswd"}) {
    auto [status, body] = get(attempt);
    EXPECT_TRUE(status == 400 || status == 404) << attempt << " -> " << status;
    EXPECT_EQ(body.find("root:"), std::string::npos) << attempt;
    EXPECT_EQ(body.find("stages:"), std::string::npos) << attempt;
  }
}

TEST_F(Serve, EveryResponseCarriesTheSecurityHeaders) {
  CommandResult r = shell("curl -s -D - -o /dev/null '" + url("/") + "'");
  EXPECT_NE(r.out.find("Content-Security-Policy: default-src 'none'; script-src 'self'"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("X-Content-Type-Options: nosniff"), std::string::npos) << r.out;
  // A job's HTML artifact is sandboxed: no script of its own runs on the dashboard's origin.
  r = shell("curl -s -D - -o /dev/null '" + url(run_path() + "/artifacts/budget/budget.json") +
            "'");
  EXPECT_NE(r.out.find("Content-Security-Policy: sandbox"), std::string::npos) << r.out;
  // Garbage is a 4xx, and the server stays up.
  CommandResult garbage = shell("exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(port) +
                                " && printf 'GARBAGE\\r\\n\\r\\n' >&3 && head -c 12 <&3");
  EXPECT_EQ(garbage.out.substr(0, 12), "HTTP/1.1 400") << garbage.out;
  EXPECT_EQ(get("/").first, 200);
}

TEST(ServeSecurity, ANonLoopbackBindNeedsATokenAndEveryRequestCarriesIt) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", "job: {script: [echo hi]}\n");
  ASSERT_EQ(p.tollgate("run").exit_code, 0);
  CommandResult refused = p.tollgate("serve --bind 0.0.0.0 --port 0");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--token"), std::string::npos) << refused.err;
  // A token a cookie cannot carry is refused at the start, not half-honoured.
  EXPECT_EQ(p.tollgate("serve --port 0 --token 'a;b'").exit_code, 2);
  int port = free_port();
  ServerProcess server({tollgate_binary().string(), "serve", p.path().string(), "--bind", "0.0.0.0",
                        "--port", std::to_string(port), "--token", "s3cret"},
                       p.path() / "serve.log");
  server.wait_for_port(port);
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  auto code = [&](const std::string& args) {
    std::string out = shell("curl -s -o /dev/null -w '%{http_code}' " + args).out;
    return out.substr(0, 3);
  };
  EXPECT_EQ(code(base + "/"), "401");
  EXPECT_EQ(code(base + "/api/runs"), "401");
  EXPECT_EQ(code("-H 'Authorization: Bearer wrong' " + base + "/"), "401");
  EXPECT_EQ(code("-H 'Authorization: Bearer s3cret' " + base + "/api/runs"), "200");
  // Given once in the address, the token is kept in a cookie for the pages that follow.
  std::string jar = (p.path() / "jar").string();
  EXPECT_EQ(code("-c " + jar + " '" + base + "/?token=s3cret'"), "200");
  EXPECT_EQ(code("-b " + jar + " " + base + "/runs/1"), "200");
  // A wrong token in the address sets no cookie, even beside a right bearer token.
  std::string other = (p.path() / "jar2").string();
  EXPECT_EQ(code("-c " + other + " -H 'Authorization: Bearer s3cret' '" + base + "/?token=x'"),
            "200");
  EXPECT_EQ(code("-b " + other + " " + base + "/runs/1"), "401");
}

// A trigger job's child pipeline is a run of its own: the parent's page links to it from the
// trigger job's row, its page names the parent, and the API says both.
TEST(ServeChildPipelines, TheParentLinksToItsChildAndTheChildNamesItsParent) {
  PipelineProject p;
  p.write("child.yml", "child-job:\n  script: [echo in the child]\n");
  p.write(".gitlab-ci.yml",
          "deploy:eu:\n  trigger:\n    include: child.yml\n    strategy: depend\n");
  json parent = p.run_json("--executor shell");
  int64_t parent_id = parent["id"].get<int64_t>();
  int port = free_port();
  ServerProcess server(
      {tollgate_binary().string(), "serve", p.path().string(), "--port", std::to_string(port)},
      p.path() / "serve.log");
  server.wait_for_port(port);
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  Browser b;
  b.open(base + "/");
  std::string child_row = b.eval("document.querySelector('tr[data-run]').textContent");
  EXPECT_NE(child_row.find("parent_pipeline of #" + std::to_string(parent_id)), std::string::npos)
      << "the newest run, the child, says whose it is: " << child_row;
  b.open(base + "/runs/" + std::to_string(parent_id));
  json link = b.eval("document.querySelector('tr[data-job=\"deploy:eu\"] a.downstream')?.href");
  ASSERT_TRUE(link.is_string()) << "the trigger job's row links to its child pipeline";
  b.open(link.get<std::string>());
  std::string meta = b.eval("document.querySelector('.meta-line').textContent");
  EXPECT_NE(meta.find("child of #" + std::to_string(parent_id) + " (deploy:eu)"), std::string::npos)
      << meta;
  EXPECT_EQ(b.eval("document.querySelector('tr[data-job=\"child-job\"] .status').dataset.status"),
            "success");
  json api = json::parse(shell("curl -s " + base + "/api/runs/" + std::to_string(parent_id)).out);
  ASSERT_EQ(api["children"].size(), 1u) << api.dump(1);
  EXPECT_EQ(api["children"][0]["job"], "deploy:eu");
  EXPECT_EQ(api["children"][0]["status"], "success");
  std::string child_id = std::to_string(api["children"][0]["run_id"].get<int64_t>());
  json child = json::parse(shell("curl -s " + base + "/api/runs/" + child_id).out);
  EXPECT_EQ(child["parent"], json({{"run_id", parent_id}, {"job", "deploy:eu"}}));
  EXPECT_EQ(child["source"], "parent_pipeline");
}

TEST(ServeLive, ARunningJobsLogFollowsWithoutAReload) {
  PipelineProject p;
  // The job prints its second line when the test says so (the file "go"), however slow the
  // machine is to start the server and the browser.
  fs::path go = p.path() / "go";
  p.write(".gitlab-ci.yml", R"(slow:
  script:
    - echo first line
    - for i in $(seq 600); do [ -e ')" +
                                go.string() + R"(' ] && break; sleep 0.1; done
    - echo second line
    - sleep 1
)");
  ServerProcess pipeline(
      {"bash", "-c",
       "cd '" + p.path().string() + "' && exec " + tollgate_binary().string() + " run"},
      p.path() / "run.log");
  // The job's log has its first line: the job runs.
  fs::path runs = p.path() / ".tollgate/runs";
  for (int i = 0;
       i < 100 && shell("grep -qs 'first line' " + runs.string() + "/*/slow.log").exit_code != 0;
       ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  int port = free_port();
  ServerProcess server(
      {tollgate_binary().string(), "serve", p.path().string(), "--port", std::to_string(port)},
      p.path() / "serve.log");
  server.wait_for_port(port);
  Browser b;
  std::string id = shell("ls " + runs.string() + " | sort -n | tail -1").out;
  id.erase(id.find_last_not_of("\n") + 1);
  b.open("http://127.0.0.1:" + std::to_string(port) + "/runs/" + id + "/jobs/slow");
  EXPECT_EQ(b.eval("document.querySelector('#job-status').dataset.status"), "running");
  EXPECT_EQ(b.eval("document.querySelector('#log').textContent.includes('first line')"), true);
  EXPECT_EQ(b.eval("document.querySelector('#log').textContent.includes('second line')"), false);
  p.write("go", "");
  EXPECT_TRUE(b.wait_for("document.querySelector('#log').textContent.includes('second line')",
                         std::chrono::seconds(15)));
  EXPECT_TRUE(b.wait_for("document.querySelector('#job-status').dataset.status === 'success'",
                         std::chrono::seconds(15)));
  // Still the same document: the lines came through the stream, not a reload.
  EXPECT_EQ(b.eval("performance.getEntriesByType('navigation').length"), 1);
  EXPECT_EQ(b.eval("[...document.querySelectorAll('#log .l')].filter(l => l.textContent === "
                   "'first line').length"),
            1)
      << "nothing was sent twice";
}

}  // namespace
}  // namespace tollgate::testing
