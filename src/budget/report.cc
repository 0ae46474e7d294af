#include "budget/report.h"

#include "budget/decimal.h"
#include "util/table.h"
#include "util/term.h"
#include "verdict/report.h"

namespace tollgate::budget {
namespace {

constexpr int kBarWidth = 20;

std::string text(const nlohmann::json& j, const char* key) {
  if (!j.contains(key)) return "";
  return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

std::string bar(const std::string& percent_text) {
  auto percent = Decimal::parse(percent_text);
  if (!percent) return "";
  Decimal capped = std::min(std::max(*percent, Decimal{}), Decimal::from_int(100));
  auto filled = static_cast<int>(
      (Decimal::mul_div(capped, Decimal::from_int(kBarWidth), Decimal::from_int(100)))
          .rounded(0)
          .raw() /
      Decimal::from_int(1).raw());
  std::string cells = std::string(static_cast<size_t>(filled), '#') +
                      std::string(static_cast<size_t>(kBarWidth - filled), '.');
  term::Color color = *percent > Decimal::from_int(100)   ? term::Color::Red
                      : *percent >= Decimal::from_int(80) ? term::Color::Yellow
                                                          : term::Color::Green;
  return "[" + term::paint(color, cells) + "]";
}

std::string money(const nlohmann::json& b, const char* key) {
  auto d = Decimal::parse(text(b, key));
  return d ? d->fixed(2) + " " + text(b, "currency") : "-";
}

std::string env_name(std::string_view s) {
  std::string out;
  for (unsigned char c : s)
    out += std::isalnum(c) ? static_cast<char>(std::toupper(c)) : '_';
  return out;
}

std::string dotenv_status(const std::string& status) {
  return status == "pass" ? "UNDER" : status == "fail" ? "OVER" : "UNKNOWN";
}

// The budget lines with their bars, then each budget's breakdown.
std::string budget_head(const verdict::Verdict& v) {
  std::string out;
  const nlohmann::json budgets = v.summary.value("budgets", nlohmann::json::array());
  if (!budgets.empty()) {
    TextTable table({"BUDGET", "SPENT", "LIMIT", "USED", "", "FORECAST", "STATUS"});
    for (const auto& b : budgets) {
      std::string status = text(b, "status");
      term::Color color = status == "pass" ? term::Color::Green : term::Color::Red;
      bool ok = status != "error";
      table.add({text(b, "name"), ok ? money(b, "spent") : "-",
                 ok ? money(b, "budget") : text(b, "budget"), ok ? bar(text(b, "percent")) : "",
                 ok ? text(b, "percent") + "%" : "", ok ? money(b, "forecast") : "-",
                 term::paint(color, status == "pass"   ? "UNDER"
                                    : status == "fail" ? "OVER"
                                                       : "UNKNOWN")});
    }
    out += table.render();
    for (const auto& b : budgets) {
      const auto groups = b.value("groups", nlohmann::json::array());
      if (groups.empty()) continue;
      out += "\n" + text(b, "name") + " by " + text(b, "group_by") + ":\n";
      TextTable breakdown({"  " + text(b, "group_by"), "SPENT", "SHARE"});
      auto total = Decimal::parse(text(b, "spent"));
      for (const auto& g : groups) {
        auto spent = Decimal::parse(text(g, "spent"));
        std::string share =
            total && spent && !total->is_zero()
                ? Decimal::mul_div(*spent, Decimal::from_int(100), *total).fixed(1) + "%"
                : "";
        breakdown.add({"  " + text(g, "key"),
                       spent ? spent->fixed(2) + " " + text(b, "currency") : "", share});
      }
      out += breakdown.render(60);
    }
    out += "\n";
  }
  return out;
}

}  // namespace

verdict::TableSections budget_table() {
  verdict::TableSections t;
  t.head = [](const verdict::Verdict& v) -> std::optional<std::string> { return budget_head(v); };
  t.figures = {"source",       "period_start", "period_end",
               "data_through", "days_covered", "days_in_period"};
  return t;
}

namespace {

verdict::DotenvVariables budget_variables(const verdict::Verdict& v) {
  // Most important first, as GitLab reads only the first 20 variables: the verdict, each
  // budget's status, then the figures budget by budget.
  verdict::DotenvVariables vars = {
      {"BUDGET_STATUS", dotenv_status(std::string(verdict::to_string(v.status)))}};
  const nlohmann::json budgets = v.summary.value("budgets", nlohmann::json::array());
  auto prefix_of = [&](const nlohmann::json& b) {
    return budgets.size() == 1 ? std::string("BUDGET_")
                               : "BUDGET_" + env_name(text(b, "name")) + "_";
  };
  if (budgets.size() > 1)
    for (const auto& b : budgets)
      vars.emplace_back(prefix_of(b) + "STATUS", dotenv_status(text(b, "status")));
  for (const auto& b : budgets)
    for (const auto& [key, field] : {std::pair{"SPENT", "spent"},
                                     {"LIMIT", "budget"},
                                     {"PERCENT", "percent"},
                                     {"FORECAST", "forecast"},
                                     {"CURRENCY", "currency"}})
      if (b.contains(field)) vars.emplace_back(prefix_of(b) + key, text(b, field));
  if (v.summary.contains("days_covered"))
    vars.emplace_back("BUDGET_DAYS_COVERED", text(v.summary, "days_covered"));
  return vars;
}

}  // namespace

verdict::DotenvSections budget_dotenv() {
  return {budget_variables};
}

}  // namespace tollgate::budget
