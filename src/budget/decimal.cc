#include "budget/decimal.h"

#include <array>
#include <cstring>

#include "util/error.h"

namespace tollgate::budget {
namespace {

using U128 = unsigned __int128;

constexpr int kMaxDigits = 38;  // 10^38 < 2^128: a 38-digit mantissa always fits

constexpr std::array<U128, kMaxDigits + 1> make_powers() {
  std::array<U128, kMaxDigits + 1> p{};
  p[0] = 1;
  for (int i = 1; i <= kMaxDigits; ++i)
    p[i] = p[i - 1] * 10;
  return p;
}
constexpr auto kPow10 = make_powers();
constexpr U128 kMaxMagnitude = (static_cast<U128>(1) << 127) - 1;
constexpr U128 kOne = kPow10[Decimal::kScale];

U128 magnitude(Decimal::Raw r) {
  return r < 0 ? static_cast<U128>(0) - static_cast<U128>(r) : static_cast<U128>(r);
}

Decimal::Raw with_sign(U128 m, bool negative) {
  auto r = static_cast<Decimal::Raw>(m);
  return negative ? -r : r;
}

// Divides by 10^k and rounds half to even; `sticky` says digits below the dividend were nonzero.
U128 divide_pow10(U128 m, int k, bool sticky) {
  if (k > kMaxDigits) return 0;  // m < 10^38 <= 10^k / 10, so below half
  U128 p = kPow10[k];
  U128 q = m / p, r = m % p, half = p / 2;
  if (r > half || (r == half && (sticky || (q & 1)))) ++q;
  return q;
}

std::string digits(U128 m) {
  if (m == 0) return "0";
  std::string s;
  while (m > 0) {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(m % 10)));
    m /= 10;
  }
  return s;
}

struct U256 {
  U128 hi = 0, lo = 0;
};

U256 multiply(U128 a, U128 b) {
  const U128 mask = (static_cast<U128>(1) << 64) - 1;
  U128 a0 = a & mask, a1 = a >> 64, b0 = b & mask, b1 = b >> 64;
  U128 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  U128 middle = (p00 >> 64) + (p01 & mask) + (p10 & mask);  // < 3 * 2^64, no overflow
  U256 r;
  r.lo = (p00 & mask) | (middle << 64);
  r.hi = p11 + (p01 >> 64) + (p10 >> 64) + (middle >> 64);
  return r;
}

// Eight ASCII digits to their value, or false when a byte is not a digit: the SWAR technique
// (as in simdjson), a handful of 64-bit operations instead of eight multiply-adds.
bool eight_digits(const char* p, uint64_t& out) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  // A byte is a digit when its high nibble is 3 and adding 6 leaves it at 3.
  if (((v & 0xF0F0F0F0F0F0F0F0) | (((v + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) >> 4)) !=
      0x3333333333333333)
    return false;
  v = (v & 0x0F0F0F0F0F0F0F0F) * 2561 >> 8;               // pairs of digits
  v = (v & 0x00FF00FF00FF00FF) * 6553601 >> 16;           // groups of four
  out = (v & 0x0000FFFF0000FFFF) * 42949672960001 >> 32;  // all eight
  return true;
}

// Reads up to `max` digits at p into value; returns how many.
size_t read_digits(const char*& p, const char* end, size_t max, uint64_t& value) {
  size_t count = 0;
  uint64_t chunk;
  while (end - p >= 8 && count + 8 <= max && eight_digits(p, chunk)) {
    value = value * 100000000 + chunk;
    p += 8;
    count += 8;
  }
  while (p < end && *p >= '0' && *p <= '9' && count < max) {
    value = value * 10 + static_cast<uint64_t>(*p++ - '0');
    ++count;
  }
  return count;
}

constexpr uint64_t kOne64 = 1000000000000000000;  // 10^kScale

// The common shape of a cost, "-12.3456789012": up to 19 integer and 18 fraction digits, no
// exponent. Parsed with 64-bit arithmetic; anything else takes the general path.
bool parse_plain(std::string_view s, Decimal::Raw& out) {
  const char* p = s.data();
  const char* end = p + s.size();
  bool negative = p < end && *p == '-';
  p += negative;
  uint64_t whole = 0, frac = 0;
  size_t whole_digits = read_digits(p, end, 19, whole), frac_digits = 0;
  if (p < end && *p == '.') {
    ++p;
    frac_digits = read_digits(p, end, Decimal::kScale, frac);
  }
  if (p != end || whole_digits + frac_digits == 0) return false;
  U128 m = static_cast<U128>(whole) * kOne64 +
           static_cast<U128>(frac) * static_cast<uint64_t>(kPow10[Decimal::kScale - frac_digits]);
  if (m > kMaxMagnitude) return false;
  out = with_sign(m, negative);
  return true;
}

}  // namespace

Decimal Decimal::from_int(int64_t units) {
  return from_raw(static_cast<Raw>(units) * static_cast<Raw>(kOne));
}

