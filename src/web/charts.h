// Charts as server-drawn SVG (no script, no library): lines over time and a budget's bar.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tollgate::web {

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;  // x, y
};

// Lines on shared axes, from 0 on y. `limit` draws a dashed line (a threshold or a budget).
// Points with a non-finite value are left out.
std::string line_chart(const std::vector<Series>& series, std::string_view x_label,
                       std::string_view y_label, std::optional<double> limit = std::nullopt);

// One budget: spent and forecast as bars against the limit's line.
std::string budget_bar(double spent, double forecast, double limit, std::string_view currency);

}  // namespace tollgate::web
