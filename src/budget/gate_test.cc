#include "budget/gate.h"

#include <gtest/gtest.h>

#include "budget/focus_source.h"
#include "support/server.h"
#include "util/files.h"
#include "util/strings.h"

namespace tollgate::budget {
namespace {

std::string fixture(const std::string& name) {
  return (testing::source_dir() / "src/budget/testdata" / name).string();
}

Seconds at(const char* iso) {
  return *parse_focus_time(iso);
}

BudgetSpec spec(const char* amount, const char* currency = "USD", const char* scope = "") {
  BudgetSpec b;
  b.amount = *Decimal::parse(amount);
  b.currency = currency;
  b.scope = Scope::parse(scope);
  return b;
}

verdict::Verdict check(std::vector<BudgetSpec> budgets, const char* as_of = "2026-11-21T00:00:00Z",
                       const std::string& file = fixture("focus_mixed.csv")) {
  GateOptions o;
  o.source = SourceSpec::parse("focus:" + file);
  o.source_options.as_of = at(as_of);
  return check_budgets(budgets, o);
}

std::string figure(const verdict::Verdict& v, const char* key, size_t budget = 0) {
  const auto& b = v.summary["budgets"][budget];
  if (!b.contains(key)) return "(absent)";
  return b[key].is_string() ? b[key].get<std::string>() : b[key].dump();
}

TEST(BudgetGate, NeverAddsTwoCurrencies) {
  verdict::Verdict v = check({spec("100000", "")});
  EXPECT_EQ(v.status, verdict::Status::Error);
  EXPECT_NE(v.reason.find("2 currencies (EUR, USD)"), std::string::npos) << v.reason;
  EXPECT_EQ(v.exit_code(), 2);
}

TEST(BudgetGate, SumsCreditsRefundsCorrectionsAndPurchasesExactly) {
  verdict::Verdict v = check({spec("2000")});
  ASSERT_EQ(v.status, verdict::Status::Pass) << v.reason;
  // 200 + 600 EC2, 30.10 S3, 720 RI purchase, 50 tax, -25 credit, -12.50 refund,
  // -8 correction of October (billed in November), 80 GCP; October's 999 and the row charged
  // after --as-of are out, and 160 EUR is not added to dollars.
  EXPECT_EQ(figure(v, "spent"), "1634.6");
  EXPECT_EQ(figure(v, "usage"), "910.1");
  EXPECT_EQ(figure(v, "one_off"), "724.5");
  EXPECT_EQ(figure(v, "rows"), "17");
  EXPECT_EQ(v.summary["budgets"][0]["excluded"]["EUR"], "160");
  EXPECT_EQ(v.summary["days_covered"], "20");
  EXPECT_EQ(figure(v, "days_covered"), "20");
  EXPECT_EQ(v.summary["days_in_period"], "30");
  EXPECT_EQ(v.summary["data_through"], "2026-11-21T00:00:00Z");
}

TEST(BudgetGate, ForecastExtrapolatesOnlyUsageFromTheDaysCovered) {
  verdict::Verdict v = check({spec("2000")});
  EXPECT_EQ(figure(v, "forecast"), "2089.65");        // 1634.60 + 910.10 / 20 * 10
  EXPECT_EQ(figure(v, "naive_forecast"), "2451.90");  // 1634.60 * 30 / 20
  EXPECT_EQ(figure(v, "percent"), "81.7");
}

// FOCUS's ChargeFrequency says what runs on: a one-time refund filed under ChargeCategory Usage
// counts once. Extrapolated with the usage it came to 378.00 + 378.00 / 20 * 10 = 567.00, under
// the budget; it is 378.00 + 403.00 / 20 * 10 = 579.50, over it.
TEST(BudgetGate, ForecastExtrapolatesOnlyUsageBasedRows) {
  files::TempDir dir("budget-frequency");
  std::string csv =
      "BillingCurrency,BillingPeriodStart,BillingPeriodEnd,BilledCost,EffectiveCost,"
      "ChargeCategory,ChargeFrequency,ChargePeriodStart,ChargePeriodEnd\n";
  auto row = [&](const std::string& cost, const char* category, const char* frequency, int day,
                 int days) {
    auto date = [](int d) {
      return "2026-11-" + std::string(d < 10 ? "0" : "") + std::to_string(d);
    };
    csv += "USD,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z," + cost + "," + cost + "," + category +
           "," + frequency + "," + date(day) + "T00:00:00Z," + date(day + days) + "T00:00:00Z\n";
  };
  for (int day = 1; day <= 20; ++day)
    row("20.15", "Usage", "Usage-Based", day, 1);
  row("-25.00", "Usage", "One-Time", 10, 1);  // a refund, under Usage
  std::string file = (dir.path() / "focus.csv").string();
  files::write_atomic(file, csv);
  BudgetSpec b = spec("575");
  b.fail_on = FailOn::Forecast;
  verdict::Verdict v = check({b}, "2026-11-21T00:00:00Z", file);
  EXPECT_EQ(figure(v, "spent"), "378");
  EXPECT_EQ(figure(v, "usage"), "403");
  EXPECT_EQ(figure(v, "one_off"), "-25");
  EXPECT_EQ(figure(v, "forecast"), "579.50");
  EXPECT_EQ(v.status, verdict::Status::Fail) << v.reason;
  EXPECT_EQ(v.findings[0].id, "budget-forecast-over");
}

// A Recurring fee for the whole period is whole already; one for a day repeats every day.
TEST(BudgetGate, RecurringRowsRunOnOnlyForAPartOfThePeriod) {
  files::TempDir dir("budget-recurring");
  std::string head =
      "BillingCurrency,BillingPeriodStart,BillingPeriodEnd,BilledCost,EffectiveCost,"
      "ChargeCategory,ChargeFrequency,ChargePeriodStart,ChargePeriodEnd\n"
      "USD,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,200,200,Usage,Usage-Based,"
      "2026-11-01T00:00:00Z,2026-11-21T00:00:00Z\n";
  std::string file = (dir.path() / "focus.csv").string();
  files::write_atomic(file, head +
                                "USD,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,30,30,Purchase,"
                                "Recurring,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z\n");
  EXPECT_EQ(figure(check({spec("1000")}, "2026-11-21T00:00:00Z", file), "forecast"), "330.00");
  files::write_atomic(file, head +
                                "USD,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,2,2,Purchase,"
                                "Recurring,2026-11-20T00:00:00Z,2026-11-21T00:00:00Z\n");
  EXPECT_EQ(figure(check({spec("1000")}, "2026-11-21T00:00:00Z", file), "forecast"), "303.00");
}

TEST(BudgetGate, EffectiveCostAmortizesThePurchase) {
  BudgetSpec b = spec("2000");
  b.cost = CostBasis::Effective;
  verdict::Verdict v = check({b});
  EXPECT_EQ(figure(v, "spent"), "962.6");  // the 720 upfront becomes 24 + 24 of usage
  EXPECT_EQ(figure(v, "cost"), "effective");
}

TEST(BudgetGate, FxConvertsOnlyWhenTheUserGivesTheRate) {
  BudgetSpec b = spec("2000");
  b.fx["EUR"] = *Decimal::parse("1.08");
  verdict::Verdict v = check({b});
  EXPECT_EQ(figure(v, "spent"), "1807.4");  // 1634.60 + 160 * 1.08
  EXPECT_TRUE(v.summary["budgets"][0]["excluded"].empty());
}

TEST(BudgetGate, TagScopesAreExactAndCaseSensitive) {
  EXPECT_EQ(figure(check({spec("1000", "USD", "tag:env=staging")}), "spent"), "255");
  EXPECT_EQ(figure(check({spec("1000", "USD", "tag:Env=staging")}), "spent"), "10");
  EXPECT_EQ(figure(check({spec("1000", "USD", "untagged:env")}), "spent"), "80.1");
  EXPECT_EQ(figure(check({spec("1000", "EUR", "provider:Microsoft")}), "spent"), "160");
  EXPECT_EQ(figure(check({spec("1000", "USD", "tag:owner=a\\, \"b\"")}), "spent"), "80");
  EXPECT_EQ(figure(check({spec("1000", "USD", "category:Credit")}), "spent"), "-25");
}

TEST(BudgetGate, EqualToTheBudgetPassesOneCentMoreFails) {
  EXPECT_EQ(check({spec("1634.60")}).status, verdict::Status::Pass);
  verdict::Verdict over = check({spec("1634.59")});
  EXPECT_EQ(over.status, verdict::Status::Fail);
  EXPECT_EQ(over.exit_code(), 1);
  ASSERT_FALSE(over.findings.empty());
  EXPECT_EQ(over.findings[0].id, "budget-over");
  EXPECT_TRUE(over.findings[0].blocking);
  EXPECT_EQ(over.findings[0].properties["spent"], "1634.6");
}

TEST(BudgetGate, FailOnForecastClosesTheGateEarly) {
  BudgetSpec b = spec("2000");
  EXPECT_EQ(check({b}).status, verdict::Status::Pass);  // actual: 1634.60 <= 2000
  b.fail_on = FailOn::Forecast;
  verdict::Verdict v = check({b});
  EXPECT_EQ(v.status, verdict::Status::Fail);  // forecast 2089.65 > 2000
  EXPECT_EQ(v.findings[0].id, "budget-forecast-over");
  b.amount = *Decimal::parse("2089.65");
  EXPECT_EQ(check({b}).status, verdict::Status::Pass);
}

TEST(BudgetGate, WarnAtAddsANonBlockingFinding) {
  BudgetSpec b = spec("2000");
  b.warn_at = *Decimal::parse("80");
  verdict::Verdict v = check({b});
  EXPECT_EQ(v.status, verdict::Status::Pass);
  bool warned = false;
  for (const auto& f : v.findings)
    warned = warned || (f.id == "budget-warning" && !f.blocking);
  EXPECT_TRUE(warned);
  b.warn_at = *Decimal::parse("82");
  for (const auto& f : check({b}).findings)
    EXPECT_NE(f.id, "budget-warning");
}

TEST(BudgetGate, AsOfReplaysTheDataOfThatDay) {
  verdict::Verdict v = check({spec("5000")}, "2026-11-11T00:00:00Z");
  // The first ten days, the RI purchase, the tax and the October correction; not the credit
  // of the 15th nor the refund of the 18th.
  EXPECT_EQ(figure(v, "spent"), "1217.05");
  EXPECT_EQ(v.summary["days_covered"], "10");
}

TEST(BudgetGate, StaleDataFailsClosed) {
  try {
    check({spec("5000")}, "2026-11-25T00:00:00Z");
    FAIL() << "stale data passed";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("stale: it runs to 2026-11-22T00:00:00Z, 72.0 h"),
              std::string::npos)
        << e.what();
  }
  GateOptions o;
  o.source = SourceSpec::parse("focus:" + fixture("focus_mixed.csv"));
  o.source_options.as_of = at("2026-11-25T00:00:00Z");
  o.max_staleness = 4 * 86400;
  EXPECT_EQ(check_budgets({spec("5000")}, o).status, verdict::Status::Pass);
}

TEST(BudgetGate, NoDataForThePeriodFailsClosed) {
  EXPECT_THROW(check({spec("5000")}, "2026-12-02T00:00:00Z"), Error);
  verdict::Verdict v = check({spec("5000", "USD", "service:Amazon EC2")});
  EXPECT_EQ(v.status, verdict::Status::Error);
  EXPECT_NE(v.reason.find("matches none of the 19 cost rows"), std::string::npos) << v.reason;
}

TEST(BudgetGate, ManyBudgetsFromYamlInOnePass) {
  BudgetSpec defaults;
  std::vector<BudgetSpec> budgets = load_budgets(fixture("budgets.yaml"), defaults);
  ASSERT_EQ(budgets.size(), 3u);
  verdict::Verdict v = check(budgets);
  EXPECT_EQ(figure(v, "spent", 0), "1554.6");
  EXPECT_EQ(figure(v, "status", 0), "pass");
  EXPECT_EQ(figure(v, "spent", 1), "427.8");  // 255 USD + 160 EUR * 1.08
  EXPECT_EQ(figure(v, "status", 1), "fail");
  const auto& groups = v.summary["budgets"][1]["groups"];  // largest first, EUR converted
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0]["key"], "AWS");
  EXPECT_EQ(groups[0]["spent"], "175");
  EXPECT_EQ(groups[1]["key"], "Microsoft");
  EXPECT_EQ(groups[1]["spent"], "172.8");
  EXPECT_EQ(groups[2]["key"], "Google Cloud");
  EXPECT_EQ(figure(v, "spent", 2), "80.1");
  EXPECT_EQ(figure(v, "status", 2), "pass");
  EXPECT_EQ(v.status, verdict::Status::Fail);
  bool located = false;
  for (const auto& f : v.findings)
    located = located || (f.subject == "staging" && f.location.line == 8);
  EXPECT_TRUE(located);
}

