// tollgate check slo against a real Prometheus holding data this test backfilled with promtool.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "slo_support.h"
#include "util/error.h"
#include "util/files.h"
#include "util/http.h"

namespace tollgate::slo_e2e {
namespace {

namespace fs = std::filesystem;

// Two hours of latency_ms{job="cart"} every 15 s: 100..104 in the first hour (the release
// before), 150..154 in the second (the release under test); a counter pair for an error rate.
class Prometheus : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::have_program("prometheus") || !testing::have_program("promtool")) return;
    dir_ = new files::TempDir("slo-prom");
    long now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    t0_ = (now / 60) * 60 - 3 * 3600;
    std::string om = "# TYPE latency_ms gauge\n";
    for (int i = 0; i < 480; ++i)
      om += "latency_ms{job=\"cart\"} " + std::to_string((i < 240 ? 100 : 150) + i % 5) + " " +
            std::to_string(t0_ + 15 * i) + "\n";
    om += "# TYPE requests counter\n";
    for (int i = 0; i < 480; ++i)
      om += "requests_total{job=\"cart\",code=\"200\"} " + std::to_string(99 * i) + " " +
            std::to_string(t0_ + 15 * i) + "\n";
    for (int i = 0; i < 480; ++i)
      om += "requests_total{job=\"cart\",code=\"500\"} " + std::to_string(i) + " " +
            std::to_string(t0_ + 15 * i) + "\n";
    om += "# EOF\n";
    fs::path d = dir_->path();
    write(d / "data.om", om);
    auto backfill = process::run_capture(
        process::Command({"promtool", "tsdb", "create-blocks-from", "openmetrics",
                          (d / "data.om").string(), (d / "tsdb").string()}));
    ASSERT_TRUE(backfill.outcome.ok()) << backfill.output;
    write(d / "prometheus.yml", "global: {scrape_interval: 1h}\nscrape_configs: []\n");
    port_ = testing::free_port();
    server_ = new testing::ServerProcess(
        {"prometheus", "--config.file=" + (d / "prometheus.yml").string(),
         "--storage.tsdb.path=" + (d / "tsdb").string(),
         "--web.listen-address=127.0.0.1:" + std::to_string(port_)},
        d / "prometheus.log");
    server_->wait_for_port(port_);
    for (int i = 0; i < 100; ++i) {
      try {
        if (http::get(url() + "/-/ready").status == 200) break;
      } catch (const Error&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
    server_ = nullptr;
    dir_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(server_) << "prometheus is not installed (scripts/install-deps.sh installs it)";
    work_ = std::make_unique<files::TempDir>("slo-work");
  }

  static std::string url() { return "http://127.0.0.1:" + std::to_string(port_); }
  static std::string at(long offset) { return std::to_string(t0_ + offset); }
  fs::path path(const std::string& name) const { return work_->path() / name; }

  // The second hour: the window under test. Its left edge holds the first 150 sample.
  std::vector<std::string> second_hour(std::vector<std::string> args) const {
    args.insert(args.end(), {"--source", "prometheus:" + url(), "--start", at(3600), "--end",
                             at(7200 - 15), "--history", path("history.db").string()});
    return args;
  }

  static inline files::TempDir* dir_ = nullptr;
  static inline testing::ServerProcess* server_ = nullptr;
  static inline int port_ = 0;
  static inline long t0_ = 0;
  std::unique_ptr<files::TempDir> work_;
};

const char* kSli = R"(spec_version: "1.0"
indicators:
  latency_max: max_over_time(latency_ms{job="$service"}[$DURATION_SECONDS])
  latency_min: min_over_time(latency_ms{job="$service"}[$DURATION_SECONDS])
  latency_series: {query: 'latency_ms{job="$service"}', type: range, step: 15s, reduce: mean}
  error_rate: sum(increase(requests_total{job="$service",code="500"}[$DURATION_SECONDS])) / sum(increase(requests_total{job="$service"}[$DURATION_SECONDS]))
  missing: latency_ms{job="nobody"}
  all_requests: requests_total
  broken: rate(latency_ms{job="$service"}[5m]
)";

TEST_F(Prometheus, InstantAndRangeQueriesGiveTheBackfilledValues) {
  write(path("sli.yaml"), kSli);
  write(path("slo.yaml"), R"(filter: {service: cart}
objectives:
  - {sli: latency_max, pass: [{criteria: ["<=154"]}]}
  - {sli: latency_min, pass: [{criteria: [">=150"]}]}
  - {sli: latency_series, pass: [{criteria: ["<200"]}]}
  - {sli: error_rate, key_sli: true, pass: [{criteria: ["<=0.01"]}]}
total_score: {pass: "100%"}
)");
  SloRun r = check_slo(work_->path(), second_hour({"slo.yaml"}));
  ASSERT_EQ(r.exit_code, 0) << r.output << r.verdict.dump(2);
  EXPECT_EQ(r.verdict["status"], "pass");
  EXPECT_EQ(objective(r, "latency_max")["value"], 154);
  EXPECT_EQ(objective(r, "latency_min")["value"], 150);
  // 240 points of 150..154 repeating: the mean is exactly 152.
  EXPECT_DOUBLE_EQ(objective(r, "latency_series")["value"].get<double>(), 152);
  // 1 error per 99 successes.
  EXPECT_NEAR(objective(r, "error_rate")["value"].get<double>(), 0.01, 1e-9);
  EXPECT_EQ(objective(r, "latency_max")["query"], "max_over_time(latency_ms{job=\"cart\"}[3585s])");
}

TEST_F(Prometheus, BreachedObjectiveFailsWithAFinding) {
  write(path("sli.yaml"), kSli);
  write(path("slo.yaml"), R"(filter: {service: cart}
objectives:
  - sli: latency_max
    displayName: Worst latency
    pass: [{criteria: ["<120"]}]
    warning: [{criteria: ["<140"]}]
  - {sli: error_rate, pass: [{criteria: ["<=0.01"]}]}
total_score: {pass: "90%", warning: "75%"}
)");
  SloRun r = check_slo(work_->path(), second_hour({"slo.yaml"}));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(r.verdict["status"], "fail");
  EXPECT_EQ(r.verdict["summary"]["score"], 50);  // 1 of 2 points, below warning 75%
  EXPECT_EQ(r.verdict["summary"]["result"], "fail");
  ASSERT_EQ(r.verdict["findings"].size(), 1u);
  EXPECT_EQ(r.verdict["findings"][0]["id"], "slo-objective-failed");
  EXPECT_EQ(r.verdict["findings"][0]["location"]["line"], 3);
}

TEST_F(Prometheus, WarningPassesUnlessFailOnWarning) {
  write(path("sli.yaml"), kSli);
  write(path("slo.yaml"), R"(filter: {service: cart}
objectives:
  - {sli: latency_max, pass: [{criteria: ["<120"]}], warning: [{criteria: ["<=160"]}]}
total_score: {pass: "90%", warning: "50%"}
)");
  SloRun r = check_slo(work_->path(), second_hour({"slo.yaml", "--no-record"}), false);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("slo: WARNING - warning: score 50%"), std::string::npos) << r.output;
  r = check_slo(work_->path(), second_hour({"slo.yaml", "--fail-on-warning"}));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(r.verdict["summary"]["result"], "warning");
  EXPECT_EQ(r.verdict["findings"][0]["blocking"], true);
}

