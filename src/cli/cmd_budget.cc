// tollgate check budget: parse the flags, hand the budgets to the budget module, print the verdict.
#include <chrono>

#include "budget/gate.h"
#include "budget/report.h"
#include "cli/command.h"
#include "cli/gate_output.h"
#include "util/timefmt.h"

namespace tollgate::cli {
namespace {

constexpr const char* kDescription =
    "Checks this billing period's cloud spend against one budget or many, failing closed:\n"
    "stale, missing or malformed cost data, an API error and mixed currencies are exit 2,\n"
    "never a pass. Sums are exact decimals; credits, refunds and corrections count as they are.";

constexpr const char* kFooter = R"(Sources:
  focus:FILE          FinOps FOCUS 1.0-1.2 CSV export, plain or gzip, streamed in constant memory
  aws-ce:FILE         aws ce get-cost-and-usage output (UnblendedCost = billed, AmortizedCost =
                      effective); a JSON list of pages is read as one answer
  cloudhealth:URL     CloudHealth reporting API report URL; API key from $CLOUDHEALTH_API_KEY
                      (sent as a Bearer header), or an api_key=KEY query parameter in the URL
  opencost:URL        OpenCost /allocation (default query: window=month&aggregate=namespace&step=1d)

Period and forecast:
  The billing period is the one holding --as-of. Rows charged at or after --as-of are left out,
  so an older --as-of replays the verdict of that day. d = days of the period the data covers
  (up to the latest ChargePeriodEnd, not today's date), D = days in the period,
  MTD = spend so far, U = the part that runs on: ChargeFrequency Usage-Based rows and Recurring
  ones for less than the period (One-Time rows count once, even a refund under Usage; without
  ChargeFrequency, ChargeCategory Usage rows):
      forecast       = MTD + U / d * (D - d)
      naive forecast = MTD * D / d            (reported, never judged)
  --fail-on actual fails when MTD > budget; --fail-on forecast also when forecast > budget.
  Equal to the budget passes. --warn-at P adds a warning from P percent of the budget.

Scopes (--scope, terms joined by ',' must all hold; exact and case-sensitive):
  provider:AWS  billing-account:ID  sub-account:ID  service:NAME  region:ID
  category:Usage (ChargeCategory)  tag:env=staging  tag:env (any value)  untagged:env
--group-by takes the same keys (tag:KEY) for a breakdown.

budgets.yaml:
  budgets:
    - name: staging
      amount: 1200.00
      currency: USD
      scope: provider:AWS,tag:env=staging
      period: monthly
      warn_at: 80
      fail_on: forecast     # or actual (default)
      cost: billed          # or effective
      group_by: service
      fx: {EUR: 1.08}

Examples:
  tollgate check budget --source focus:costs.csv.gz --budget 5000 --currency USD
  tollgate check budget --source focus:costs.csv --budget 1200 --scope tag:env=staging \
      --fail-on forecast --warn-at 80 --group-by service
  tollgate check budget --source aws-ce:ce.json --budgets budgets.yaml --format dotenv -o budget.env
  CLOUDHEALTH_API_KEY=... tollgate check budget --budget 900 \
      --source 'cloudhealth:https://chapi.cloudhealthtech.com/olap_reports/cost/history?interval=monthly&dimensions[]=time&dimensions[]=AWS-Service-Category&measures[]=cost'

Exit codes: 0 every budget within its limit, 1 a budget is over, 2 could not verify.)";

struct Flags {
  std::string source, budget, currency, scope, group_by, as_of,
      cost = "billed", fail_on = "actual", warn_at, budgets_file, name = "budget",
      api_key_env = "CLOUDHEALTH_API_KEY", max_staleness = "48h", timeout = "30s";
  std::vector<std::string> fx;
  GateOutput out;
};

std::chrono::milliseconds duration_flag(const std::string& text, const char* flag) {
  auto d = timefmt::parse_duration(text);
  if (!d)
    throw UsageError(std::string(flag) + " '" + text +
                     "': write a duration like 48h, 90m or 2 days");
  return *d;
}

budget::Seconds as_of_flag(const std::string& text) {
  if (text.empty() || text == "now")
    return std::chrono::duration_cast<std::chrono::seconds>(
               timefmt::Clock::now().time_since_epoch())
        .count();
  auto t = timefmt::parse_iso8601(text);
  if (!t)
    throw UsageError("--as-of '" + text +
                     "': write a date (2026-11-20) or a time (2026-11-20T12:00:00Z)");
  return std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count();
}

std::vector<budget::BudgetSpec> budgets_from(const Flags& f) {
  budget::BudgetSpec defaults;
  defaults.currency = f.currency;
  if (!f.currency.empty()) budget::check_currency_code(f.currency, "--currency");
  defaults.cost = budget::parse_cost_basis(f.cost);
  defaults.fail_on = budget::parse_fail_on(f.fail_on);
  if (!f.warn_at.empty()) defaults.warn_at = budget::parse_percent(f.warn_at, "--warn-at");
  for (const auto& fx : f.fx)
    defaults.fx.insert(budget::parse_fx(fx));
  if (!defaults.fx.empty() && f.currency.empty())
    throw UsageError("--fx converts into the budget's currency: give --currency too");
  defaults.group_by = budget::GroupBy::parse(f.group_by);
  if (!f.budgets_file.empty()) {
    if (!f.budget.empty() || !f.scope.empty())
      throw UsageError("--budgets FILE holds the amounts and scopes: drop --budget and --scope");
    return budget::load_budgets(f.budgets_file, defaults);
  }
  if (f.budget.empty())
    throw UsageError("give --budget AMOUNT (with --currency) or --budgets FILE");
  defaults.name = f.name;
  defaults.amount = budget::parse_amount(f.budget, "--budget");
  defaults.scope = budget::Scope::parse(f.scope);
  return {defaults};
}

Runner setup(CLI::App& cmd) {
  auto f = std::make_shared<Flags>();
  cmd.description(kDescription);
  cmd.footer(kFooter);
  cmd.add_option("--source", f->source,
                 "Cost data: focus:FILE, aws-ce:FILE, cloudhealth:URL, opencost:URL")
      ->required();
  cmd.add_option("--budget", f->budget, "The budget for the period, e.g. 1200.50");
  cmd.add_option(
      "--currency", f->currency,
      "The budget's currency; only rows billed in it count (default: the data's one currency)");
  cmd.add_option("--scope", f->scope, "Rows the budget covers, e.g. provider:AWS,tag:env=staging");
  cmd.add_option("--group-by", f->group_by,
                 "Show a breakdown by service, sub-account, tag:KEY, ...");
  cmd.add_option("--as-of", f->as_of,
                 "The time to judge at (default: now), e.g. 2026-11-20T12:00:00Z");
  cmd.add_option("--cost", f->cost, "billed (the invoice, BilledCost) or effective (amortized)")
      ->capture_default_str();
  cmd.add_option("--fail-on", f->fail_on,
                 "actual (spend over budget) or forecast (spend or forecast over)")
      ->capture_default_str();
  cmd.add_option("--warn-at", f->warn_at,
                 "Add a warning finding from this percent of the budget, e.g. 80");
  cmd.add_option("--fx", f->fx,
                 "Convert a currency into --currency: EUR=1.08 (1 EUR = 1.08); repeatable")
      ->allow_extra_args(false);
  cmd.add_option("--max-staleness", f->max_staleness,
                 "Fail closed when the data ends longer than this before --as-of")
      ->capture_default_str();
  cmd.add_option("--budgets", f->budgets_file, "A budgets.yaml with many budgets (see below)");
  cmd.add_option("--name", f->name, "The budget's name in reports")->capture_default_str();
  cmd.add_option("--api-key-env", f->api_key_env,
                 "Environment variable holding the CloudHealth API key")
      ->capture_default_str();
  cmd.add_option("--timeout", f->timeout, "HTTP timeout for API sources")->capture_default_str();
  f->out.add_options(cmd);
  // The budget lines head the shared table; its variables join the shared dotenv.
  f->out.context.table = budget::budget_table();
  f->out.context.dotenv = budget::budget_dotenv();
  return [f]() {
    // Flags are checked first (a UsageError is exit 2 with the usage hint); everything read
    // from files or APIs becomes an error verdict in the chosen format.
    budget::GateOptions options;
    options.source = budget::SourceSpec::parse(f->source);
    options.source_options.as_of = as_of_flag(f->as_of);
    options.source_options.api_key_env = f->api_key_env;
    options.source_options.timeout = duration_flag(f->timeout, "--timeout");
    options.source_options.currency = f->currency;
    options.max_staleness = std::chrono::duration_cast<std::chrono::seconds>(
                                duration_flag(f->max_staleness, "--max-staleness"))
                                .count();
    return run_gate("budget", f->out, [&] {
      std::vector<budget::BudgetSpec> budgets = budgets_from(*f);
      return budget::check_budgets(budgets, options);
    });
  };
}

const bool registered = register_command({"check budget",
                                          "Check cloud spend against budgets (FOCUS, "
                                          "Cost Explorer, CloudHealth, OpenCost)",
                                          setup});

}  // namespace
}  // namespace tollgate::cli