TEST(BudgetGate, BudgetsYamlMistakesSayWhere) {
  files::TempDir dir("budget-test");
  auto error_of = [&](const std::string& yaml) {
    std::string path = (dir.path() / "budgets.yaml").string();
    files::write_atomic(path, yaml);
    try {
      load_budgets(path, BudgetSpec{});
    } catch (const Error& e) {
      return str::replace_all(e.message(), path, "budgets.yaml");
    }
    return std::string("no error");
  };
  EXPECT_EQ(error_of("budgets:\n  - name: a\n    amount: 10\n    scpe: provider:AWS\n"),
            "budgets.yaml:4:5: unknown budget key 'scpe' (did you mean 'scope'?); keys: name, "
            "amount, currency, scope, group_by, period, warn_at, fail_on, cost, fx");
  EXPECT_EQ(error_of("budgets:\n  - name: a\n    amount: 1,000\n"),
            "budgets.yaml:3:13: amount '1,000' is not a number (write 1200.50)");
  EXPECT_EQ(error_of("budgets:\n  - name: a\n    amount: 5\n    period: weekly\n"),
            "budgets.yaml:4:13: period 'weekly': only monthly budgets are supported");
  EXPECT_EQ(error_of("budgets:\n  - name: a\n    amount: 5\n  - name: a\n    amount: 6\n"),
            "budgets.yaml:4:5: two budgets are named 'a'");
  EXPECT_EQ(error_of("budgets:\n  - name: a\n    amount: 5\n    scope: servce:x\n").substr(0, 55),
            "budgets.yaml:4:12: scope term 'servce:x': unknown key '");
  EXPECT_EQ(error_of("budgets: []\n"), "budgets.yaml:1:10: 'budgets' must be a non-empty list");
}

}  // namespace
}  // namespace tollgate::budget

