#include "budget/ledger.h"

#include <algorithm>
#include <ctime>
#include <unordered_map>

#include "budget/text_hash.h"
#include "util/strings.h"

namespace tollgate::budget {

struct Ledger::Account {
  struct Totals {
    std::string currency;
    Decimal spent, usage;
    long rows = 0;
  };
  using Amounts = std::vector<std::pair<std::string, Decimal>>;  // currency -> amount

  std::vector<Totals> by_currency;
  std::unordered_map<std::string, Amounts, TextHash, std::equal_to<>> groups;

  Totals& totals(std::string_view currency) {
    for (auto& t : by_currency)
      if (t.currency == currency) return t;
    by_currency.push_back({std::string(currency)});
    return by_currency.back();
  }
  static void add_to(Amounts& amounts, std::string_view currency, Decimal value) {
    for (auto& [c, v] : amounts)
      if (c == currency) {
        v += value;
        return;
      }
    amounts.emplace_back(std::string(currency), value);
  }
};

namespace {

std::string format_tm(Seconds t, const char* pattern) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, pattern, &tm);
  return buf;
}

// Converts per-currency amounts into the budget's currency; what has no rate goes to excluded.
Decimal convert(const std::vector<std::pair<std::string, Decimal>>& amounts, const BudgetSpec& spec,
                const std::string& currency, std::map<std::string, Decimal>* excluded) {
  Decimal total;
  for (const auto& [c, v] : amounts) {
    if (c == currency) {
      total += v;
    } else if (auto rate = spec.fx.find(c); rate != spec.fx.end()) {
      total += v * rate->second;
    } else if (excluded) {
      (*excluded)[c] += v;
    }
  }
  return total;
}

}  // namespace

std::string format_time(Seconds t) {
  return format_tm(t, "%Y-%m-%dT%H:%M:%SZ");
}

std::string format_day(Seconds t) {
  return format_tm(t, "%Y-%m-%d");
}

Ledger::Ledger(const std::vector<BudgetSpec>& budgets, Seconds as_of)
    : budgets_(budgets), accounts_(budgets.size()), as_of_(as_of) {}

Ledger::~Ledger() = default;

void Ledger::add(const CostRow& row) {
  ++rows_;
  bool correction = row.is_correction();
  if (!correction && row.charge_period_start >= as_of_) {
    ++rows_after_as_of_;
    return;
  }
  // Coverage comes from accruing charges: a tax or monthly-fee row spans the whole period on day
  // one, and a one-time refund's span says nothing of how far the data goes.
  if (!correction) {
    if (row.accrues())
      data_through_ = std::max(data_through_, row.charge_period_end);
    else
      other_through_ = std::max(other_through_, row.charge_period_end);
  }
  latest_period_start_ = std::max(latest_period_start_, row.billing_period_start);
  if (!(row.billing_period_start <= as_of_ && as_of_ < row.billing_period_end)) return;
  set_period({row.billing_period_start, row.billing_period_end});
  ++rows_in_period_;
  for (size_t i = 0; i < budgets_.size(); ++i) {
    const BudgetSpec& spec = budgets_[i];
    if (!spec.scope.matches(row)) continue;
    if (spec.cost == CostBasis::Effective && !row.has_effective)
      throw Error("this source reports only the invoice (billed) view of cost; budget '" +
                  spec.name + "' asks for --cost effective");
    Decimal value = spec.cost == CostBasis::Billed ? row.billed : row.effective;
    Account& account = accounts_[i];
    Account::Totals& t = account.totals(row.currency);
    t.spent += value;
    if (row.accrues() && !correction) t.usage += value;
    ++t.rows;
    if (!spec.group_by.empty()) {
      spec.group_by.key(row, group_scratch_);
      auto it = account.groups.find(group_scratch_);
      if (it == account.groups.end())
        it = account.groups.emplace(group_scratch_, Account::Amounts{}).first;
      Account::add_to(it->second, row.currency, value);
    }
  }
}

void Ledger::set_period(std::pair<Seconds, Seconds> period) {
  if (!period_) {
    period_ = period;
  } else if (*period_ != period) {
    throw Error("two billing periods hold --as-of " + format_time(as_of_) + ": " +
                format_time(period_->first) + "/" + format_time(period_->second) + " and " +
                format_time(period.first) + "/" + format_time(period.second));
  }
}

std::unique_ptr<SplittableSink> Ledger::split() const {
  return std::make_unique<Ledger>(budgets_, as_of_);
}

void Ledger::merge(SplittableSink& part) {
  auto& other = dynamic_cast<Ledger&>(part);
  rows_ += other.rows_;
  rows_in_period_ += other.rows_in_period_;
  rows_after_as_of_ += other.rows_after_as_of_;
  data_through_ = std::max(data_through_, other.data_through_);
  other_through_ = std::max(other_through_, other.other_through_);
  latest_period_start_ = std::max(latest_period_start_, other.latest_period_start_);
  if (other.period_) set_period(*other.period_);
  for (size_t i = 0; i < accounts_.size(); ++i) {
    Account& mine = accounts_[i];
    for (const auto& t : other.accounts_[i].by_currency) {
      Account::Totals& into = mine.totals(t.currency);
      into.spent += t.spent;
      into.usage += t.usage;
      into.rows += t.rows;
    }
    for (const auto& [key, amounts] : other.accounts_[i].groups) {
      auto& into = mine.groups[key];
      for (const auto& [currency, value] : amounts)
        Account::add_to(into, currency, value);
    }
  }
}

