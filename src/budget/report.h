#pragma once

#include <string>

#include "verdict/verdict.h"

namespace tollgate::budget {

// The terminal view: a line per budget with a bar of how much is used, each breakdown, then the
// shared findings table and the result line.
std::string render_budget_table(const verdict::Verdict& v);

// The shared dotenv report preceded by BUDGET_STATUS=UNDER|OVER|UNKNOWN and the figures
// (BUDGET_SPENT, BUDGET_FORECAST, BUDGET_LIMIT, BUDGET_PERCENT, BUDGET_CURRENCY,
// BUDGET_DAYS_COVERED; with several budgets, BUDGET_<NAME>_* for each), for pipelines that gate
// on a variable.
std::string render_budget_dotenv(const verdict::Verdict& v);

}  // namespace tollgate::budget
