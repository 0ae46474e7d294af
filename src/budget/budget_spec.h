#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "budget/decimal.h"
#include "budget/scope.h"
#include "util/error.h"

namespace tollgate::budget {

enum class CostBasis {
  Billed,
  Effective
};  // FOCUS BilledCost (invoice) or EffectiveCost (amortized)
enum class FailOn { Actual, Forecast };

std::string_view to_string(CostBasis c);
std::string_view to_string(FailOn f);

// One budget: what it covers and when it closes the gate.
struct BudgetSpec {
  std::string name = "budget";
  Scope scope;
  GroupBy group_by;
  Decimal amount;
  std::string currency;  // "" = the single currency the scope's rows are billed in
  // Rates into `currency`: 1 unit of the key currency = rate units of `currency`.
  std::map<std::string, Decimal> fx;
  CostBasis cost = CostBasis::Billed;
  FailOn fail_on = FailOn::Actual;
  std::optional<Decimal> warn_at;  // percent of the amount
  SourceLocation where;            // its entry in budgets.yaml, when it came from there
};

// Parsers for flag and file values; each throws UsageError saying what is accepted.
Decimal parse_amount(std::string_view text, std::string_view what);
Decimal parse_percent(std::string_view text, std::string_view what);
CostBasis parse_cost_basis(std::string_view text);
FailOn parse_fail_on(std::string_view text);
// "EUR=1.08" -> {"EUR", 1.08}
std::pair<std::string, Decimal> parse_fx(std::string_view text);
void check_currency_code(std::string_view code, std::string_view what);

// Reads budgets.yaml:
//   budgets:
//     - name: staging            # required, unique
//       amount: 1200.00          # required, > 0, in `currency`
//       currency: USD            # optional
//       scope: provider:AWS,tag:env=staging
//       group_by: service
//       period: monthly          # the only period for now
//       warn_at: 80              # percent
//       fail_on: forecast        # actual (default) or forecast
//       cost: effective          # billed (default) or effective
//       fx: {EUR: 1.08}
// `defaults` gives the starting values for the fields above. Errors carry file:line:col.
std::vector<BudgetSpec> load_budgets(const std::string& path, const BudgetSpec& defaults);

}  // namespace tollgate::budget
