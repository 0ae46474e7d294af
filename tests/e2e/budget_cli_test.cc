// tollgate check budget as a user runs it: exit codes, formats and messages on real files.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "support/sarif_check.h"
#include "support/server.h"
#include "util/files.h"
#include "util/process.h"

namespace tollgate {
namespace {

std::string testdata(const std::string& name) {
  return (testing::source_dir() / "src/budget/testdata" / name).string();
}

process::Captured budget(std::vector<std::string> args) {
  std::vector<std::string> argv = {testing::tollgate_binary().string(), "--color=never", "check",
                                   "budget"};
  argv.insert(argv.end(), args.begin(), args.end());
  process::Command cmd(argv);
  cmd.timeout = std::chrono::seconds(60);
  return process::run_capture(cmd);
}

const std::string kFocus = "focus:" + testdata("focus_mixed.csv");
const std::string kAsOf = "--as-of=2026-11-21T00:00:00Z";

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(BudgetCli, UnderBudgetPassesWithABar) {
  auto r = budget({"--source", kFocus, "--budget", "2000", "--currency", "USD", kAsOf});
  EXPECT_EQ(r.outcome.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output, "1634.60 USD")) << r.output;
  EXPECT_TRUE(has(r.output, "[################....]  81.7%")) << r.output;
  EXPECT_TRUE(has(r.output, "UNDER")) << r.output;
}

TEST(BudgetCli, OverBudgetFailsWithExit1AndJsonVerdict) {
  files::TempDir dir("budget-e2e");
  std::string out = (dir.path() / "verdict.json").string();
  auto r = budget({"--source", kFocus, "--budget", "1500", "--currency", "USD", kAsOf, "--format",
                   "json", "--output", out});
  EXPECT_EQ(r.outcome.exit_code, 1) << r.output;
  auto v = nlohmann::json::parse(files::read(out));
  EXPECT_EQ(v["gate"], "budget");
  EXPECT_EQ(v["status"], "fail");
  EXPECT_EQ(v["findings"][0]["id"], "budget-over");
  EXPECT_EQ(v["findings"][0]["properties"]["spent"], "1634.6");
  EXPECT_EQ(v["summary"]["spent"], "1634.6");
  EXPECT_EQ(v["summary"]["forecast"], "2089.65");
  EXPECT_EQ(v["summary"]["budgets"][0]["currency"], "USD");
}

TEST(BudgetCli, DotenvCarriesStatusAndFigures) {
  auto over = budget(
      {"--source", kFocus, "--budget", "1500", "--currency", "USD", kAsOf, "--format", "dotenv"});
  EXPECT_EQ(over.outcome.exit_code, 1);
  EXPECT_TRUE(has(over.output, "BUDGET_STATUS=OVER\n")) << over.output;
  EXPECT_TRUE(has(over.output, "BUDGET_SPENT=1634.6\n")) << over.output;
  EXPECT_TRUE(has(over.output, "BUDGET_FORECAST=2089.65\n")) << over.output;
  EXPECT_TRUE(has(over.output, "BUDGET_LIMIT=1500\n")) << over.output;
  EXPECT_TRUE(has(over.output, "BUDGET_DAYS_COVERED=20\n")) << over.output;
  EXPECT_TRUE(has(over.output, "TOLLGATE_BUDGET_STATUS=fail\n")) << over.output;
  auto unknown = budget({"--source", kFocus, "--budget", "1500", kAsOf, "--format", "dotenv"});
  EXPECT_EQ(unknown.outcome.exit_code, 2);
  EXPECT_TRUE(has(unknown.output, "BUDGET_STATUS=UNKNOWN\n")) << unknown.output;
}

TEST(BudgetCli, TwoCurrenciesAreExit2UnlessOneIsPickedOrConverted) {
  auto mixed = budget({"--source", kFocus, "--budget", "5000", kAsOf});
  EXPECT_EQ(mixed.outcome.exit_code, 2);
  EXPECT_TRUE(has(mixed.output, "2 currencies (EUR, USD)")) << mixed.output;
  auto fx = budget({"--source", kFocus, "--budget", "5000", "--currency", "USD", "--fx", "EUR=1.08",
                    kAsOf, "--format", "dotenv"});
  EXPECT_EQ(fx.outcome.exit_code, 0) << fx.output;
  EXPECT_TRUE(has(fx.output, "BUDGET_SPENT=1807.4\n")) << fx.output;
}

TEST(BudgetCli, ForecastAndWarnings) {
  auto r = budget({"--source", kFocus, "--budget", "2000", "--currency", "USD", kAsOf, "--fail-on",
                   "forecast", "--warn-at", "80", "--format", "junit"});
  EXPECT_EQ(r.outcome.exit_code, 1) << r.output;
  EXPECT_TRUE(has(r.output, "budget-forecast-over")) << r.output;
  EXPECT_TRUE(has(r.output, "<failure")) << r.output;
}

TEST(BudgetCli, ScopeAndGroupByBreakdown) {
  auto r = budget({"--source", kFocus, "--budget", "300", "--currency", "USD", "--scope",
                   "tag:env=staging", "--group-by", "provider", kAsOf});
  EXPECT_EQ(r.outcome.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output, "255.00 USD")) << r.output;
  EXPECT_TRUE(has(r.output, "AWS")) << r.output;
  EXPECT_TRUE(has(r.output, "175.00 USD")) << r.output;
  EXPECT_TRUE(has(r.output, "68.6%")) << r.output;
}