namespace tollgate::budget {
namespace {

// The fixture's rows repeated many times; with line breaks inside quotes when asked, so that
// the parallel reader's cuts land inside quoted fields.
std::string repeated_fixture(const files::TempDir& dir, int copies, bool multiline) {
  std::string text = files::read(fixture("focus_mixed.csv"));
  size_t header_end = text.find('\n') + 1;
  std::string body = text.substr(header_end);
  if (multiline) body = str::replace_all(body, "EC2 on-demand", "\"EC2\non-demand\"");
  std::string out = text.substr(0, header_end);
  for (int i = 0; i < copies; ++i)
    out += body;
  std::string path = (dir.path() / "big.csv").string();
  files::write_atomic(path, out);
  return path;
}

verdict::Verdict check_with(const std::string& file, unsigned threads,
                            std::vector<BudgetSpec> budgets) {
  GateOptions o;
  o.source = SourceSpec::parse("focus:" + file);
  o.source_options.as_of = at("2026-11-21T00:00:00Z");
  o.source_options.parallel = {threads, 0, 1};
  return check_budgets(budgets, o);
}

TEST(BudgetGate, ParallelReadingGivesTheSameVerdict) {
  files::TempDir dir("budget-parallel");
  BudgetSpec grouped = spec("1000000", "USD", "tag:env=staging");
  grouped.group_by = GroupBy::parse("provider,service");
  for (bool multiline : {false, true}) {
    std::string file = repeated_fixture(dir, 2000, multiline);
    verdict::Verdict one = check_with(file, 1, {spec("5000000"), grouped});
    ASSERT_EQ(one.status, verdict::Status::Pass) << one.reason;
    EXPECT_EQ(figure(one, "spent"), "3269200");  // 2000 x 1634.60
    for (unsigned threads : {2u, 3u, 7u}) {
      verdict::Verdict many = check_with(file, threads, {spec("5000000"), grouped});
      EXPECT_EQ(verdict::to_json(many).dump(), verdict::to_json(one).dump())
          << threads << " threads, multiline " << multiline;
    }
  }
}

TEST(BudgetGate, ParallelReadingReportsErrorsAtTheirTrueLine) {
  files::TempDir dir("budget-parallel");
  std::string file = repeated_fixture(dir, 500, false);
  std::string text = files::read(file);
  size_t at_row = 0;
  for (int line = 1; line < 9000; ++line)
    at_row = text.find('\n', at_row) + 1;
  size_t cost = text.find(",10.05,", at_row);
  files::write_atomic(file, text.substr(0, cost) + ",ten," + text.substr(cost + 7));
  long line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(cost), '\n');
  try {
    check_with(file, 4, {spec("1000000")});
    FAIL() << "a bad amount passed";
  } catch (const Error& e) {
    EXPECT_EQ(e.where().line, line) << e.message();
    EXPECT_NE(std::string(e.what()).find("BilledCost 'ten'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tollgate::budget
