// tollgate check slo against the other sources: a Wavefront chart API answered by a local
// server in its format, a live process and cgroup, a load result; and the command's usage.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <thread>

#include "slo_support.h"
#include "util/files.h"

namespace tollgate::slo_e2e {
namespace {

namespace fs = std::filesystem;

std::string proc_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Blocks until the tollgate watching process:PID has taken its first reading of it: the run
// then sleeps until the next one (its main thread is in clock_nanosleep), and nothing before
// that sleeps. Gives up after 60 s.
void wait_until_watching(pid_t pid) {
  const std::string arg = "process:" + std::to_string(pid) + '\0';  // cmdline's separator
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
      std::string cmdline = proc_file(entry.path() / "cmdline");
      if (cmdline.find(arg) == std::string::npos || cmdline.find("tollgate") == std::string::npos)
        continue;
      std::string syscall = proc_file(entry.path() / "syscall");
      if (syscall.starts_with("230 ") || syscall.starts_with("35 ")) return;  // (clock_)nanosleep
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

class SloSources : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = std::make_unique<files::TempDir>("slo-src"); }
  fs::path path(const std::string& name) const { return dir_->path() / name; }
  std::unique_ptr<files::TempDir> dir_;
};

TEST_F(SloSources, WavefrontMillisecondsInSecondsOutStrictWindow) {
  ASSERT_TRUE(testing::have_program("python3")) << "python3 missing";
  int port = testing::free_port();
  fs::path log = path("requests.log");
  testing::ServerProcess server(
      {"python3", (testing::source_dir() / "src/slo/testdata/wavefront_server.py").string(),
       std::to_string(port), "secret-token", log.string()},
      path("server.log"));
  server.wait_for_port(port);
  write(path("sli.yaml"), R"(indicators:
  cpu: {query: 'ts(cpu.usage.percent, service="$service")', reduce: mean}
  cpu_max: {query: 'ts(cpu.usage.percent, service="$service")', reduce: max}
  nothing: {query: 'ts(nothing)', reduce: mean}
  broken: {query: 'bad(', reduce: mean}
)");
  write(path("slo.yaml"), R"(objectives:
  - {sli: cpu, pass: [{criteria: ["<=60"]}]}
  - {sli: cpu_max, pass: [{criteria: ["<=50"]}]}
total_score: {pass: "100%"}
)");
  std::string src = "wavefront:http://127.0.0.1:" + std::to_string(port);
  std::vector<std::string> args = {"slo.yaml",   "--source",   src,
                                   "--start",    "1700000000", "--end",
                                   "1700000600", "--label",    "service=front_end"};
  SloRun r = check_slo(dir_->path(), args, true, {"WAVEFRONT_TOKEN=secret-token"});
  ASSERT_EQ(r.exit_code, 0) << r.output << r.verdict.dump(2);
  // Points outside [start, end) are dropped: the mean of 10 points of 40 and 10 of 50.
  EXPECT_EQ(objective(r, "cpu")["value"], 45);
  EXPECT_EQ(objective(r, "cpu_max")["value"], 50);
  auto first = nlohmann::json::parse(str_first_line(read(log)));
  EXPECT_EQ(first["params"]["s"], "1700000000000");
  EXPECT_EQ(first["params"]["e"], "1700000600000");
  EXPECT_EQ(first["params"]["strict"], "true");
  EXPECT_EQ(first["params"]["q"], "ts(cpu.usage.percent, service=\"front_end\")");
  EXPECT_EQ(first["auth"], "Bearer secret-token");

  // No token in the environment: could not verify, and nothing was sent.
  r = check_slo(dir_->path(), args, true, {"WAVEFRONT_TOKEN="});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.verdict["reason"].get<std::string>().find("WAVEFRONT_TOKEN"), std::string::npos);
  r = check_slo(dir_->path(), args, true, {"WAVEFRONT_TOKEN=wrong"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.verdict["reason"].get<std::string>().find("HTTP 401: Unauthorized"),
            std::string::npos)
      << r.verdict["reason"];

  write(path("slo.yaml"),
        "objectives:\n  - {sli: nothing, pass: [{criteria: [\"<1\"]}]}\n"
        "total_score: {pass: 90}\n");
  r = check_slo(dir_->path(), args, true, {"WAVEFRONT_TOKEN=secret-token"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(r.verdict["findings"][0]["id"], "slo-no-data");
  write(path("slo.yaml"),
        "objectives:\n  - {sli: broken, pass: [{criteria: [\"<1\"]}]}\n"
        "total_score: {pass: 90}\n");
  r = check_slo(dir_->path(), args, true, {"WAVEFRONT_TOKEN=secret-token"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.verdict["reason"].get<std::string>().find("sli.yaml:5:"), std::string::npos)
      << r.verdict["reason"];
}

const char* kCpuSlo = R"(objectives:
  - {sli: cpu_percent, displayName: "CPU of front_end", pass: [{criteria: ["<=1"]}]}
  - {sli: memory_bytes, pass: [{criteria: [">0"]}]}
total_score: {pass: "100%"}
)";

TEST_F(SloSources, ProcessCpuOfABusyAndAnIdleProcess) {
  write(path("slo.yaml"), kCpuSlo);
  testing::ServerProcess busy({"sh", "-c", "while :; do :; done"}, path("busy.log"));
  testing::ServerProcess idle({"sleep", "60"}, path("idle.log"));
  SloRun r = check_slo(dir_->path(), {"slo.yaml", "--source",
                                      "process:" + std::to_string(busy.pid()), "--window", "2s"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  // A spinning shell keeps a core busy; the machine is shared, so only "clearly busy" is certain.
  EXPECT_GT(objective(r, "cpu_percent")["value"].get<double>(), 5) << r.verdict.dump(2);
  EXPECT_GT(objective(r, "memory_bytes")["value"].get<double>(), 0);
  r = check_slo(dir_->path(), {"slo.yaml", "--source", "process:" + std::to_string(idle.pid()),
                               "--window", "1s"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_LT(objective(r, "cpu_percent")["value"].get<double>(), 1);
}

TEST_F(SloSources, AProcessThatDiesOrNeverWasIsNeverAPass) {
  write(path("slo.yaml"), kCpuSlo);
  // The process ends once the run has read it for the first time: in the middle of the window,
  // however long the binary took to start (the sanitizer build starts much slower).
  testing::ServerProcess brief({"sleep", "60"}, path("brief.log"));
  const pid_t pid = brief.pid();
  std::thread ender([&] {
    wait_until_watching(pid);
    brief.stop();
  });
  SloRun r = check_slo(
      dir_->path(), {"slo.yaml", "--source", "process:" + std::to_string(pid), "--window", "2s"});
  ender.join();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(r.verdict["findings"][0]["id"], "slo-no-data");
  r = check_slo(
      dir_->path(),
      {"slo.yaml", "--source", "process:1", "--start", "1700000000", "--end", "1700000030"}, false);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("is sampled live"), std::string::npos) << r.output;
  r = check_slo(dir_->path(), {"slo.yaml", "--source", "process:999999999", "--window", "1s"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.verdict["reason"].get<std::string>().find("no such process"), std::string::npos);
}

TEST_F(SloSources, CgroupCpu) {
  std::string group;
  for (std::string candidate :
       {"/sys/fs/cgroup", "/sys/fs/cgroup/unified", "/sys/fs/cgroup/cpuacct"})
    if (fs::exists(candidate + "/cpu.stat") || fs::exists(candidate + "/cpuacct.usage")) {
      group = candidate;
      break;
    }
  ASSERT_FALSE(group.empty()) << "no readable cgroup CPU accounting here";
  write(path("slo.yaml"),
        "objectives:\n  - {sli: cpu_percent, pass: [{criteria: [\">0\"]}]}\n"
        "total_score: {pass: 90}\n");
  testing::ServerProcess busy({"sh", "-c", "while :; do :; done"}, path("busy.log"));
  SloRun r = check_slo(dir_->path(), {"slo.yaml", "--source", "cgroup:" + group, "--window", "1s"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_GT(objective(r, "cpu_percent")["value"].get<double>(), 5);
}

TEST_F(SloSources, LoadResultWithHistoryAndMetricsReport) {
  fs::path data = testing::source_dir() / "src/slo/testdata";
  std::vector<std::string> args = {(data / "load_slo.yaml").string(), "--source",
                                   "load:" + (data / "load_result.json").string(), "--history",
                                   path("h.db").string()};
  SloRun r = check_slo(dir_->path(), args, false);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("slo: WARNING"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("no history: relative criteria passed"), std::string::npos);
  args.insert(args.end(), {"--format", "metrics"});
  r = check_slo(dir_->path(), args, false);
  EXPECT_NE(r.output.find("slo_score_percent 75\n"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("slo_sli_requests_checkout_p95_ms 240\n"), std::string::npos);
  EXPECT_NE(r.output.find("# EOF\n"), std::string::npos);
  args.push_back("--fail-on-warning");
  r = check_slo(dir_->path(), args, false);
  EXPECT_EQ(r.exit_code, 1);
}

// The machine-readable outputs a pipeline consumes, all from one run (--report): JSON with every
// objective and the score, a JUnit case per objective for GitLab's test report, dotenv for later
// jobs' rules.
TEST_F(SloSources, JsonJunitAndDotenvCarryEveryObjective) {
  fs::path data = testing::source_dir() / "src/slo/testdata";
  std::vector<std::string> base = {(data / "load_slo.yaml").string(), "--source",
                                   "load:" + (data / "load_result.json").string(), "--no-record"};
  std::vector<std::string> args = base;
  args.insert(args.end(), {"--report", "junit=" + path("slo.xml").string(), "--report",
                           "dotenv=" + path("slo.env").string()});
  SloRun r = check_slo(dir_->path(), args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.verdict["status"], "pass");
  EXPECT_EQ(r.verdict["summary"]["result"], "warning");
  EXPECT_EQ(r.verdict["summary"]["score"], 75.0);
  EXPECT_EQ(r.verdict["summary"]["objectives"].size(), 4u);
  const auto& checkout = objective(r, "requests.checkout.p95_ms");
  EXPECT_EQ(checkout["value"], 240.0);
  EXPECT_EQ(checkout["result"], "warning");
  EXPECT_EQ(checkout["score"], 1.0);
  EXPECT_EQ(checkout["weight"], 2.0);
  EXPECT_EQ(checkout["pass"], nlohmann::json::parse(R"([["<200"]])"));

  std::string junit = read(path("slo.xml"));
  EXPECT_NE(junit.find(R"(<testsuite name="slo" tests="5" failures="0" errors="0">)"),
            std::string::npos)
      << junit;
  EXPECT_NE(junit.find(R"(<testcase classname="slo" name="Checkout P95">)"), std::string::npos);
  EXPECT_NE(junit.find("requests.checkout.p95_ms = 240: warning"), std::string::npos) << junit;
  std::string dotenv = read(path("slo.env"));
  EXPECT_NE(dotenv.find("TOLLGATE_SLO_STATUS=pass\n"), std::string::npos) << dotenv;
  EXPECT_NE(dotenv.find("TOLLGATE_SLO_RESULT=warning\n"), std::string::npos) << dotenv;
  EXPECT_NE(dotenv.find("TOLLGATE_SLO_SCORE=75.0\n"), std::string::npos) << dotenv;

  // With --fail-on-warning the warning objective and the total fail the JUnit report too.
  args = base;
  args.insert(args.end(), {"--fail-on-warning", "--format", "junit", "-o", path("f.xml").string()});
  r = check_slo(dir_->path(), args, false);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  junit = read(path("f.xml"));
  EXPECT_NE(junit.find(R"(tests="5" failures="2")"), std::string::npos) << junit;

  // A report spec that is not FORMAT=FILE, or names no format, is a usage error.
  args = base;
  args.insert(args.end(), {"--report", "junti=x.xml"});
  r = check_slo(dir_->path(), args, false);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("unknown format 'junti' (did you mean junit?)"), std::string::npos)
      << r.output;
}

TEST_F(SloSources, UsageMistakesExitTwoWithAMessage) {
  write(path("slo.yaml"), kCpuSlo);
  SloRun r = check_slo(dir_->path(), {"slo.yaml", "--source", "promethus:http://x"}, false);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("did you mean 'prometheus'?"), std::string::npos) << r.output;
  r = check_slo(
      dir_->path(),
      {"slo.yaml", "--source", "prometheus:http://127.0.0.1:1", "--window", "ten minutes"}, false);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--window 'ten minutes'"), std::string::npos) << r.output;
  r = check_slo(dir_->path(), {"slo.yaml", "--source", "prometheus:http://127.0.0.1:1"}, false);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("sli.yaml does not exist"), std::string::npos) << r.output;
  write(path("bad.yaml"),
        "objectives:\n  - sli: a\n    pass:\n      - criteria: [\"<=x\"]\n"
        "total_score: {pass: 90}\n");
  r = check_slo(dir_->path(), {"bad.yaml", "--source", "process:1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.verdict["status"], "error");
  EXPECT_NE(r.verdict["reason"].get<std::string>().find("bad.yaml:4:20: criterion '<=x'"),
            std::string::npos)
      << r.verdict["reason"];
  r = check_slo(dir_->path(), {"missing.yaml", "--source", "process:1"}, false);
  EXPECT_EQ(r.exit_code, 2);
  r = check_slo(dir_->path(), {"--help"}, false);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("Examples:"), std::string::npos);
}

}  // namespace
}  // namespace tollgate::slo_e2e

namespace tollgate::slo_e2e {
namespace {

TEST(SloLoad, AFailedLoadRunFailsTheEvaluationAsInKeptn) {
  files::TempDir dir("slo-load");
  fs::path data = testing::source_dir() / "src/slo/testdata";
  write(
      dir.path() / "slo.yaml",
      "objectives:\n  - {sli: p95_ms, pass: [{criteria: [\"<=200\"]}]}\ntotal_score: {pass: 90}\n");
  SloRun r = check_slo(
      dir.path(), {"slo.yaml", "--source", "load:" + (data / "load_result_failed.json").string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(r.verdict["summary"]["score"], 100);
  EXPECT_EQ(r.verdict["summary"]["result"], "fail");
  EXPECT_EQ(r.verdict["findings"][0]["id"], "slo-test-run-failed");
  EXPECT_NE(r.verdict["reason"].get<std::string>().find("p99_ms 310 > 300"), std::string::npos);
  r = check_slo(dir.path(),
                {"slo.yaml", "--source", "load:" + (data / "load_result.json").string()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(SloLoad, AnotherGatesVerdictIsNoLoadResult) {
  files::TempDir dir("slo-load");
  write(
      dir.path() / "slo.yaml",
      "objectives:\n  - {sli: p95_ms, pass: [{criteria: [\"<=200\"]}]}\ntotal_score: {pass: 90}\n");
  // A budget verdict whose summary happens to hold the figures the SLO asks for.
  write(dir.path() / "budget.json",
        R"({"gate": "budget", "status": "pass", "findings": [],
            "summary": {"overall": {"p95_ms": 1}, "requests": {}}})");
  SloRun r = check_slo(dir.path(), {"slo.yaml", "--source", "load:budget.json"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("not a tollgate load result"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace tollgate::slo_e2e

namespace tollgate::slo_e2e {
namespace {

// --baseline with another source: a spinning process judged against an idle one.
TEST(SloBaseline, ABusyProcessIsHigherThanAnIdleOne) {
  files::TempDir dir("slo-base");
  write(dir.path() / "slo.yaml",
        "objectives:\n  - {sli: cpu_percent, direction: increase, pass: "
        "[{criteria: [\"<=100\"]}]}\ntotal_score: {pass: 90}\n");
  testing::ServerProcess busy({"sh", "-c", "while :; do :; done"}, dir.path() / "busy.log");
  testing::ServerProcess idle({"sleep", "60"}, dir.path() / "idle.log");
  SloRun r = check_slo(
      dir.path(), {"slo.yaml", "--source", "process:" + std::to_string(busy.pid()), "--baseline",
                   "process:" + std::to_string(idle.pid()), "--window", "1s", "--no-record"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  const auto& m = r.verdict["summary"]["baseline"]["metrics"][0];
  EXPECT_EQ(m["judgement"], "high") << m.dump(2);
  EXPECT_GE(m["baseline_count"].get<int>(), 10);
  EXPECT_GT(m["shift"].get<double>(), 5);
  EXPECT_EQ(r.verdict["findings"][0]["id"], "slo-baseline-change");
  EXPECT_NE(r.verdict["summary"]["baseline"]["against"].get<std::string>().find(
                "process:" + std::to_string(idle.pid())),
            std::string::npos);
}

}  // namespace
}  // namespace tollgate::slo_e2e

namespace tollgate::slo_e2e {
namespace {

TEST(SloExamples, FrontEndCpuNeedsNoSliMapForAProcess) {
  files::TempDir dir("slo-example");
  testing::ServerProcess idle({"sleep", "60"}, dir.path() / "idle.log");
  SloRun r = check_slo(
      dir.path(), {(testing::source_dir() / "examples/slo/front-end-cpu.yaml").string(), "--source",
                   "process:" + std::to_string(idle.pid()), "--window", "1s", "--no-record"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(objective(r, "cpu_percent")["display_name"], "CPU of front_end");
}

}  // namespace
}  // namespace tollgate::slo_e2e
