#include "budget/decimal.h"

#include <gtest/gtest.h>

#include "util/error.h"

namespace tollgate::budget {
namespace {

Decimal d(std::string_view s) {
  auto v = Decimal::parse(s);
  if (!v) throw std::runtime_error("bad decimal in test: " + std::string(s));
  return *v;
}

TEST(Decimal, ParsesFocusNumberForms) {
  EXPECT_EQ(d("12.5").str(), "12.5");
  EXPECT_EQ(d("-0.000001").str(), "-0.000001");
  EXPECT_EQ(d("1.25E0").str(), "1.25");
  EXPECT_EQ(d("8E-1").str(), "0.8");
  EXPECT_EQ(d("8e+2").str(), "800");
  EXPECT_EQ(d("0").str(), "0");
  EXPECT_EQ(d("-0").str(), "0");
  EXPECT_EQ(d("000123.4500").str(), "123.45");
  EXPECT_EQ(d(".5").str(), "0.5");
  EXPECT_EQ(d("5.").str(), "5");
  EXPECT_EQ(d("123.4567890123").str(), "123.4567890123");
  EXPECT_EQ(d("0.000000000000000001").str(), "0.000000000000000001");
  EXPECT_EQ(d("170000000000000000000").str(), "170000000000000000000");
}

TEST(Decimal, RejectsWhatFocusForbids) {
  for (const char* bad : {"", "-", ".", "+1", "1,000.00", "$5", "5 ", " 5", "1..2", "1.2.3", "e5",
                          "1e", "1e+", "NaN", "inf", "Not Applicable", "0x10", "1_000", "--1"})
    EXPECT_FALSE(Decimal::parse(bad)) << bad;
}

// The fast path reads digits eight at a time: every length and every position of a bad byte.
TEST(Decimal, DigitsEightAtATimeAgreeWithOneAtATime) {
  std::string digits = "9876543210987654321";
  for (size_t w = 1; w <= 19; ++w)
    for (size_t f = 0; f <= 18; ++f) {
      std::string text = digits.substr(0, w) + (f ? "." + digits.substr(19 - f) : "");
      auto d = Decimal::parse(text);
      ASSERT_TRUE(d) << text;
      std::string expected = text;
      while (expected.find('.') != std::string::npos && expected.back() == '0')
        expected.pop_back();
      if (expected.back() == '.') expected.pop_back();
      EXPECT_EQ(d->str(), expected) << text;
      EXPECT_EQ((-*d).str(), "-" + expected);
      EXPECT_EQ(Decimal::parse("-" + text), -*d);
      for (size_t bad = 0; bad < text.size(); ++bad) {
        if (text[bad] == '.') continue;
        for (char c : {'/', ':', 'a', ' ', '\0'}) {
          std::string broken = text;
          broken[bad] = c;
          EXPECT_FALSE(Decimal::parse(broken)) << broken;
        }
      }
    }
}

TEST(Decimal, RejectsOutOfRange) {
  EXPECT_FALSE(Decimal::parse("1e21"));
  EXPECT_FALSE(Decimal::parse("200000000000000000000"));
  EXPECT_FALSE(Decimal::parse("1e100001"));
}

TEST(Decimal, RoundsBeyondEighteenPlacesHalfToEven) {
  EXPECT_EQ(d("0.0000000000000000005").str(), "0");                     // tie, 0 is even
  EXPECT_EQ(d("0.0000000000000000015").str(), "0.000000000000000002");  // tie, up to even
  EXPECT_EQ(d("0.00000000000000000051").str(), "0.000000000000000001");
  EXPECT_EQ(d("1.25E-19").str(), "0");
  EXPECT_EQ(d("1e-400").str(), "0");
  // More than 38 significant digits: the dropped tail still breaks the tie.
  EXPECT_EQ(d("0.0000000000000000005000000000000000000000000001").str(), "0.000000000000000001");
}

TEST(Decimal, SumsWithoutFloatingPointDrift) {
  Decimal sum;
  for (int i = 0; i < 1'000'000; ++i)
    sum += d("0.1");
  EXPECT_EQ(sum.str(), "100000");
  Decimal cents;
  for (int i = 0; i < 3; ++i)
    cents += d("0.1");
  EXPECT_EQ(cents, d("0.3"));  // 0.1 + 0.1 + 0.1 != 0.3 in binary floating point
}

TEST(Decimal, NegativeRowsCount) {
  Decimal total = d("100.00") + d("-25.10") + d("-0.90");
  EXPECT_EQ(total.str(), "74");
  EXPECT_TRUE((d("1") - d("2")).is_negative());
  EXPECT_LT(d("-1"), d("0"));
  EXPECT_GT(d("0.0000001"), d("0"));
}

TEST(Decimal, FixedRoundsHalfToEven) {
  EXPECT_EQ(d("2.345").fixed(2), "2.34");
  EXPECT_EQ(d("2.355").fixed(2), "2.36");
  EXPECT_EQ(d("2.3451").fixed(2), "2.35");
  EXPECT_EQ(d("-2.345").fixed(2), "-2.34");
  EXPECT_EQ(d("-0.001").fixed(2), "0.00");
  EXPECT_EQ(d("7").fixed(2), "7.00");
  EXPECT_EQ(d("0.5").fixed(0), "0");
  EXPECT_EQ(d("1.5").fixed(0), "2");
  EXPECT_EQ(d("1234567.891").fixed(3), "1234567.891");
}

TEST(Decimal, MultiplyAndDivideExactly) {
  EXPECT_EQ((d("1000.50") * d("1.08")).str(), "1080.54");
  EXPECT_EQ((d("-3") * d("0.5")).str(), "-1.5");
  EXPECT_EQ((d("50") / d("20")).str(), "2.5");
  EXPECT_EQ((d("1") / d("3")).str(), "0.333333333333333333");
  EXPECT_EQ((d("2") / d("3")).str(), "0.666666666666666667");
  EXPECT_EQ((d("-2") / d("3")).str(), "-0.666666666666666667");
  // Large operands need the 256-bit intermediate: 1e11 * 1e9 = 1e20.
  EXPECT_EQ((d("100000000000") * d("1000000000")).str(), "100000000000000000000");
  EXPECT_EQ((d("123456789012.345678") * d("0.000001")).str(), "123456.789012345678");
}

TEST(Decimal, MulDivIsOneRounding) {
  // AWS's example: 50 spent by day 20 of a 30-day month projects to 75.
  EXPECT_EQ(Decimal::mul_div(d("50"), d("30"), d("20")).str(), "75");
  EXPECT_EQ(Decimal::mul_div(d("100"), d("31"), d("3")).str(), "1033.333333333333333333");
  EXPECT_EQ(Decimal::mul_div(d("-100"), d("-31"), d("3")).str(), "1033.333333333333333333");
}

TEST(Decimal, OutOfRangeArithmeticThrows) {
  Decimal big = d("170000000000000000000");
  EXPECT_THROW(big += big, Error);
  EXPECT_THROW(-big - big, Error);
  EXPECT_THROW(big * d("2"), Error);
  EXPECT_THROW(d("1") / d("0"), Error);
  EXPECT_THROW(big / d("0.001"), Error);
}

}  // namespace
}  // namespace tollgate::budget