TEST(BudgetCli, ManyBudgetsEachWithItsOwnStatus) {
  auto r = budget(
      {"--source", kFocus, "--budgets", testdata("budgets.yaml"), kAsOf, "--format", "dotenv"});
  EXPECT_EQ(r.outcome.exit_code, 1) << r.output;
  EXPECT_TRUE(has(r.output, "BUDGET_AWS_TOTAL_STATUS=UNDER\n")) << r.output;
  EXPECT_TRUE(has(r.output, "BUDGET_STAGING_STATUS=OVER\n")) << r.output;
  EXPECT_TRUE(has(r.output, "BUDGET_UNTAGGED_SPENT=80.1\n")) << r.output;
  // GitLab reads at most 20 variables from a dotenv report; every budget's status is among
  // them, and one is left free for the job's own.
  EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 19) << r.output;
}

// Code scanning gets a budget overrun as a plain (not security) result located at the budgets
// file entry or, without one, the command line; a gate that could not verify says so.
TEST(BudgetCli, SarifLocatesOverrunsAndSaysWhenItCouldNotVerify) {
  auto over = budget({"--source", kFocus, "--budget", "1500", "--currency", "USD", kAsOf, "--name",
                      "shop", "--format", "sarif"});
  EXPECT_EQ(over.outcome.exit_code, 1) << over.output;
  EXPECT_EQ(testing::sarif_problems(over.output), "");
  auto run = nlohmann::json::parse(over.output)["runs"][0];
  const auto& logical = run["results"][0]["locations"][0]["logicalLocations"][0];
  EXPECT_EQ(logical["name"], "shop");
  EXPECT_TRUE(has(logical["fullyQualifiedName"].get<std::string>(), "check budget --source"))
      << logical;
  EXPECT_FALSE(run["tool"]["driver"]["rules"][0]["properties"].contains("tags"));
  EXPECT_EQ(run["invocations"][0]["executionSuccessful"], true);

  auto file = budget(
      {"--source", kFocus, "--budgets", testdata("budgets.yaml"), kAsOf, "--format", "sarif"});
  EXPECT_EQ(testing::sarif_problems(file.output), "");
  auto physical = nlohmann::json::parse(
      file.output)["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
  EXPECT_TRUE(has(physical["artifactLocation"]["uri"].get<std::string>(), "budgets.yaml"))
      << physical;
  EXPECT_GT(physical["region"]["startLine"].get<int>(), 0);

  auto broken =
      budget({"--source", "focus:/nonexistent.csv", "--budget", "10", kAsOf, "--format", "sarif"});
  EXPECT_EQ(broken.outcome.exit_code, 2);
  std::string log = broken.output.substr(broken.output.find('{'));
  EXPECT_EQ(testing::sarif_problems(log), "");
  auto inv = nlohmann::json::parse(log)["runs"][0]["invocations"][0];
  EXPECT_EQ(inv["executionSuccessful"], false);
  EXPECT_TRUE(has(inv["toolExecutionNotifications"][0]["message"]["text"].get<std::string>(),
                  "nonexistent.csv"));
}

TEST(BudgetCli, GzipIsReadByContent) {
  files::TempDir dir("budget-e2e");
  std::string gz = (dir.path() / "costs.csv.gz").string();
  process::Command zip({"sh", "-c", "gzip -c \"$0\" > \"$1\"", testdata("focus_mixed.csv"), gz});
  ASSERT_TRUE(process::run_capture(zip).outcome.ok());
  auto r = budget({"--source", "focus:" + gz, "--budget", "2000", "--currency", "USD", kAsOf,
                   "--format", "dotenv"});
  EXPECT_EQ(r.outcome.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output, "BUDGET_SPENT=1634.6\n")) << r.output;
}

