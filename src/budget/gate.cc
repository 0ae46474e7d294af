#include "budget/gate.h"

#include "budget/ledger.h"
#include "util/strings.h"

namespace tollgate::budget {
namespace {

using verdict::Finding;
using verdict::Severity;
using verdict::Status;

const Decimal kHundred = Decimal::from_int(100);

std::string money(Decimal d, const std::string& currency) {
  return d.fixed(2) + " " + currency;
}

Decimal percent_of(Decimal part, Decimal whole) {
  return Decimal::mul_div(part, kHundred, whole);
}

Finding make_finding(const BudgetSpec& spec, std::string id, Severity severity, std::string title,
                     std::string detail, bool blocking) {
  Finding f;
  f.id = std::move(id);
  f.severity = severity;
  f.title = std::move(title);
  f.detail = std::move(detail);
  f.subject = spec.name;
  f.location = spec.where;
  f.blocking = blocking;
  return f;
}

struct Judged {
  Status status = Status::Pass;
  std::string reason;
  std::vector<Finding> findings;
  nlohmann::json summary;
};

Judged judge(const BudgetSpec& spec, const BudgetFigures& f, const Coverage& coverage) {
  Judged j;
  j.summary = {{"name", spec.name},
               {"scope", spec.scope.text()},
               {"cost", to_string(spec.cost)},
               {"fail_on", to_string(spec.fail_on)},
               {"budget", spec.amount.str()}};
  if (spec.warn_at) j.summary["warn_at"] = spec.warn_at->str();
  if (!f.error.empty()) {
    j.status = Status::Error;
    j.reason = "budget '" + spec.name + "': " + f.error;
    j.findings.push_back(make_finding(spec, "budget-unverified", Severity::Unknown,
                                      "the budget could not be verified", f.error, true));
    j.summary["status"] = "error";
    j.summary["reason"] = f.error;
    return j;
  }
  Decimal percent = percent_of(f.spent, spec.amount);
  Decimal forecast_percent = percent_of(f.forecast, spec.amount);
  std::string through = format_time(coverage.period_start + coverage.covered);
  nlohmann::json props = {
      {"spent", f.spent.str()},      {"forecast", f.forecast.fixed(2)},
      {"budget", spec.amount.str()}, {"currency", f.currency},
      {"percent", percent.fixed(1)}, {"forecast_percent", forecast_percent.fixed(1)}};
  bool over = f.spent > spec.amount;
  bool forecast_over = f.forecast > spec.amount;
  std::string spent_text = "spent " + money(f.spent, f.currency) + " of " +
                           money(spec.amount, f.currency) + " (" + percent.fixed(1) + "%)";
  std::string forecast_text = "forecast " + money(f.forecast, f.currency) + " (" +
                              forecast_percent.fixed(1) + "%) for the period ending " +
                              format_day(coverage.period_end - 1);
  if (over) {
    j.findings.push_back(
        make_finding(spec, "budget-over", Severity::High, "over budget: " + spent_text,
                     "month to date through " + through + "; " + forecast_text, true));
    j.findings.back().fix =
        "find the cost drivers with --group-by service (or sub-account, tag:KEY)";
  }
  if (forecast_over && !over) {
    bool blocking = spec.fail_on == FailOn::Forecast;
    j.findings.push_back(make_finding(
        spec, "budget-forecast-over", blocking ? Severity::High : Severity::Medium,
        "forecast over budget: " + forecast_text, spent_text + " through " + through, blocking));
  }
  if (spec.warn_at && !over && !(forecast_over && spec.fail_on == FailOn::Forecast)) {
    bool warn = percent >= *spec.warn_at ||
                (spec.fail_on == FailOn::Forecast && forecast_percent >= *spec.warn_at);
    if (warn)
      j.findings.push_back(
          make_finding(spec, "budget-warning", Severity::Low, "near the budget: " + spent_text,
                       "warn at " + spec.warn_at->str() + "%; " + forecast_text, false));
  }
  for (const auto& [currency, amount] : f.excluded) {
    j.findings.push_back(make_finding(spec, "budget-currency-excluded", Severity::Info,
                                      money(amount, currency) + " billed in " + currency +
                                          " is not counted in this " + f.currency + " budget",
                                      "currencies are never added without a rate", false));
    j.findings.back().fix = "give --fx " + currency + "=RATE to convert it";
  }
  for (auto& finding : j.findings)
    finding.properties = props;

  bool fail = over || (spec.fail_on == FailOn::Forecast && forecast_over);
  j.status = fail ? Status::Fail : Status::Pass;
  j.reason = "budget '" + spec.name + "' " + (fail ? "over" : "within") + ": " + spent_text + ", " +
             "forecast " + money(f.forecast, f.currency);
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& [key, amount] : f.groups)
    groups.push_back({{"key", key}, {"spent", amount.str()}});
  nlohmann::json excluded = nlohmann::json::object();
  for (const auto& [currency, amount] : f.excluded)
    excluded[currency] = amount.str();
  j.summary.update({{"status", fail ? "fail" : "pass"},
                    {"currency", f.currency},
                    {"spent", f.spent.str()},
                    {"usage", f.usage.str()},
                    {"one_off", (f.spent - f.usage).str()},
                    {"forecast", f.forecast.fixed(2)},
                    {"naive_forecast", f.naive_forecast.fixed(2)},
                    {"percent", percent.fixed(1)},
                    {"forecast_percent", forecast_percent.fixed(1)},
                    {"rows", f.rows},
                    {"group_by", spec.group_by.text()},
                    {"groups", groups},
                    {"excluded", excluded}});
  return j;
}

std::set<Dimension> needed_dimensions(const std::vector<BudgetSpec>& budgets) {
  std::set<Dimension> out;
  for (const auto& b : budgets)
    for (Dimension d : {Dimension::Provider, Dimension::BillingAccount, Dimension::SubAccount,
                        Dimension::Service, Dimension::Region, Dimension::Category, Dimension::Tag})
      if (b.scope.uses(d) || b.group_by.uses(d)) out.insert(d);
  return out;
}

Decimal days(Seconds s) {
  return Decimal::mul_div(Decimal::from_int(s), Decimal::from_int(1), Decimal::from_int(86400));
}

}  // namespace

