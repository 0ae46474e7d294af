#pragma once

#include <string>

#include "verdict/report.h"
#include "verdict/verdict.h"

namespace tollgate::budget {

// The budget's part of the shared table: a line per budget with a bar of how much is used and
// each breakdown above the shared findings, the period's figures and the result line.
verdict::TableSections budget_table();

// The budget's variables in the shared dotenv report, for pipelines that gate on a variable:
// BUDGET_STATUS=UNDER|OVER|UNKNOWN and the figures (BUDGET_SPENT, BUDGET_FORECAST, BUDGET_LIMIT,
// BUDGET_PERCENT, BUDGET_CURRENCY, BUDGET_DAYS_COVERED; with several budgets, each budget's
// BUDGET_<NAME>_STATUS first, then its BUDGET_<NAME>_* figures).
verdict::DotenvSections budget_dotenv();

}  // namespace tollgate::budget