std::optional<Decimal> Decimal::parse(std::string_view s) {
  if (Raw fast; parse_plain(s, fast)) return from_raw(fast);
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && s[i] == '-') {
    negative = true;
    ++i;
  }
  U128 mantissa = 0;
  int significant = 0, dropped = 0, fraction_digits = 0;
  bool any_digit = false, sticky = false, in_fraction = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.') {
      if (in_fraction) return std::nullopt;
      in_fraction = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    any_digit = true;
    if (in_fraction) ++fraction_digits;
    if (significant == 0 && c == '0') continue;  // leading zeros carry no information
    if (significant < kMaxDigits) {
      mantissa = mantissa * 10 + static_cast<U128>(c - '0');
      ++significant;
    } else {
      ++dropped;
      sticky = sticky || c != '0';
    }
  }
  if (!any_digit) return std::nullopt;
  long exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
    size_t start = i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      exponent = exponent * 10 + (s[i] - '0');
      if (exponent > 100'000) return std::nullopt;
    }
    if (i == start) return std::nullopt;
    if (exp_negative) exponent = -exponent;
  }
  if (i != s.size()) return std::nullopt;

  long shift = kScale + exponent - fraction_digits + dropped;
  U128 m;
  if (mantissa == 0) {
    m = 0;
  } else if (shift >= 0) {
    if (dropped > 0 || shift > kMaxDigits || mantissa > kMaxMagnitude / kPow10[shift])
      return std::nullopt;
    m = mantissa * kPow10[shift];
  } else {
    m = divide_pow10(mantissa, static_cast<int>(std::min<long>(-shift, kMaxDigits + 1)), sticky);
  }
  if (m > kMaxMagnitude) return std::nullopt;
  return from_raw(with_sign(m, negative));
}

std::string Decimal::str() const {
  U128 m = magnitude(raw_);
  std::string out = raw_ < 0 ? "-" : "";
  out += digits(m / kOne);
  U128 frac = m % kOne;
  if (frac != 0) {
    std::string f = digits(frac);
    f.insert(0, static_cast<size_t>(kScale) - f.size(), '0');
    while (f.back() == '0')
      f.pop_back();
    out += "." + f;
  }
  return out;
}

Decimal Decimal::rounded(int places) const {
  if (places >= kScale) return *this;
  int k = kScale - (places < 0 ? 0 : places);
  U128 m = divide_pow10(magnitude(raw_), k, false) * kPow10[k];
  return from_raw(with_sign(m, raw_ < 0));
}

std::string Decimal::fixed(int places) const {
  if (places < 0) places = 0;
  if (places > kScale) places = kScale;
  U128 m = magnitude(rounded(places).raw_);
  std::string out = raw_ < 0 && m != 0 ? "-" : "";
  out += digits(m / kOne);
  if (places > 0) {
    std::string f = digits(m % kOne);
    f.insert(0, static_cast<size_t>(kScale) - f.size(), '0');
    out += "." + f.substr(0, static_cast<size_t>(places));
  }
  return out;
}

Decimal Decimal::operator-() const {
  return from_raw(-raw_);
}

Decimal& Decimal::operator+=(Decimal other) {
  Raw result;
  if (__builtin_add_overflow(raw_, other.raw_, &result) || magnitude(result) > kMaxMagnitude)
    throw Error("amount out of range: a sum exceeds 1.7e20");
  raw_ = result;
  return *this;
}

Decimal& Decimal::operator-=(Decimal other) {
  Raw result;
  if (__builtin_sub_overflow(raw_, other.raw_, &result) || magnitude(result) > kMaxMagnitude)
    throw Error("amount out of range: a difference exceeds 1.7e20");
  raw_ = result;
  return *this;
}

Decimal Decimal::mul_div(Decimal a, Decimal b, Decimal c) {
  if (c.raw_ == 0) throw Error("division by zero");
  bool negative = ((a.raw_ < 0) != (b.raw_ < 0)) != (c.raw_ < 0);
  U256 p = multiply(magnitude(a.raw_), magnitude(b.raw_));
  U128 divisor = magnitude(c.raw_);
  // Binary long division of the 256-bit product. The remainder stays below the divisor
  // (< 2^127), so shifting it left by one never overflows.
  U128 remainder = 0, quotient = 0;
  for (int bit = 255; bit >= 0; --bit) {
    U128 word = bit >= 128 ? p.hi : p.lo;
    remainder = (remainder << 1) | ((word >> (bit % 128)) & 1);
    bool set = remainder >= divisor;
    if (set) remainder -= divisor;
    if (bit >= 127 && set) throw Error("amount out of range in a product or quotient");
    if (set) quotient |= static_cast<U128>(1) << bit;
  }
  U128 twice = remainder << 1;
  if (twice > divisor || (twice == divisor && (quotient & 1))) ++quotient;
  if (quotient > kMaxMagnitude) throw Error("amount out of range in a product or quotient");
  return from_raw(with_sign(quotient, negative));
}

Decimal Decimal::operator*(Decimal other) const {
  return mul_div(*this, other, from_raw(static_cast<Raw>(kOne)));
}

Decimal Decimal::operator/(Decimal other) const {
  return mul_div(*this, from_raw(static_cast<Raw>(kOne)), other);
}

}  // namespace tollgate::budget
