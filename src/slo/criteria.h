#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace tollgate::slo {

enum class Op { Less, LessEqual, Equal, GreaterEqual, Greater };
std::string_view to_string(Op op);

// One Keptn criterion such as "<600", "<=+10%" or ">=-5". A signed number or a '%' makes it a
// comparison with the aggregated value of earlier evaluations (Keptn's parseCriteriaString).
struct Criterion {
  Op op = Op::LessEqual;
  double number = 0;      // as written, sign included
  bool relative = false;  // compares with history
  bool percent = false;   // number is a percentage of the historical value
  std::string text;       // as written in the file, for reports
  SourceLocation where;

  // The value the measurement is compared with; nullopt when the criterion is relative and
  // there is no history (Keptn then counts it as satisfied).
  std::optional<double> target(std::optional<double> previous) const;
  // measured <op> target, with equality judged to 1e-9 relative so that decimal noise
  // (0.1 + 0.2) does not decide a verdict.
  bool satisfied_by(double measured, std::optional<double> previous) const;
};

// Parses one criterion; throws Error at `where` with what is wrong.
Criterion parse_criterion(std::string_view text, const SourceLocation& where);

// Items of one set are AND-combined; sets are OR-combined (Keptn's `pass: [{criteria: [...]}]`).
struct CriteriaSet {
  std::vector<Criterion> items;
  bool relative() const;
};

// True when a and b are equal up to float noise.
bool nearly_equal(double a, double b);

}  // namespace tollgate::slo
