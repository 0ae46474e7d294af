#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "budget/budget_spec.h"
#include "budget/cost_row.h"

namespace tollgate::budget {

// What the data says about itself, whatever the budgets.
struct Coverage {
  Seconds period_start = 0, period_end = 0;  // the billing period holding --as-of
  // The latest ChargePeriodEnd of a non-correction Usage row charged before --as-of.
  Seconds data_through = 0;
  Seconds covered = 0;  // seconds of the period the data covers
  long rows = 0, rows_in_period = 0, rows_after_as_of = 0;
};

// One budget's figures for the billing period, all in `currency`.
struct BudgetFigures {
  std::string currency;
  Decimal spent;     // month to date: every row in scope, negative ones included
  Decimal usage;     // the part from Usage rows of this period (what the run rate extrapolates)
  Decimal forecast;  // spent + usage / covered * (period - covered)
  Decimal naive_forecast;  // spent * period / covered
  long rows = 0;
  std::vector<std::pair<std::string, Decimal>> groups;  // breakdown, largest first
  std::map<std::string, Decimal> excluded;              // spend in other currencies, left out
  std::string error;  // why this budget cannot be verified ("" = fine)
};

// Sums a cost source for many budgets in one pass: every row is offered to every budget.
// A row counts when its billing period holds as_of and it was charged before as_of (so an
// older as_of replays what the gate said then); corrections of earlier periods count in the
// invoice they appear on.
class Ledger : public SplittableSink {
 public:
  Ledger(const std::vector<BudgetSpec>& budgets, Seconds as_of);
  ~Ledger() override;

  void add(const CostRow& row) override;
  std::unique_ptr<SplittableSink> split() const override;
  void merge(SplittableSink& part) override;

  // Throws Error when the data cannot back any verdict: no rows for the period holding as_of,
  // data older than max_staleness, or no day of the period covered yet.
  Coverage coverage(Seconds max_staleness) const;
  // Figures per budget, in the order given; a budget that cannot be verified (two currencies,
  // no rows in its scope) carries an error instead of failing the others.
  std::vector<BudgetFigures> figures(const Coverage& coverage) const;

 private:
  struct Account;
  const std::vector<BudgetSpec>& budgets_;
  std::vector<Account> accounts_;
  Seconds as_of_;
  void set_period(std::pair<Seconds, Seconds> period);

  std::optional<std::pair<Seconds, Seconds>> period_;
  Seconds data_through_ = 0;   // of Usage rows
  Seconds other_through_ = 0;  // of the rest, used only when there is no usage at all
  Seconds latest_period_start_ = 0;
  long rows_ = 0, rows_in_period_ = 0, rows_after_as_of_ = 0;
  std::string group_scratch_;
};

std::string format_time(Seconds t);  // 2026-11-20T00:00:00Z
std::string format_day(Seconds t);   // 2026-11-20

}  // namespace tollgate::budget