TEST_F(Prometheus, NoDataFailsNamingTheQuery) {
  write(path("sli.yaml"), kSli);
  write(path("slo.yaml"),
        "objectives:\n  - {sli: missing, pass: [{criteria: [\"<1\"]}]}\ntotal_score: {pass: 90}\n");
  SloRun r = check_slo(work_->path(), second_hour({"slo.yaml"}));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  ASSERT_EQ(r.verdict["findings"].size(), 1u);
  EXPECT_EQ(r.verdict["findings"][0]["id"], "slo-no-data");
  EXPECT_NE(
      r.verdict["findings"][0]["detail"].get<std::string>().find("latency_ms{job=\"nobody\"}"),
      std::string::npos);
  EXPECT_TRUE(objective(r, "missing")["value"].is_null());
}

TEST_F(Prometheus, QueryErrorsAndUnreachableServersCannotVerify) {
  write(path("sli.yaml"), kSli);
  write(path("slo.yaml"),
        "filter: {service: cart}\nobjectives:\n  - {sli: broken, pass: "
        "[{criteria: [\"<1\"]}]}\ntotal_score: {pass: 90}\n");
  SloRun r = check_slo(work_->path(), second_hour({"slo.yaml"}));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(r.verdict["status"], "error");
  std::string reason = r.verdict["reason"];
  EXPECT_NE(reason.find("sli.yaml:9:11:"), std::string::npos) << reason;
  EXPECT_NE(reason.find("rate(latency_ms{job=\"cart\"}[5m]"), std::string::npos) << reason;
  EXPECT_NE(reason.find("bad_data"), std::string::npos) << reason;

  write(path("slo.yaml"),
        "objectives:\n  - {sli: all_requests, pass: [{criteria: [\"<1\"]}]}\n"
        "total_score: {pass: 90}\n");
  r = check_slo(work_->path(), second_hour({"slo.yaml"}));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.verdict["reason"].get<std::string>().find("2 values from 2 series"),
            std::string::npos)
      << r.verdict["reason"];

  int closed = testing::free_port();
  r = check_slo(work_->path(),
                {"slo.yaml", "--source", "prometheus:http://127.0.0.1:" + std::to_string(closed)});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.verdict["reason"].get<std::string>().find("requests_total"), std::string::npos);
}

