// The parallel FOCUS reader against the sequential one: the same sums, groups and coverage to
// the last digit, whatever the thread count and wherever the cuts fall, and the same error at
// the same line when the data is bad.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "budget/focus_source.h"
#include "budget/ledger.h"
#include "util/files.h"
#include "util/strings.h"

namespace tollgate::budget {
namespace {

constexpr Seconds kAsOf = 1795521600;  // 2026-11-24T12:00:00Z

// A bill with every awkward thing a cut can meet: a BOM, CRLF line ends, quoted commas,
// doubled quotes, line breaks inside a quoted description, untagged rows, two currencies.
std::string make_bill(int rows, unsigned seed) {
  std::mt19937 rng(seed);
  std::string text =
      "\xEF\xBB\xBF"
      "BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,"
      "BilledCost,EffectiveCost,ChargeCategory,ChargeClass,ChargeDescription,ProviderName,"
      "ServiceName,SubAccountId,Tags\r\n";
  const char* providers[] = {"AWS", "Microsoft", "Google Cloud"};
  const char* services[] = {"EC2", "S3, Glacier", "Lambda \"edge\"", "RDS"};
  const char* envs[] = {"prod", "staging", "Prod"};
  for (int i = 0; i < rows; ++i) {
    int p = static_cast<int>(rng() % 3);
    int day = 1 + static_cast<int>(rng() % 23);
    std::string start = "2026-11-" + std::string(day < 10 ? "0" : "") + std::to_string(day);
    std::string end = "2026-11-" + std::string(day + 1 < 10 ? "0" : "") + std::to_string(day + 1);
    std::string cost = std::to_string(rng() % 100) + "." + std::to_string(rng() % 1000000);
    bool credit = rng() % 17 == 0;
    std::string service = services[rng() % 4];
    std::string description = rng() % 5 == 0 ? "\"two\nlines, \"\"quoted\"\"\"" : "plain";
    std::string tags = rng() % 9 == 0
                           ? ""
                           : "\"{\"\"env\"\":\"\"" + std::string(envs[rng() % 3]) +
                                 "\"\",\"\"team\"\":\"\"t" + std::to_string(rng() % 4) + "\"\"}\"";
    text += std::string(p == 1 ? "EUR" : "USD") + ",2026-11-01T00:00:00Z,2026-12-01T00:00:00Z," +
            start + "T00:00:00Z," + end + "T00:00:00Z," + (credit ? "-" : "") + cost + "," + cost +
            "," + (credit ? "Credit" : "Usage") + ",," + description + "," + providers[p] + ",\"" +
            str::replace_all(service, "\"", "\"\"") + "\",acct-" + std::to_string(rng() % 5) + "," +
            tags + (rng() % 3 ? "\r\n" : "\n");
  }
  return text;
}

std::vector<BudgetSpec> budgets() {
  std::vector<BudgetSpec> out(3);
  out[0].name = "aws-prod";
  out[0].scope = Scope::parse("provider:AWS,tag:env=prod");
  out[0].group_by = GroupBy::parse("service");
  out[1].name = "eur-by-team";
  out[1].currency = "EUR";
  out[1].group_by = GroupBy::parse("tag:team,sub-account");
  out[2].name = "untagged";
  out[2].currency = "USD";
  out[2].scope = Scope::parse("untagged:env");
  for (auto& b : out)
    b.amount = Decimal::from_int(1000);
  return out;
}

// Everything the figures say, as text, so a mismatch shows what differs.
std::string summarize(const Ledger& ledger) {
  Coverage c = ledger.coverage(48 * 3600);
  std::string out = std::to_string(c.rows) + " rows, " + std::to_string(c.rows_in_period) +
                    " in period, through " + format_time(c.data_through) + "\n";
  for (const BudgetFigures& f : ledger.figures(c)) {
    out += f.currency + " spent " + f.spent.str() + " usage " + f.usage.str() + " forecast " +
           f.forecast.str() + " rows " + std::to_string(f.rows) + " " + f.error + "\n";
    for (const auto& [key, value] : f.groups)
      out += "  " + key + " " + value.str() + "\n";
  }
  return out;
}

class FocusParallel : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    files::write_atomic(path_, text);
    return path_;
  }
  std::string sequential(const std::vector<BudgetSpec>& specs) {
    Ledger ledger(specs, kAsOf);
    read_focus(path_, ledger,
               {Dimension::Provider, Dimension::Service, Dimension::SubAccount, Dimension::Tag});
    return summarize(ledger);
  }
  std::string parallel(const std::vector<BudgetSpec>& specs, unsigned threads) {
    Ledger ledger(specs, kAsOf);
    read_focus_parallel(
        path_, ledger,
        {Dimension::Provider, Dimension::Service, Dimension::SubAccount, Dimension::Tag},
        ParallelOptions{threads, 0, 1});
    return summarize(ledger);
  }
  files::TempDir dir_{"focus-parallel"};
  std::string path_ = (dir_.path() / "bill.csv").string();
};

TEST_F(FocusParallel, AnyThreadCountGivesExactlyTheSequentialFigures) {
  auto specs = budgets();
  for (unsigned seed : {1u, 2u, 3u}) {
    write(make_bill(3000, seed));
    std::string expected = sequential(specs);
    ASSERT_NE(expected.find("EC2"), std::string::npos) << expected;
    for (unsigned threads : {2u, 3u, 7u, 16u})
      EXPECT_EQ(parallel(specs, threads), expected) << "seed " << seed << ", " << threads;
  }
}

TEST_F(FocusParallel, CutsInsideQuotedLineBreaksStillGiveTheSameFigures) {
  // Every row's description spans lines, so most cuts land inside a quoted field.
  std::string text = make_bill(400, 9);
  text = str::replace_all(text, ",plain,", ",\"a\nb\nc\",");
  write(text);
  auto specs = budgets();
  std::string expected = sequential(specs);
  for (unsigned threads = 2; threads <= 9; ++threads)
    EXPECT_EQ(parallel(specs, threads), expected) << threads << " threads";
}

TEST_F(FocusParallel, ErrorsCarryTheTrueLine) {
  std::string text = make_bill(2000, 4);
  // Row 1500's BilledCost becomes text; its line counts the breaks inside quoted fields.
  size_t at = 0;
  for (int i = 0; i < 1500; ++i)
    at = text.find(",2026-12-01T00:00:00Z,", at + 1);
  size_t cost = at + 22 + 2 * 21;  // after BillingPeriodEnd and the charge period
  text.insert(cost, "x");
  write(text);
  long line = 1 + static_cast<long>(std::count(text.begin(), text.begin() + cost, '\n'));
  auto specs = budgets();
  for (unsigned threads : {1u, 2u, 5u}) {
    Ledger ledger(specs, kAsOf);
    try {
      read_focus_parallel(path_, ledger, {Dimension::Provider}, ParallelOptions{threads, 0, 1});
      ADD_FAILURE() << "bad cost read without error";
    } catch (const Error& e) {
      EXPECT_EQ(e.where().line, line) << e.message();
      EXPECT_NE(e.message().find("is not a FOCUS number"), std::string::npos) << e.message();
    }
  }
}

}  // namespace
}  // namespace tollgate::budget
