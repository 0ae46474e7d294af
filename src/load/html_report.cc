#include "load/html_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "util/strings.h"

namespace tollgate::load {
namespace {

struct Series {
  std::string label;
  std::string color;
  std::vector<double> values;
};

// A line chart of one or more series over the run's seconds, drawn as SVG polylines.
std::string line_chart(const std::string& title, const std::string& unit,
                       const std::vector<Series>& series) {
  constexpr double kWidth = 760, kHeight = 234, kLeft = 60, kBottom = 30, kTop = 24;
  size_t points = 0;
  double top = 0;
  for (const auto& s : series) {
    points = std::max(points, s.values.size());
    for (double v : s.values)
      top = std::max(top, v);
  }
  if (top <= 0) top = 1;
  double scale = std::pow(10, std::floor(std::log10(top)));
  top = std::ceil(top / scale) * scale;  // a round axis maximum
  double plot_w = kWidth - kLeft - 10, plot_h = kHeight - kBottom - kTop;
  auto x = [&](size_t i) {
    return kLeft + (points > 1 ? plot_w * static_cast<double>(i) / (points - 1) : plot_w / 2);
  };
  auto y = [&](double v) { return kTop + plot_h * (1 - v / top); };
  std::string svg = fmt::format(
      "<h2>{}</h2>\n<svg viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\">\n",
      str::xml_escape(title), kWidth, kHeight, kWidth, kHeight);
  for (int tick = 0; tick <= 4; ++tick) {
    double v = top * tick / 4;
    svg += fmt::format(
        "<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" class=\"grid\"/>"
        "<text x=\"{}\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"end\">{:g}</text>\n",
        kLeft, y(v), kWidth - 10, y(v), kLeft - 6, y(v) + 4, v);
  }
  // The unit above the axis, clear of the top tick's label.
  svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"axis\">{}</text>\n", 4, kTop - 12,
                     str::xml_escape(unit));
  svg += fmt::format("<text x=\"{}\" y=\"{}\" class=\"axis\" text-anchor=\"end\">{} s</text>\n",
                     kWidth - 10, kHeight - 8, points);
  for (const auto& s : series) {
    std::string pts;
    for (size_t i = 0; i < s.values.size(); ++i)
      pts += fmt::format("{:.1f},{:.1f} ", x(i), y(s.values[i]));
    // A one-second run has one point per series: a polyline of one point draws nothing.
    if (s.values.size() == 1)
      svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>\n", x(0),
                         y(s.values[0]), s.color);
    svg += fmt::format(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"><title>{}</title>"
        "</polyline>\n",
        pts, s.color, str::xml_escape(s.label));
  }
  svg += "</svg>\n<p class=\"legend\">";
  for (const auto& s : series)
    svg += fmt::format("<span style=\"color:{}\">&#9632;</span> {} &nbsp; ", s.color,
                       str::xml_escape(s.label));
  return svg + "</p>\n";
}

}  // namespace

std::string render_html(const verdict::Verdict& v) {
  const nlohmann::json& s = v.summary;
  std::string status(verdict::to_string(v.status));
  std::string html =
      fmt::format(R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>tollgate load: {status}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 900px; }}
.pass {{ color: #1a7f37; }} .fail, .error {{ color: #cf222e; }}
table {{ border-collapse: collapse; font-variant-numeric: tabular-nums; }}
th, td {{ padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: right; }}
th:first-child, td:first-child {{ text-align: left; }}
.grid {{ stroke: #e5e5e5; }} .axis {{ font-size: 11px; fill: #666; }}
.legend {{ font-size: 13px; }}
</style></head><body>
<h1>tollgate load: <span class="{status}">{upper}</span></h1>
<p>{reason}</p>
)",
                  fmt::arg("status", status), fmt::arg("reason", str::xml_escape(v.reason)),
                  fmt::arg("upper", status == "pass"   ? "PASS"
                                    : status == "fail" ? "FAIL"
                                                       : "ERROR"));
  if (s.contains("target"))
    html += fmt::format("<p>target {} &middot; {} model &middot; {:.1f} s</p>\n",
                        str::xml_escape(s.value("target", "")),
                        str::xml_escape(s.value("model", "")), s.value("duration_s", 0.0));
  if (s.contains("overall")) {
    html +=
        "<h2>Requests</h2>\n<table><tr><th>request</th><th>count</th><th>failed</th><th>rps</th>"
        "<th>mean</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>p99.9</th><th>max</th>"
        "</tr>\n";
    auto row = [&](const std::string& name, const nlohmann::json& f) {
      // No timed response: the latency cells are empty, not 0 ms.
      bool timed = f.value("timed", uint64_t{1}) > 0;
      std::string cells;
      for (const char* key :
           {"mean_ms", "p50_ms", "p90_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms"})
        cells += timed ? fmt::format("<td>{:.2f}</td>", f[key].get<double>()) : "<td>-</td>";
      html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.1f}</td>{}</tr>\n",
                          str::xml_escape(name), f["count"].get<uint64_t>(),
                          f["failures"].get<uint64_t>(), f["rps"].get<double>(), cells);
    };
    for (const auto& name : s.value("request_order", std::vector<std::string>{}))
      if (s["requests"].contains(name)) row(name, s["requests"][name]);
    row("all", s["overall"]);
    html += "</table><p class=\"legend\">latencies in milliseconds</p>\n";
  }
  if (!v.findings.empty()) {
    html +=
        "<h2>Thresholds</h2>\n<table><tr><th>metric</th><th>condition</th><th>result</th></tr>\n";
    for (const auto& f : v.findings)
      html += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>\n",
                          str::xml_escape(f.id), str::xml_escape(f.title),
                          f.blocking ? "fail" : "pass", f.blocking ? "breached" : "met");
    html += "</table>\n";
  }
  if (s.contains("timeseries") && !s["timeseries"].empty()) {
    Series p50{"p50", "#0969da", {}}, p95{"p95", "#bf8700", {}}, p99{"p99", "#cf222e", {}};
    Series rps{"requests/s", "#1a7f37", {}}, errors{"failed/s", "#cf222e", {}};
    for (const auto& sec : s["timeseries"]) {
      p50.values.push_back(sec["p50_ms"].get<double>());
      p95.values.push_back(sec["p95_ms"].get<double>());
      p99.values.push_back(sec["p99_ms"].get<double>());
      rps.values.push_back(sec["count"].get<double>());
      errors.values.push_back(sec["failures"].get<double>());
    }
    html += line_chart("Latency percentiles per second", "ms", {p50, p95, p99});
    html += line_chart("Throughput", "requests/s", {rps});
    html += line_chart("Errors", "failed requests/s", {errors});
  }
  return html + "</body></html>\n";
}

}  // namespace tollgate::load
