// The CloudHealth and OpenCost sources against a local server answering in those APIs' formats
// (src/budget/testdata/cost_api_server.py), including errors, timeouts and a closed port.
#include <gtest/gtest.h>

#include "support/server.h"
#include "util/files.h"
#include "util/process.h"

namespace tollgate {
namespace {

class BudgetApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::have_program("python3")) return;
    port_ = testing::free_port();
    log_ = new files::TempDir("budget-api");
    server_ = new testing::ServerProcess(
        {"python3", (testing::source_dir() / "src/budget/testdata/cost_api_server.py").string(),
         std::to_string(port_)},
        log_->path() / "server.log");
    server_->wait_for_port(port_);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete log_;
  }
  void SetUp() override {
    ASSERT_TRUE(server_) << "python3 is not installed (scripts/install-deps.sh installs it)";
  }

  static std::string url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  process::Captured budget(std::vector<std::string> args, const std::string& key = "test-key") {
    std::vector<std::string> argv = {testing::tollgate_binary().string(), "--color=never", "check",
                                     "budget"};
    argv.insert(argv.end(), args.begin(), args.end());
    process::Command cmd(argv);
    std::vector<std::string> env;
    for (const auto& e : process::current_environment())
      if (e.rfind("CLOUDHEALTH_API_KEY=", 0) != 0) env.push_back(e);
    if (!key.empty()) env.push_back("CLOUDHEALTH_API_KEY=" + key);
    cmd.env = env;
    cmd.timeout = std::chrono::seconds(60);
    return process::run_capture(cmd);
  }

  static bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }

  static inline int port_ = 0;
  static inline files::TempDir* log_ = nullptr;
  static inline testing::ServerProcess* server_ = nullptr;
};

const std::string kAsOf = "--as-of=2026-11-20T06:00:00Z";

TEST_F(BudgetApi, CloudHealthSkipsTotalsAndNulls) {
  auto r = budget({"--source", "cloudhealth:" + url("/olap_reports/cost/history?interval=monthly"),
                   "--budget", "1500", kAsOf, "--format", "dotenv"});
  EXPECT_EQ(r.outcome.exit_code, 0) << r.output;
  // November: EC2 1000.25 + RDS 234.25; the Total member (1234.5) is not added again and the
  // null S3 cell is no data, not zero.
  EXPECT_TRUE(has(r.output, "BUDGET_SPENT=1234.5\n")) << r.output;
  EXPECT_TRUE(has(r.output, "BUDGET_CURRENCY=USD\n")) << r.output;
  EXPECT_TRUE(has(r.output, "BUDGET_DAYS_COVERED=19\n")) << r.output;  // updated_at Nov 20
  EXPECT_TRUE(has(r.output, "BUDGET_FORECAST=1949.21\n")) << r.output;
  auto over = budget({"--source", "cloudhealth:" + url("/olap_reports/cost/history"), "--budget",
                      "1200", kAsOf, "--scope", "service:EC2 - Compute"});
  EXPECT_EQ(over.outcome.exit_code, 0) << over.output;
  auto total = budget({"--source", "cloudhealth:" + url("/olap_reports/cost/history"), "--budget",
                       "1234.49", kAsOf});
  EXPECT_EQ(total.outcome.exit_code, 1) << total.output;
  // "Cost ($)" is dollars: a euro budget must not read them as euros.
  auto euros = budget({"--source", "cloudhealth:" + url("/olap_reports/cost/history"), "--budget",
                       "5000", "--currency", "EUR", kAsOf});
  EXPECT_EQ(euros.outcome.exit_code, 2) << euros.output;
  EXPECT_TRUE(has(euros.output, "no cost rows in scope are billed in EUR (found USD)"))
      << euros.output;
}