TEST(BudgetCli, BrokenInputsAreExit2SayingWhere) {
  files::TempDir dir("budget-e2e");
  std::string csv = (dir.path() / "bad.csv").string();
  std::string text = files::read(testdata("focus_mixed.csv"));
  size_t at = text.find("10.05");
  files::write_atomic(csv, text.substr(0, at) + "ten" + text.substr(at + 5));
  auto bad = budget({"--source", "focus:" + csv, "--budget", "10", kAsOf});
  EXPECT_EQ(bad.outcome.exit_code, 2);
  EXPECT_TRUE(has(bad.output, "bad.csv:6: BilledCost 'ten' is not a FOCUS number")) << bad.output;

  files::write_atomic(csv, "");
  auto empty = budget({"--source", "focus:" + csv, "--budget", "10", kAsOf});
  EXPECT_EQ(empty.outcome.exit_code, 2);
  EXPECT_TRUE(has(empty.output, "empty file")) << empty.output;

  auto missing = budget({"--source", "focus:/nonexistent.csv", "--budget", "10", kAsOf});
  EXPECT_EQ(missing.outcome.exit_code, 2);
  EXPECT_TRUE(has(missing.output, "/nonexistent.csv: cannot read")) << missing.output;

  auto stale = budget(
      {"--source", kFocus, "--budget", "10", "--currency", "USD", "--as-of=2026-11-28T00:00:00Z"});
  EXPECT_EQ(stale.outcome.exit_code, 2);
  EXPECT_TRUE(has(stale.output, "cost data is stale")) << stale.output;
}

TEST(BudgetCli, UsageMistakesAreExit2WithAHint) {
  auto flag = budget({"--source", kFocus, "--budgt", "10"});
  EXPECT_EQ(flag.outcome.exit_code, 2);
  auto none = budget({"--source", kFocus});
  EXPECT_EQ(none.outcome.exit_code, 2);
  EXPECT_TRUE(has(none.output, "give --budget AMOUNT")) << none.output;
  auto kind = budget({"--source", "csv:x.csv", "--budget", "10"});
  EXPECT_EQ(kind.outcome.exit_code, 2);
  EXPECT_TRUE(has(kind.output, "write focus:FILE.csv")) << kind.output;
  auto scope = budget({"--source", kFocus, "--budget", "10", "--scope", "servce:EC2"});
  EXPECT_EQ(scope.outcome.exit_code, 2);
  EXPECT_TRUE(has(scope.output, "did you mean 'service'?")) << scope.output;
  auto amount = budget({"--source", kFocus, "--budget", "$10"});
  EXPECT_EQ(amount.outcome.exit_code, 2);
  EXPECT_TRUE(has(amount.output, "--budget '$10' is not a number")) << amount.output;
}

TEST(BudgetCli, HelpTeachesTheFormula) {
  auto r = budget({"--help"});
  EXPECT_EQ(r.outcome.exit_code, 0);
  EXPECT_TRUE(has(r.output, "forecast       = MTD + U / d * (D - d)")) << r.output;
  EXPECT_TRUE(has(r.output, "Examples:")) << r.output;
}

TEST(BudgetCli, CostExplorerJson) {
  std::string ce = "aws-ce:" + testdata("aws_ce_tags.json");
  std::string as_of = "--as-of=2026-11-04T00:00:00Z";
  auto all = budget({"--source", ce, "--budget", "400", as_of, "--format", "dotenv"});
  EXPECT_EQ(all.outcome.exit_code, 0) << all.output;
  EXPECT_TRUE(has(all.output, "BUDGET_SPENT=336.8067900246\n")) << all.output;
  EXPECT_TRUE(has(all.output, "BUDGET_FORECAST=3368.07\n")) << all.output;
  auto staging = budget({"--source", ce, "--budget", "400", "--scope", "tag:env=staging", as_of,
                         "--format", "dotenv"});
  EXPECT_TRUE(has(staging.output, "BUDGET_SPENT=36.4567900124\n")) << staging.output;
  auto untagged = budget(
      {"--source", ce, "--budget", "400", "--scope", "untagged:env", as_of, "--format", "dotenv"});
  EXPECT_TRUE(has(untagged.output, "BUDGET_SPENT=-0.7499999877\n")) << untagged.output;
  auto amortized = budget(
      {"--source", ce, "--budget", "400", "--cost", "effective", as_of, "--format", "dotenv"});
  EXPECT_TRUE(has(amortized.output, "BUDGET_SPENT=305.25\n")) << amortized.output;
  auto service = budget({"--source", ce, "--budget", "400", "--scope", "service:EC2", as_of});
  EXPECT_EQ(service.outcome.exit_code, 2);
  EXPECT_TRUE(has(service.output, "not grouped by it")) << service.output;
}

}  // namespace
}  // namespace tollgate