Coverage Ledger::coverage(Seconds max_staleness) const {
  Coverage c;
  c.rows = rows_;
  c.rows_in_period = rows_in_period_;
  c.rows_after_as_of = rows_after_as_of_;
  Seconds data_through = data_through_ > 0 ? data_through_ : other_through_;
  c.data_through = data_through;
  if (!period_) {
    std::string latest =
        rows_ - rows_after_as_of_ > 0
            ? "; the latest billing period in the data starts " + format_day(latest_period_start_)
            : "";
    throw Error("no cost rows for the billing period holding --as-of " + format_time(as_of_) +
                " (" + std::to_string(rows_) + " rows read" + latest + ")");
  }
  c.period_start = period_->first;
  c.period_end = period_->second;
  Seconds lag = as_of_ - data_through;
  if (lag > max_staleness) {
    throw Error(
        "cost data is stale: it runs to " + format_time(data_through) + ", " +
        Decimal::mul_div(Decimal::from_int(lag), Decimal::from_int(1), Decimal::from_int(3600))
            .fixed(1) +
        " h before --as-of " + format_time(as_of_) + " (--max-staleness is " +
        Decimal::mul_div(Decimal::from_int(max_staleness), Decimal::from_int(1),
                         Decimal::from_int(3600))
            .fixed(1) +
        " h); refresh the export or raise --max-staleness");
  }
  Seconds through = std::min({data_through, as_of_, c.period_end});
  c.covered = through - c.period_start;
  if (c.covered <= 0)
    throw Error("the cost data covers none of the billing period starting " +
                format_day(c.period_start) + " yet (it runs to " + format_time(data_through) +
                "): nothing to measure or forecast from");
  return c;
}

std::vector<BudgetFigures> Ledger::figures(const Coverage& coverage) const {
  std::vector<BudgetFigures> out;
  Decimal period = Decimal::from_int(coverage.period_end - coverage.period_start);
  Decimal covered = Decimal::from_int(coverage.covered);
  Decimal remaining = period - covered;
  for (size_t i = 0; i < budgets_.size(); ++i) {
    const BudgetSpec& spec = budgets_[i];
    const Account& account = accounts_[i];
    BudgetFigures f;
    std::vector<std::string> currencies;
    for (const auto& t : account.by_currency)
      currencies.push_back(t.currency);
    std::sort(currencies.begin(), currencies.end());
    if (currencies.empty()) {
      f.error = "scope '" + spec.scope.text() + "' matches none of the " +
                std::to_string(coverage.rows_in_period) +
                " cost rows of the billing period starting " + format_day(coverage.period_start) +
                "; check the scope's spelling (values are case-sensitive)";
      out.push_back(std::move(f));
      continue;
    }
    if (!spec.currency.empty()) {
      f.currency = spec.currency;
    } else if (currencies.size() == 1) {
      f.currency = currencies.front();
    } else {
      f.error = "the scope holds costs in " + std::to_string(currencies.size()) + " currencies (" +
                str::join(currencies, ", ") +
                ") and currencies are never added up: give the budget's currency with --currency "
                "(and --fx CUR=RATE to convert the others)";
      out.push_back(std::move(f));
      continue;
    }
    Account::Amounts spent, usage;
    for (const auto& t : account.by_currency) {
      spent.emplace_back(t.currency, t.spent);
      usage.emplace_back(t.currency, t.usage);
      if (t.currency == f.currency || spec.fx.count(t.currency)) f.rows += t.rows;
    }
    f.spent = convert(spent, spec, f.currency, &f.excluded);
    f.usage = convert(usage, spec, f.currency, nullptr);
    if (f.rows == 0) {
      f.error = "no cost rows in scope are billed in " + f.currency + " (found " +
                str::join(currencies, ", ") + "); give --fx " + currencies.front() +
                "=RATE to convert, or pick that currency";
      out.push_back(std::move(f));
      continue;
    }
    f.forecast = f.spent + Decimal::mul_div(f.usage, remaining, covered);
    f.naive_forecast = Decimal::mul_div(f.spent, period, covered);
    for (const auto& [key, amounts] : account.groups) {
      bool any = false;
      for (const auto& [c, v] : amounts)
        any = any || c == f.currency || spec.fx.count(c);
      if (any) f.groups.emplace_back(key, convert(amounts, spec, f.currency, nullptr));
    }
    // Largest first; equal amounts by name, so the order never depends on hashing or on how
    // the file was split across threads.
    std::sort(f.groups.begin(), f.groups.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace tollgate::budget