TEST_F(BudgetApi, CloudHealthReportsWithMoreDimensions) {
  std::string report = "cloudhealth:" + url("/olap_reports/custom/by-account");
  auto all = budget({"--source", report, "--budget", "1000", kAsOf, "--format", "dotenv"});
  EXPECT_EQ(all.outcome.exit_code, 0) << all.output;
  EXPECT_TRUE(has(all.output, "BUDGET_SPENT=250\n")) << all.output;  // no Total counted twice
  auto prod = budget({"--source", report, "--budget", "1000", kAsOf, "--format", "dotenv",
                      "--scope", "sub-account:Production,service:S3"});
  EXPECT_TRUE(has(prod.output, "BUDGET_SPENT=50\n")) << prod.output;
  auto null_cell = budget(
      {"--source", report, "--budget", "1000", kAsOf, "--scope", "sub-account:Staging,service:S3"});
  EXPECT_EQ(null_cell.outcome.exit_code, 2) << null_cell.output;  // null is no data, not 0
  auto region = budget({"--source", report, "--budget", "1000", kAsOf, "--scope", "region:x"});
  EXPECT_EQ(region.outcome.exit_code, 2);
  EXPECT_TRUE(has(region.output, "does not break down by")) << region.output;
}

TEST_F(BudgetApi, CloudHealthWithoutOrWithAWrongKeyIsExit2) {
  auto none = budget(
      {"--source", "cloudhealth:" + url("/olap_reports/cost/history"), "--budget", "1500", kAsOf},
      "");
  EXPECT_EQ(none.outcome.exit_code, 2);
  EXPECT_TRUE(has(none.output, "export CLOUDHEALTH_API_KEY")) << none.output;
  auto wrong = budget(
      {"--source", "cloudhealth:" + url("/olap_reports/cost/history"), "--budget", "1500", kAsOf},
      "stolen");
  EXPECT_EQ(wrong.outcome.exit_code, 2);
  EXPECT_TRUE(has(wrong.output, "answered HTTP 401")) << wrong.output;
  EXPECT_FALSE(has(wrong.output, "stolen")) << "the key must not reach the output";
  auto effective = budget({"--source", "cloudhealth:" + url("/olap_reports/cost/history"),
                           "--budget", "1500", kAsOf, "--cost", "effective"});
  EXPECT_EQ(effective.outcome.exit_code, 2);
  EXPECT_TRUE(has(effective.output, "only the invoice (billed) view")) << effective.output;
}

TEST_F(BudgetApi, CloudHealthKeyAsTheApiKeyQueryParameter) {
  std::string report = url("/olap_reports/cost/history?interval=monthly");
  // No environment variable: the key in the URL is enough, and reports never show it.
  auto r = budget({"--source", "cloudhealth:" + report + "&api_key=test-key", "--budget", "1500",
                   kAsOf, "--format", "json"},
                  "");
  EXPECT_EQ(r.outcome.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output, "\"spent\": \"1234.5\"")) << r.output;
  EXPECT_TRUE(has(r.output, "api_key=[MASKED]")) << r.output;
  EXPECT_FALSE(has(r.output, "test-key")) << r.output;
  // A wrong key: the server's 401 answer echoes the request, and the message still masks it.
  auto wrong = budget({"--source", "cloudhealth:" + report + "&api_key=stolen-secret", "--budget",
                       "1500", kAsOf, "--format", "json"},
                      "");
  EXPECT_EQ(wrong.outcome.exit_code, 2) << wrong.output;
  EXPECT_TRUE(has(wrong.output, "answered HTTP 401")) << wrong.output;
  EXPECT_FALSE(has(wrong.output, "stolen-secret")) << wrong.output;
  // The header's key is masked as well when a server echoes it back.
  auto header =
      budget({"--source", "cloudhealth:" + report, "--budget", "1500", kAsOf}, "another-secret");
  EXPECT_EQ(header.outcome.exit_code, 2) << header.output;
  EXPECT_TRUE(has(header.output, "Bearer [MASKED]")) << header.output;
  EXPECT_FALSE(has(header.output, "another-secret")) << header.output;
}