TEST_F(Prometheus, RelativeCriteriaCompareWithRecordedHistory) {
  write(path("sli.yaml"), kSli);
  write(path("slo.yaml"), R"(filter: {service: cart}
comparison: {compare_with: single_result, include_result_with_score: pass}
objectives:
  - {sli: latency_max, pass: [{criteria: ["<=+10%"]}]}
total_score: {pass: "90%"}
)");
  std::vector<std::string> first = {"slo.yaml",    "--source",  "prometheus:" + url(),
                                    "--start",     at(0),       "--end",
                                    at(3600 - 15), "--history", path("history.db").string()};
  SloRun r = check_slo(work_->path(), first);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(objective(r, "latency_max")["value"], 104);
  EXPECT_EQ(objective(r, "latency_max")["relative_without_history"], true);
  EXPECT_TRUE(r.verdict["summary"].contains("note"));
  // The release under test is 48% slower than the recorded one.
  r = check_slo(work_->path(), second_hour({"slo.yaml"}));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(r.verdict["summary"]["compared_results"], 1);
  EXPECT_EQ(objective(r, "latency_max")["compared_with"], 104);
  EXPECT_FALSE(r.verdict["summary"].contains("note"));
  // That failure is not a comparison base (include_result_with_score: pass): still 104.
  r = check_slo(work_->path(), second_hour({"slo.yaml"}));
  EXPECT_EQ(objective(r, "latency_max")["compared_with"], 104);
}

TEST_F(Prometheus, BaselineWindowComparisonFindsTheRegression) {
  write(path("sli.yaml"), kSli);
  write(path("slo.yaml"), R"(filter: {service: cart}
objectives:
  - {sli: latency_series, direction: increase, pass: [{criteria: ["<200"]}]}
total_score: {pass: "90%"}
)");
  SloRun r = check_slo(work_->path(), second_hour({"slo.yaml", "--baseline-start", at(0),
                                                   "--baseline-end", at(3600 - 15)}));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  const auto& m = r.verdict["summary"]["baseline"]["metrics"][0];
  EXPECT_EQ(m["judgement"], "high");
  EXPECT_EQ(m["baseline_count"], 240);
  EXPECT_DOUBLE_EQ(m["shift"].get<double>(), 50);
  EXPECT_LT(m["p_value"].get<double>(), 1e-6);
  EXPECT_EQ(r.verdict["findings"][0]["id"], "slo-baseline-change");
  // The same hour against itself (the baseline lasts as long as the window): no change.
  r = check_slo(work_->path(), second_hour({"slo.yaml", "--baseline-start", at(3600)}));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.verdict["summary"]["baseline"]["metrics"][0]["judgement"], "pass");
}

