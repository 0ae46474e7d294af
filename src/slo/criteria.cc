#include "slo/criteria.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace tollgate::slo {

std::string_view to_string(Op op) {
  switch (op) {
    case Op::Less:
      return "<";
    case Op::LessEqual:
      return "<=";
    case Op::Equal:
      return "=";
    case Op::GreaterEqual:
      return ">=";
    case Op::Greater:
      return ">";
  }
  return "?";
}

bool nearly_equal(double a, double b) {
  if (a == b) return true;
  if (!std::isfinite(a) || !std::isfinite(b)) return false;
  double scale = std::max({1.0, std::fabs(a), std::fabs(b)});
  return std::fabs(a - b) <= 1e-9 * scale;
}

Criterion parse_criterion(std::string_view text, const SourceLocation& where) {
  Criterion c;
  c.text = std::string(text);
  c.where = where;
  std::string s;
  for (char ch : text)
    if (!std::isspace(static_cast<unsigned char>(ch))) s += ch;
  auto fail = [&](const std::string& why) -> Criterion {
    throw Error(where, "criterion '" + c.text + "': " + why +
                           " (write an operator <, <=, =, >=, > and a number, e.g. \"<=600\", "
                           "\"<=+10%\")");
  };
  size_t pos = 0;
  if (s.rfind("<=", 0) == 0) {
    c.op = Op::LessEqual;
    pos = 2;
  } else if (s.rfind(">=", 0) == 0) {
    c.op = Op::GreaterEqual;
    pos = 2;
  } else if (s.rfind("<", 0) == 0) {
    c.op = Op::Less;
    pos = 1;
  } else if (s.rfind(">", 0) == 0) {
    c.op = Op::Greater;
    pos = 1;
  } else if (s.rfind("=", 0) == 0) {
    c.op = Op::Equal;
    pos = s.rfind("==", 0) == 0 ? 2 : 1;
  } else {
    return fail("no comparison operator at the start");
  }
  if (pos < s.size() && (s[pos] == '<' || s[pos] == '>' || s[pos] == '='))
    return fail("'" + s.substr(0, pos + 1) + "' is not an operator");
  if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) c.relative = true;
  if (!s.empty() && s.back() == '%') {
    c.percent = true;
    c.relative = true;
    s.pop_back();
  }
  std::string_view number(s.data() + pos, s.size() - pos);
  if (!number.empty() && number.front() == '+') number.remove_prefix(1);
  if (number.empty() || number == "-") return fail("no number after the operator");
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), c.number);
  if (ec != std::errc() || end != number.data() + number.size())
    return fail("'" + std::string(number) + "' is not a number");
  if (!std::isfinite(c.number)) return fail("the number must be finite");
  return c;
}

std::optional<double> Criterion::target(std::optional<double> previous) const {
  if (!relative) return number;
  if (!previous) return std::nullopt;
  if (percent) return *previous * (100.0 + number) / 100.0;
  return *previous + number;
}

bool Criterion::satisfied_by(double measured, std::optional<double> previous) const {
  std::optional<double> t = target(previous);
  if (!t) return true;  // Keptn: a comparison without history passes
  if (std::isnan(measured)) return false;
  bool equal = nearly_equal(measured, *t);
  switch (op) {
    case Op::Less:
      return measured < *t && !equal;
    case Op::LessEqual:
      return measured <= *t || equal;
    case Op::Equal:
      return equal;
    case Op::GreaterEqual:
      return measured >= *t || equal;
    case Op::Greater:
      return measured > *t && !equal;
  }
  return false;
}

bool CriteriaSet::relative() const {
  for (const auto& c : items)
    if (c.relative) return true;
  return false;
}

}  // namespace tollgate::slo
