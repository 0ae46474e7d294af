#pragma once

#include <vector>

#include "budget/budget_spec.h"
#include "budget/source.h"
#include "verdict/verdict.h"

namespace tollgate::budget {

struct GateOptions {
  SourceSpec source;
  SourceOptions source_options;  // as_of lives here
  Seconds max_staleness = 48 * 3600;
};

// Reads the source once for every budget and judges each one. A budget fails when its spend
// so far is over the amount, or, with fail_on forecast, when the spend or the forecast is;
// equal to the amount passes. The verdict is error when any budget cannot be verified, else
// fail when any is over, else pass. Throws Error when the data itself cannot be used.
verdict::Verdict check_budgets(const std::vector<BudgetSpec>& budgets, const GateOptions& options);

}  // namespace tollgate::budget