verdict::Verdict check_budgets(const std::vector<BudgetSpec>& budgets, const GateOptions& options) {
  Ledger ledger(budgets, options.source_options.as_of);
  read_source(options.source, options.source_options, needed_dimensions(budgets), ledger);
  Coverage coverage = ledger.coverage(options.max_staleness);
  std::vector<BudgetFigures> figures = ledger.figures(coverage);

  verdict::Verdict v;
  v.gate = "budget";
  v.summary = {
      {"source", options.source.str()},
      {"as_of", format_time(options.source_options.as_of)},
      {"period_start", format_time(coverage.period_start)},
      {"period_end", format_time(coverage.period_end)},
      {"data_through", format_time(coverage.data_through)},
      {"days_covered", days(coverage.covered).rounded(4).str()},
      {"days_in_period", days(coverage.period_end - coverage.period_start).rounded(4).str()},
      {"rows_read", coverage.rows},
      {"rows_in_period", coverage.rows_in_period}};
  nlohmann::json list = nlohmann::json::array();
  std::vector<std::string> failed, errored, passed;
  for (size_t i = 0; i < budgets.size(); ++i) {
    Judged j = judge(budgets[i], figures[i], coverage);
    j.summary["days_covered"] = v.summary["days_covered"];
    for (auto& f : j.findings)
      v.findings.push_back(std::move(f));
    list.push_back(j.summary);
    (j.status == Status::Error  ? errored
     : j.status == Status::Fail ? failed
                                : passed)
        .push_back(j.reason);
  }
  v.summary["budgets"] = list;
  if (budgets.size() == 1) {
    for (const char* key : {"spent", "forecast", "budget", "percent", "currency", "status"})
      if (list[0].contains(key)) v.summary[key] = list[0][key];
  }
  if (!errored.empty()) {
    v.status = Status::Error;
    v.reason = str::join(errored, "; ");
  } else if (!failed.empty()) {
    v.status = Status::Fail;
    v.reason = str::join(failed, "; ");
  } else {
    v.status = Status::Pass;
    v.reason = budgets.size() == 1
                   ? passed[0]
                   : std::to_string(budgets.size()) + " budgets within their limits";
  }
  v.sort_findings();
  return v;
}

}  // namespace tollgate::budget
