#include "budget/budget_spec.h"

#include <set>

#include "util/strings.h"
#include "util/yaml.h"

namespace tollgate::budget {
namespace {

const std::vector<std::string> kBudgetKeys = {"name",   "amount",  "currency", "scope", "group_by",
                                              "period", "warn_at", "fail_on",  "cost",  "fx"};

// Runs a value parser on a YAML node, moving its complaint to the node's file:line:col.
template <typename Parse>
auto at_node(const yaml::Node& node, Parse parse) {
  try {
    return parse(node.as_string("a scalar"));
  } catch (const Error& e) {
    if (e.where().known()) throw;
    throw Error(node.where, e.what());
  }
}

BudgetSpec read_budget(const yaml::Node& node, const BudgetSpec& defaults) {
  if (!node.is_mapping())
    throw Error(node.where,
                "a budget is a mapping with name, amount, scope, ...; found " + node.describe());
  BudgetSpec b = defaults;
  b.where = node.where;
  bool has_name = false, has_amount = false;
  for (const auto& entry : node.entries) {
    const std::string& key = entry.key.scalar;
    const yaml::Node& v = entry.value;
    if (key == "name") {
      b.name = v.as_string("a name");
      has_name = !b.name.empty();
    } else if (key == "amount") {
      b.amount = at_node(v, [](const std::string& s) { return parse_amount(s, "amount"); });
      has_amount = true;
    } else if (key == "currency") {
      b.currency = at_node(v, [](const std::string& s) {
        check_currency_code(s, "currency");
        return s;
      });
    } else if (key == "scope") {
      b.scope = at_node(v, [](const std::string& s) { return Scope::parse(s); });
    } else if (key == "group_by") {
      b.group_by = at_node(v, [](const std::string& s) { return GroupBy::parse(s); });
    } else if (key == "period") {
      if (v.as_string("a period") != "monthly")
        throw Error(v.where, "period '" + v.scalar + "': only monthly budgets are supported");
    } else if (key == "warn_at") {
      b.warn_at = at_node(v, [](const std::string& s) { return parse_percent(s, "warn_at"); });
    } else if (key == "fail_on") {
      b.fail_on = at_node(v, [](const std::string& s) { return parse_fail_on(s); });
    } else if (key == "cost") {
      b.cost = at_node(v, [](const std::string& s) { return parse_cost_basis(s); });
    } else if (key == "fx") {
      if (!v.is_mapping())
        throw Error(v.where, "fx is a mapping of currency to rate, e.g. {EUR: 1.08}");
      for (const auto& rate : v.entries) {
        std::string code = rate.key.scalar;
        at_node(rate.key, [](const std::string& s) {
          check_currency_code(s, "fx");
          return 0;
        });
        b.fx[code] =
            at_node(rate.value, [&](const std::string& s) { return parse_amount(s, "fx rate"); });
      }
    } else {
      std::string hint = str::closest(key, kBudgetKeys);
      throw Error(entry.key.where, "unknown budget key '" + key + "'" +
                                       (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                                       "; keys: " + str::join(kBudgetKeys, ", "));
    }
  }
  if (!has_name) throw Error(node.where, "budget without a name: add name: ...");
  if (!has_amount) throw Error(node.where, "budget '" + b.name + "' has no amount");
  if (!b.fx.empty() && b.currency.empty())
    throw Error(node.where,
                "budget '" + b.name + "': fx needs the budget's currency to convert into");
  return b;
}

}  // namespace

std::string_view to_string(CostBasis c) {
  return c == CostBasis::Billed ? "billed" : "effective";
}

std::string_view to_string(FailOn f) {
  return f == FailOn::Actual ? "actual" : "forecast";
}

Decimal parse_amount(std::string_view text, std::string_view what) {
  auto v = Decimal::parse(str::trim(text));
  if (!v)
    throw UsageError(std::string(what) + " '" + std::string(text) +
                     "' is not a number (write 1200.50)");
  if (v->is_negative() || v->is_zero())
    throw UsageError(std::string(what) + " '" + std::string(text) + "' must be greater than zero");
  return *v;
}

Decimal parse_percent(std::string_view text, std::string_view what) {
  std::string_view t = str::trim(text);
  if (!t.empty() && t.back() == '%') t.remove_suffix(1);
  return parse_amount(t, what);
}

CostBasis parse_cost_basis(std::string_view text) {
  if (text == "billed") return CostBasis::Billed;
  if (text == "effective") return CostBasis::Effective;
  throw UsageError("cost '" + std::string(text) +
                   "': choose billed (the invoice, BilledCost) or "
                   "effective (amortized, EffectiveCost)");
}

FailOn parse_fail_on(std::string_view text) {
  if (text == "actual") return FailOn::Actual;
  if (text == "forecast") return FailOn::Forecast;
  throw UsageError("fail-on '" + std::string(text) + "': choose actual or forecast");
}

void check_currency_code(std::string_view code, std::string_view what) {
  bool ok = !code.empty() && code.size() <= 32;
  for (char c : code)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-');
  if (!ok)
    throw UsageError(
        std::string(what) + " '" + std::string(code) +
        "' is not a currency code (ISO 4217 like USD, or a provider's virtual currency)");
}

std::pair<std::string, Decimal> parse_fx(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos)
    throw UsageError("--fx '" + std::string(text) +
                     "': write CUR=RATE, e.g. EUR=1.08 (1 EUR = 1.08 of the budget's currency)");
  std::string code(str::trim(text.substr(0, eq)));
  check_currency_code(code, "--fx");
  return {code, parse_amount(text.substr(eq + 1), "--fx rate")};
}

std::vector<BudgetSpec> load_budgets(const std::string& path, const BudgetSpec& defaults) {
  yaml::Node root = yaml::load_file(path);
  if (!root.is_mapping())
    throw Error(root.where.known() ? root.where : SourceLocation{path},
                "expected a mapping with a 'budgets' list; found " + root.describe());
  const yaml::Node* list = nullptr;
  for (const auto& entry : root.entries) {
    if (entry.key.scalar == "budgets") {
      list = &entry.value;
    } else {
      std::string hint = str::closest(entry.key.scalar, {"budgets"});
      throw Error(entry.key.where, "unknown key '" + entry.key.scalar + "'" +
                                       (hint.empty() ? "" : " (did you mean 'budgets'?)"));
    }
  }
  if (!list || !list->is_sequence() || list->items.empty())
    throw Error(list ? list->where : root.where, "'budgets' must be a non-empty list");
  std::vector<BudgetSpec> out;
  std::set<std::string> names;
  for (const auto& item : list->items) {
    BudgetSpec b = read_budget(item, defaults);
    if (!names.insert(b.name).second)
      throw Error(item.where, "two budgets are named '" + b.name + "'");
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace tollgate::budget
