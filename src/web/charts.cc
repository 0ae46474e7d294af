#include "web/charts.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "web/html.h"

namespace tollgate::web {
namespace {

constexpr int kWidth = 640, kHeight = 220;
constexpr int kLeft = 56, kRight = 12, kTop = 14, kBottom = 36;

std::string tick(double v) {
  if (std::fabs(v) >= 1000) return fmt::format("{:.0f}", v);
  if (std::fabs(v) >= 10) return fmt::format("{:.1f}", v);
  return fmt::format("{:.2f}", v);
}

}  // namespace

std::string line_chart(const std::vector<Series>& series, std::string_view x_label,
                       std::string_view y_label, std::optional<double> limit) {
  double x0 = INFINITY, x1 = -INFINITY, y1 = limit.value_or(0);
  for (const auto& s : series)
    for (auto [x, y] : s.points)
      if (std::isfinite(x) && std::isfinite(y)) {
        x0 = std::min(x0, x), x1 = std::max(x1, x), y1 = std::max(y1, y);
      }
  if (!(x1 >= x0)) return "<p class=\"muted\">No data to chart.</p>";
  if (x1 == x0) x1 = x0 + 1;
  if (y1 <= 0) y1 = 1;
  y1 *= 1.08;
  double w = kWidth - kLeft - kRight, h = kHeight - kTop - kBottom;
  auto px = [&](double x) { return kLeft + (x - x0) / (x1 - x0) * w; };
  auto py = [&](double y) { return kTop + h - y / y1 * h; };
  std::string out = fmt::format(
      "<svg class=\"chart\" role=\"img\" aria-label=\"{0}\" width=\"{1}\" height=\"{2}\" "
      "viewBox=\"0 0 {1} {2}\"><line class=\"axis\" x1=\"{3}\" y1=\"{4}\" x2=\"{5}\" y2=\"{4}\"/>"
      "<line class=\"axis\" x1=\"{3}\" y1=\"{6}\" x2=\"{3}\" y2=\"{4}\"/>",
      escape(y_label), kWidth, kHeight, kLeft, kTop + h, kLeft + w, kTop);
  for (int i = 0; i <= 4; ++i) {
    double v = y1 / 1.08 * i / 4;
    out += fmt::format("<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>", kLeft - 4,
                       py(v) + 4, tick(v));
  }
  out += fmt::format(
      "<text x=\"{}\" y=\"{}\" text-anchor=\"start\">{}</text><text x=\"{}\" y=\"{}\" "
      "text-anchor=\"end\">{}</text><text x=\"{:.0f}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
      kLeft, kHeight - 20, tick(x0), kLeft + w, kHeight - 20, tick(x1), kLeft + w / 2, kHeight - 4,
      escape(x_label));
  if (limit)
    out += fmt::format("<line class=\"limit\" x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\"/>",
                       kLeft, py(*limit), kLeft + w, py(*limit));
  for (size_t i = 0; i < series.size(); ++i) {
    std::string d;
    for (auto [x, y] : series[i].points)
      if (std::isfinite(x) && std::isfinite(y))
        d += fmt::format("{}{:.1f} {:.1f}", d.empty() ? "M" : " L", px(x), py(y));
    out += fmt::format("<path class=\"s{}\" d=\"{}\"><title>{}</title></path>", i % 4, d,
                       escape(series[i].name));
    out += fmt::format(
        "<rect class=\"k{0}\" x=\"{1}\" y=\"{2}\" width=\"10\" height=\"10\"/><text x=\"{3}\" "
        "y=\"{4}\">{5}</text>",
        i % 4, kLeft + 8 + static_cast<int>(i) * 150, kTop, kLeft + 22 + static_cast<int>(i) * 150,
        kTop + 9, escape(series[i].name));
  }
  return out + "</svg>";
}

std::string budget_bar(double spent, double forecast, double limit, std::string_view currency) {
  constexpr int width = 640, height = 58, left = 8, bar = 16;
  double top = std::max({spent, forecast, limit, 1e-9}) * 1.05;
  auto px = [&](double v) { return left + std::max(0.0, v) / top * (width - 2 * left); };
  return fmt::format(
      "<svg class=\"chart budget\" role=\"img\" aria-label=\"spent {0:.2f} of {2:.2f} {3}\" "
      "width=\"{4}\" height=\"{5}\" viewBox=\"0 0 {4} {5}\">"
      "<rect class=\"bar-forecast\" x=\"{6}\" y=\"8\" width=\"{7:.1f}\" height=\"{8}\"/>"
      "<rect class=\"bar-spent\" x=\"{6}\" y=\"8\" width=\"{9:.1f}\" height=\"{8}\"/>"
      "<line class=\"limit\" x1=\"{10:.1f}\" y1=\"2\" x2=\"{10:.1f}\" y2=\"{11}\"/>"
      "<text x=\"{6}\" y=\"{12}\">spent {0:.2f} · forecast {1:.2f} · limit {2:.2f} {3}</text>"
      "</svg>",
      spent, forecast, limit, escape(currency), width, height, left, px(forecast) - left, bar,
      px(spent) - left, px(limit), 8 + bar + 6, 8 + bar + 22);
}

}  // namespace tollgate::web