TEST_F(Prometheus, ExecutionErrorsAndTimeoutsCannotVerify) {
  write(path("sli.yaml"), R"(indicators:
  clash: requests_total + on() requests_total
  heavy: {query: 'count_over_time(latency_ms[3600s])', type: range, step: 1s, reduce: max}
)");
  write(path("slo.yaml"),
        "objectives:\n  - {sli: clash, pass: [{criteria: [\"<1\"]}]}\n"
        "total_score: {pass: 90}\n");
  SloRun r = check_slo(work_->path(), second_hour({"slo.yaml"}));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  std::string reason = r.verdict["reason"];
  EXPECT_NE(reason.find("failed: execution: "), std::string::npos) << reason;
  EXPECT_NE(reason.find("(HTTP 422)"), std::string::npos) << reason;
  EXPECT_NE(reason.find("requests_total + on() requests_total"), std::string::npos) << reason;

  write(path("slo.yaml"),
        "objectives:\n  - {sli: heavy, pass: [{criteria: [\"<1\"]}]}\n"
        "total_score: {pass: 90}\n");
  r = check_slo(work_->path(), {"slo.yaml", "--source", "prometheus:" + url(), "--start", at(0),
                                "--end", at(7200), "--query-timeout", "0.0001", "--no-record"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  reason = r.verdict["reason"];
  EXPECT_NE(reason.find("failed: timeout: "), std::string::npos) << reason;
  EXPECT_NE(reason.find("count_over_time(latency_ms[3600s])"), std::string::npos) << reason;
}

// nginx in front of Prometheus admits only a bearer token, as a reverse proxy in production does.
TEST_F(Prometheus, BearerTokenFromTheEnvironment) {
  ASSERT_TRUE(testing::have_program("nginx")) << "nginx is not installed";
  int port = testing::free_port();
  fs::path d = work_->path();
  std::string temp = (d / "nginx-temp").string();
  fs::create_directories(temp);
  write(d / "nginx.conf",
        "daemon off;\nworker_processes 1;\npid " + (d / "nginx.pid").string() + ";\nerror_log " +
            (d / "nginx-error.log").string() + ";\nevents {}\nhttp {\n" +
            "  access_log off;\n  client_body_temp_path " + temp + ";\n  proxy_temp_path " + temp +
            ";\n  fastcgi_temp_path " + temp + ";\n  uwsgi_temp_path " + temp +
            ";\n  scgi_temp_path " + temp +
            ";\n  server {\n    listen 127.0.0.1:" + std::to_string(port) +
            ";\n    location / {\n      if ($http_authorization != \"Bearer s3cret\") { return "
            "401; }\n      proxy_pass " +
            url() + ";\n    }\n  }\n}\n");
  testing::ServerProcess nginx(
      {"nginx", "-e", (d / "nginx-error.log").string(), "-c", (d / "nginx.conf").string()},
      d / "nginx.log");
  nginx.wait_for_port(port);
  write(path("sli.yaml"),
        "indicators:\n  latency_max: max_over_time(latency_ms[$DURATION_SECONDS])\n");
  write(path("slo.yaml"),
        "objectives:\n  - {sli: latency_max, pass: [{criteria: [\"<=154\"]}]}\n"
        "total_score: {pass: 90}\n");
  std::vector<std::string> args = {
      "slo.yaml",    "--source",   "prometheus:http://127.0.0.1:" + std::to_string(port),
      "--start",     at(3600),     "--end",
      at(7200 - 15), "--no-record"};
  SloRun r = check_slo(work_->path(), args, true, {"PROMETHEUS_TOKEN=s3cret"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(objective(r, "latency_max")["value"], 154);
  r = check_slo(work_->path(), args, true, {"PROMETHEUS_TOKEN=wrong"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.verdict["reason"].get<std::string>().find("HTTP 401"), std::string::npos)
      << r.verdict["reason"];
}

// Prometheus's own basic auth (--web.config.file with a bcrypt hash).
TEST_F(Prometheus, BasicAuthFromTheEnvironment) {
  fs::path d = work_->path();
  auto hash =
      process::run_capture(process::Command({"python3", "-W", "ignore", "-c",
                                             "import crypt; print(crypt.crypt('pa55', "
                                             "crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))"}));
  if (!hash.outcome.ok() || hash.output.rfind("$2", 0) != 0)
    FAIL() << "no bcrypt in python3 here: " << hash.output;
  write(d / "web.yml",
        "basic_auth_users:\n  ci: '" + hash.output.substr(0, hash.output.find('\n')) + "'\n");
  write(d / "prometheus.yml", "global: {scrape_interval: 1h}\nscrape_configs: []\n");
  int port = testing::free_port();
  testing::ServerProcess prom({"prometheus", "--config.file=" + (d / "prometheus.yml").string(),
                               "--web.config.file=" + (d / "web.yml").string(),
                               "--storage.tsdb.path=" + (d / "tsdb").string(),
                               "--web.listen-address=127.0.0.1:" + std::to_string(port)},
                              d / "prometheus.log");
  prom.wait_for_port(port);
  for (int i = 0; i < 100; ++i) {
    http::Request ready;
    ready.url = "http://127.0.0.1:" + std::to_string(port) + "/-/ready";
    ready.basic_auth = "ci:pa55";
    if (http::perform(ready).status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  write(path("sli.yaml"), "indicators:\n  one: vector(1)\n");
  write(path("slo.yaml"),
        "objectives:\n  - {sli: one, pass: [{criteria: [\"=1\"]}]}\n"
        "total_score: {pass: 90}\n");
  std::vector<std::string> args = {
      "slo.yaml", "--source", "prometheus:http://127.0.0.1:" + std::to_string(port), "--no-record"};
  SloRun r =
      check_slo(work_->path(), args, true, {"PROMETHEUS_USERNAME=ci", "PROMETHEUS_PASSWORD=pa55"});
  EXPECT_EQ(r.exit_code, 0) << r.output << read(d / "prometheus.log");
  EXPECT_EQ(objective(r, "one")["value"], 1);
  // Credentials in the URL work too, and never reach the report.
  r = check_slo(work_->path(),
                {"slo.yaml", "--source",
                 "prometheus:http://ci:pa55@127.0.0.1:" + std::to_string(port), "--no-record"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.verdict.dump().find("pa55"), std::string::npos) << r.verdict.dump();
  r = check_slo(work_->path(), args, true, {"PROMETHEUS_USERNAME=ci", "PROMETHEUS_PASSWORD=no"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.verdict["reason"].get<std::string>().find("HTTP 401"), std::string::npos)
      << r.verdict["reason"];
}

// The shipped example runs as written: its PromQL is valid (no exit 2); this Prometheus holds
// none of its metrics, so every objective is "no data" and the gate stays closed.
TEST_F(Prometheus, TheExampleQualityGateIsValidAndFailsClosedWithoutData) {
  fs::path example = testing::source_dir() / "examples/slo";
  SloRun r =
      check_slo(work_->path(), {(example / "slo.yaml").string(), "--source", "prometheus:" + url(),
                                "--label", "service=cart", "--no-record"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  for (const auto& f : r.verdict["findings"])
    EXPECT_EQ(f["id"], "slo-no-data") << f.dump();
  EXPECT_EQ(r.verdict["findings"].size(), 3u);
}

}  // namespace
}  // namespace tollgate::slo_e2e