TEST_F(BudgetApi, ServerErrorsTimeoutsAndGarbageAreExit2) {
  for (const char* kind : {"cloudhealth:", "opencost:"}) {
    auto error =
        budget({"--source", kind + url("/status/503?window=month"), "--budget", "10", kAsOf});
    EXPECT_EQ(error.outcome.exit_code, 2) << kind;
    EXPECT_TRUE(has(error.output, "answered HTTP 503: {\"error\": \"recorded failure 503\"}"))
        << error.output;
    auto html = budget({"--source", kind + url("/not-json?window=month"), "--budget", "10", kAsOf});
    EXPECT_EQ(html.outcome.exit_code, 2) << kind;
    EXPECT_TRUE(has(html.output, "invalid JSON")) << html.output;
    // A million levels of nesting overflowed the stack (exit 139) before JSON was bounded.
    auto deep = budget({"--source", kind + url("/deep?window=month"), "--budget", "10", kAsOf});
    EXPECT_EQ(deep.outcome.exit_code, 2) << kind;
    EXPECT_TRUE(has(deep.output, "JSON nested deeper than 512 levels")) << deep.output;
  }
  for (const char* kind : {"cloudhealth:", "opencost:"}) {
    auto slow = budget(
        {"--source", kind + url("/slow?window=month"), "--budget", "10", "--timeout", "1s", kAsOf});
    EXPECT_EQ(slow.outcome.exit_code, 2) << kind;
    EXPECT_TRUE(has(slow.output, "imed out")) << slow.output;
  }
  auto envelope = budget(
      {"--source", "opencost:" + url("/opencost-error?window=month"), "--budget", "10", kAsOf});
  EXPECT_EQ(envelope.outcome.exit_code, 2);
  EXPECT_TRUE(has(envelope.output, "code 500: bad window")) << envelope.output;
}

TEST_F(BudgetApi, UnreachablePortIsExit2) {
  int closed = testing::free_port();
  auto r = budget(
      {"--source", "opencost:http://127.0.0.1:" + std::to_string(closed), "--budget", "10", kAsOf});
  EXPECT_EQ(r.outcome.exit_code, 2);
  EXPECT_TRUE(has(r.output, "opencost: GET http://127.0.0.1:" + std::to_string(closed) +
                                "/allocation?window=month"))
      << r.output;
  // A source named with a password never shows it, in the error or the verdict.
  r = budget({"--source", "opencost:http://cost:hunter22-pw@127.0.0.1:" + std::to_string(closed),
              "--budget", "10", kAsOf, "--format", "json"});
  EXPECT_EQ(r.outcome.exit_code, 2);
  EXPECT_FALSE(has(r.output, "hunter22-pw")) << r.output;
  EXPECT_TRUE(has(r.output, "http://cost:[MASKED]@127.0.0.1:")) << r.output;
}

TEST_F(BudgetApi, OpenCostKeepsIdleAndUnallocatedExactly) {
  auto r = budget({"--source", "opencost:" + url(""), "--budget", "50", kAsOf, "--format", "dotenv",
                   "--group-by", "service"});
  EXPECT_EQ(r.outcome.exit_code, 0) << r.output;
  // 12.3 + 0.30000000000000004 + 7.5 + 1 + 15.7 + 0.0000001 + 2.5, with no binary drift.
  EXPECT_TRUE(has(r.output, "BUDGET_SPENT=39.30000010000000004\n")) << r.output;
  EXPECT_TRUE(has(r.output, "BUDGET_FORECAST=62.05\n")) << r.output;
  auto idle = budget({"--source", "opencost:" + url(""), "--budget", "50", kAsOf, "--format",
                      "dotenv", "--scope", "service:__idle__"});
  EXPECT_TRUE(has(idle.output, "BUDGET_SPENT=10\n")) << idle.output;
  auto team = budget({"--source", "opencost:" + url(""), "--budget", "20", kAsOf, "--format",
                      "dotenv", "--scope", "tag:team=cart,sub-account:cart"});
  EXPECT_EQ(team.outcome.exit_code, 1) << team.output;
  EXPECT_TRUE(has(team.output, "BUDGET_SPENT=28\n")) << team.output;
}

}  // namespace
}  // namespace tollgate
