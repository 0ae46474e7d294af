#include "slo/criteria.h"

#include <gtest/gtest.h>

#include <cmath>

namespace tollgate::slo {
namespace {

Criterion parse(std::string_view s) {
  return parse_criterion(s, SourceLocation{"slo.yaml", 7, 9});
}

TEST(Criterion, AbsoluteOperators) {
  EXPECT_TRUE(parse("<600").satisfied_by(599.9, std::nullopt));
  EXPECT_FALSE(parse("<600").satisfied_by(600, std::nullopt));
  EXPECT_TRUE(parse("<=600").satisfied_by(600, std::nullopt));
  EXPECT_FALSE(parse("<=600").satisfied_by(600.5, std::nullopt));
  EXPECT_TRUE(parse(">=0.99").satisfied_by(0.99, std::nullopt));
  EXPECT_FALSE(parse(">0.99").satisfied_by(0.99, std::nullopt));
  EXPECT_TRUE(parse("=5").satisfied_by(5, std::nullopt));
  EXPECT_FALSE(parse("=5").satisfied_by(5.1, std::nullopt));
  EXPECT_FALSE(parse("<600").relative);
}

TEST(Criterion, WhitespaceIsIgnoredAsInKeptn) {
  Criterion c = parse(" <= 600 ");
  EXPECT_EQ(c.op, Op::LessEqual);
  EXPECT_EQ(c.number, 600);
  EXPECT_EQ(c.text, " <= 600 ");
}

TEST(Criterion, FloatNoiseDoesNotDecideEquality) {
  EXPECT_TRUE(parse("<=0.3").satisfied_by(0.1 + 0.2, std::nullopt));
  EXPECT_TRUE(parse("=0.3").satisfied_by(0.1 + 0.2, std::nullopt));
  EXPECT_FALSE(parse("<0.3").satisfied_by(0.1 + 0.2, std::nullopt));
}

TEST(Criterion, SignedNumbersAreRelativeToHistory) {
  Criterion plus = parse("<=+10");
  EXPECT_TRUE(plus.relative);
  EXPECT_FALSE(plus.percent);
  EXPECT_EQ(plus.target(100), 110);
  EXPECT_TRUE(plus.satisfied_by(110, 100));
  EXPECT_FALSE(plus.satisfied_by(110.5, 100));
  // "<=-10" means "at most the previous value minus 10", not "at most -10".
  Criterion minus = parse("<=-10");
  EXPECT_TRUE(minus.relative);
  EXPECT_EQ(minus.target(100), 90);
  EXPECT_FALSE(minus.satisfied_by(95, 100));
}

TEST(Criterion, PercentagesScaleTheHistoricalValue) {
  Criterion up = parse("<=+10%");
  EXPECT_TRUE(up.percent);
  EXPECT_NEAR(*up.target(200), 220, 1e-12);
  EXPECT_TRUE(up.satisfied_by(220, 200));
  EXPECT_FALSE(up.satisfied_by(221, 200));
  // A percentage without a sign is still relative (an increase).
  Criterion bare = parse("<10%");
  EXPECT_TRUE(bare.relative);
  EXPECT_NEAR(*bare.target(50), 55, 1e-12);
  Criterion down = parse(">=-5%");
  EXPECT_NEAR(*down.target(100), 95, 1e-12);
  EXPECT_TRUE(down.satisfied_by(95, 100));
  EXPECT_FALSE(down.satisfied_by(94.9, 100));
}

TEST(Criterion, RelativeWithoutHistoryIsSatisfied) {
  EXPECT_TRUE(parse("<=+10%").satisfied_by(1e9, std::nullopt));
  EXPECT_FALSE(parse("<=+10%").target(std::nullopt).has_value());
}

TEST(Criterion, NaNNeverSatisfies) {
  EXPECT_FALSE(parse("<=600").satisfied_by(std::nan(""), std::nullopt));
  EXPECT_FALSE(parse(">600").satisfied_by(std::nan(""), std::nullopt));
}

TEST(Criterion, MalformedCriteriaAreErrorsWithLocation) {
  for (const char* bad : {"600", "<", "<=abc", "=<5", "<<5", "<=5x", "", "<=+", ">=5%%", "<nan"}) {
    try {
      parse(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.where().line, 7) << bad;
      EXPECT_NE(std::string(e.what()).find("criterion"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace tollgate::slo
