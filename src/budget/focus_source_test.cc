#include "budget/focus_source.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "budget/tags.h"
#include "util/error.h"
#include "util/files.h"
#include "util/strings.h"

namespace tollgate::budget {
namespace {

constexpr const char* kHeader =
    "BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,"
    "BilledCost,EffectiveCost,ChargeCategory,ChargeClass,ProviderName,ServiceName,"
    "BillingAccountId,Tags\n";
constexpr const char* kRow =
    "USD,2026-11-01T00:00:00Z,2026-12-01T00:00:00Z,2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,"
    "1.5,1.25,Usage,,AWS,EC2,111,\"{\"\"env\"\":\"\"prod\"\"}\"\n";

struct Collect : RowSink {
  Decimal billed, effective;
  std::vector<std::string> tags, envs;
  void add(const CostRow& row) override {
    // As a tag scope would look: malformed Tags throw.
    std::string scratch;
    auto env = find_tag_view(row.tags, "env", scratch, nullptr, row.tags_doubled);
    envs.emplace_back(env ? *env : "(none)");
    billed += row.billed;
    effective += row.effective;
    tags.emplace_back(row.tags);
  }
};

class FocusSource : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    files::write_atomic(path_, text);
    return path_;
  }
  std::string error_of(const std::string& text, std::set<Dimension> needed = {}) {
    Collect sink;
    try {
      read_focus(write(text), sink, needed);
    } catch (const Error& e) {
      return str::replace_all(e.message(), path_, "costs.csv");
    }
    return "no error";
  }
  files::TempDir dir_{"focus-test"};
  std::string path_ = (dir_.path() / "costs.csv").string();
};

TEST_F(FocusSource, ReadsRowsPlainAndGzip) {
  std::string text = std::string(kHeader) + kRow + kRow;
  Collect plain;
  EXPECT_EQ(read_focus(write(text), plain, {Dimension::Tag}), 2);
  EXPECT_EQ(plain.billed.str(), "3");
  EXPECT_EQ(plain.effective.str(), "2.5");
  EXPECT_EQ(plain.tags[0], R"({""env"":""prod""})");  // left CSV-quoted, read as such
  EXPECT_EQ(plain.envs[0], "prod");
  std::string gz = (dir_.path() / "costs.csv.gz").string();
  gzFile f = gzopen(gz.c_str(), "wb");
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
  Collect zipped;
  EXPECT_EQ(read_focus(gz, zipped, {}), 2);
  EXPECT_EQ(zipped.billed, plain.billed);
}

TEST_F(FocusSource, FailsClosedWithFileAndLine) {
  std::string row = kRow;
  EXPECT_EQ(error_of(""), "costs.csv: empty file: expected a FOCUS header line");
  EXPECT_EQ(error_of(kHeader), "costs.csv: no cost rows after the header");
  EXPECT_EQ(error_of(std::string(kHeader) + kRow + str::replace_all(row, "1.5,", "abc,")),
            "costs.csv:3: BilledCost 'abc' is not a FOCUS number (digits, '.', '-', E-notation)");
  EXPECT_EQ(error_of(std::string(kHeader) + str::replace_all(row, "1.5,", ",")),
            "costs.csv:2: BilledCost is null; FOCUS requires a number here");
  EXPECT_EQ(error_of(std::string(kHeader) + str::replace_all(row, "1.5,", "$1.50,")),
            "costs.csv:2: BilledCost '$1.50' is not a FOCUS number (digits, '.', '-', E-notation)");
  EXPECT_EQ(error_of(std::string(kHeader) + str::replace_all(row, "1.25,", "1,25,")),
            "costs.csv:2: row has 14 fields but the header has 13");
  EXPECT_EQ(
      error_of(std::string(kHeader) + str::replace_all(row, "2026-11-02T00:00:00Z", "11/02/2026")),
      "costs.csv:2: ChargePeriodEnd '11/02/2026' is not a date-time like 2026-11-01T00:00:00Z");
  EXPECT_EQ(error_of(std::string(kHeader) + str::replace_all(row, "Usage", "usage")),
            "costs.csv:2: ChargeCategory 'usage' is not one of Usage, Purchase, Tax, Credit, "
            "Adjustment (FOCUS values are case-sensitive)");
  EXPECT_EQ(error_of(std::string(kHeader) + str::replace_all(row, "Usage,,", "Usage,Fix,")),
            "costs.csv:2: ChargeClass 'Fix' is neither Correction nor null");
  EXPECT_EQ(error_of(std::string(kHeader) + str::replace_all(row, "USD", "")),
            "costs.csv:2: BillingCurrency is null; FOCUS requires a currency code");
  EXPECT_EQ(
      error_of(str::replace_all(kHeader, "BilledCost", "billedcost") + kRow),
      "costs.csv:1: missing FOCUS column 'BilledCost' (the header has 'billedcost'; FOCUS names "
      "are case-sensitive); is this a FOCUS 1.0-1.2 export?");
  EXPECT_EQ(error_of(std::string(kHeader) + kRow, {Dimension::Region}),
            "costs.csv:1: missing FOCUS column 'RegionId'; is this a FOCUS 1.0-1.2 export?");
  EXPECT_EQ(
      error_of(std::string(kHeader) + str::replace_all(row, R"("{""env"":""prod""}")", "env=prod")),
      "costs.csv:2: Tags is not a flat JSON object: expected '{'");
  // Refused even when no scope reads Tags (the sink here does not look at them).
  struct Ignore : RowSink {
    void add(const CostRow&) override {}
  } ignore;
  std::string broken = std::string(kHeader) + str::replace_all(row, R"(""prod""})", R"(""prod"")");
  EXPECT_THROW(read_focus(write(broken), ignore, {}), Error);
  // A currency that is not an ISO 4217 code would sit beside the budget's, counted by none.
  EXPECT_EQ(error_of(std::string(kHeader) + str::replace_all(row, "USD",
                                                             "U\xff"
                                                             "D")),
            "costs.csv:2: BillingCurrency 'U\\xffD' is not an ISO 4217 code (three capital "
            "letters)");
  EXPECT_EQ(error_of(std::string(kHeader) + str::replace_all(row, "USD", "usd")),
            "costs.csv:2: BillingCurrency 'usd' is not an ISO 4217 code (three capital letters)");
}

TEST(FocusTime, ParsesTheFocusFormAndOffsets) {
  EXPECT_EQ(parse_focus_time("1970-01-02T00:00:00Z"), 86400);
  EXPECT_EQ(parse_focus_time("2026-11-01T00:00:00Z"), 1793491200);
  EXPECT_EQ(parse_focus_time("2026-11-01T01:00:00+01:00"), 1793491200);
  EXPECT_EQ(parse_focus_time("2026-11-01"), 1793491200);
  EXPECT_FALSE(parse_focus_time("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_focus_time("yesterday"));
}

}  // namespace
}  // namespace tollgate::budget
