#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tollgate::budget {

// An exact signed decimal with 18 fractional digits, held in a 128-bit integer: sums of millions
// of cost rows stay exact to the last digit a provider printed (AWS prints 10), and the range
// (about ±1.7e20) is far beyond any bill. Arithmetic that would leave the range throws Error
// rather than wrapping; nothing ever passes through floating point.
class Decimal {
 public:
  static constexpr int kScale = 18;
  using Raw = __int128;

  constexpr Decimal() = default;
  static constexpr Decimal from_raw(Raw raw) {
    Decimal d;
    d.raw_ = raw;
    return d;
  }
  static Decimal from_int(int64_t units);

  // Parses the FOCUS number format: an optional '-', digits with an optional fraction, an
  // optional exponent ("1.25E0", "8E-1", "-0.5", ".5", "5."). No '+' sign, spaces, currency
  // symbols or thousands separators. Digits beyond the 18th decimal place are rounded half to
  // even. nullopt when malformed or out of range.
  static std::optional<Decimal> parse(std::string_view text);

  Raw raw() const { return raw_; }
  bool is_zero() const { return raw_ == 0; }
  bool is_negative() const { return raw_ < 0; }

  // The exact value with no trailing zeros: "12.5", "-0.000001", "0".
  std::string str() const;
  // Rounded half to even to `places` decimals, always printing them: "12.50".
  std::string fixed(int places) const;
  Decimal rounded(int places) const;

  Decimal operator-() const;
  Decimal& operator+=(Decimal other);
  Decimal& operator-=(Decimal other);
  friend Decimal operator+(Decimal a, Decimal b) { return a += b; }
  friend Decimal operator-(Decimal a, Decimal b) { return a -= b; }
  friend auto operator<=>(Decimal a, Decimal b) = default;

  // a * b / c computed with a 256-bit intermediate and one rounding (half to even), so
  // run-rate forecasts and percentages do not accumulate error. Throws Error when c is zero or
  // the result is out of range.
  static Decimal mul_div(Decimal a, Decimal b, Decimal c);
  Decimal operator*(Decimal other) const;
  Decimal operator/(Decimal other) const;

 private:
  Raw raw_ = 0;
};

}  // namespace tollgate::budget
