#include "load/outputs.h"

#include <fmt/format.h>

#include "load/histogram.h"
#include "util/table.h"
#include "verdict/report.h"

namespace tollgate::load {
namespace {

const nlohmann::json& summary_of(const verdict::Verdict& v) {
  return v.summary;
}

// A k6 trend in milliseconds from one of our sparse histograms.
nlohmann::json k6_trend(const nlohmann::json& histogram) {
  Histogram h = Histogram::from_json(histogram, "summary");
  auto ms = [](int64_t us) { return static_cast<double>(us) / 1000.0; };
  return {{"avg", h.mean_us() / 1000.0},      {"min", ms(h.min_us())},
          {"med", ms(h.percentile_us(50))},   {"max", ms(h.max_us())},
          {"p(90)", ms(h.percentile_us(90))}, {"p(95)", ms(h.percentile_us(95))},
          {"p(99)", ms(h.percentile_us(99))}};
}

}  // namespace

std::string render_k6_summary(const verdict::Verdict& v) {
  const nlohmann::json& s = summary_of(v);
  nlohmann::json metrics = nlohmann::json::object();
  if (!s.contains("overall") || !s.contains("histograms")) {
    // An error verdict before any traffic: an empty export that GitLab shows as nothing.
    return nlohmann::json({{"metrics", metrics}}).dump(2) + "\n";
  }
  const nlohmann::json& overall = s["overall"];
  double duration = s.value("duration_s", 0.0);
  auto rate = [&](double n) { return duration > 0 ? n / duration : 0.0; };
  metrics["http_reqs"] = {{"count", overall["count"]},
                          {"rate", rate(overall["count"].get<double>())}};
  metrics["http_req_duration"] = k6_trend(s["histograms"]["overall"]["latency"]);
  metrics["http_req_waiting"] = k6_trend(s["histograms"]["overall"]["waiting"]);
  uint64_t failed = overall["failures"].get<uint64_t>();
  uint64_t count = overall["count"].get<uint64_t>();
  // k6 Rate metrics: passes are the true values; for http_req_failed, the failed requests.
  metrics["http_req_failed"] = {{"passes", failed},
                                {"fails", count - failed},
                                {"value", count ? static_cast<double>(failed) / count : 0.0}};
  uint64_t cp = overall.value("checks_passed", uint64_t{0});
  uint64_t cf = overall.value("checks_failed", uint64_t{0});
  // k6 has no checks metric when no check ran; GitLab's widget divides by passes + fails and
  // showed "NaN%" for a zero-valued one.
  if (cp + cf > 0)
    metrics["checks"] = {
        {"passes", cp}, {"fails", cf}, {"value", static_cast<double>(cp) / (cp + cf)}};
  double iterations = s.value("iterations", 0.0);
  metrics["iterations"] = {{"count", iterations}, {"rate", rate(iterations)}};
  double dropped = s.value("dropped_iterations", 0.0);
  metrics["dropped_iterations"] = {{"count", dropped}, {"rate", rate(dropped)}};
  if (s["histograms"].contains("requests")) {
    for (const auto& [name, h] : s["histograms"]["requests"].items())
      metrics["http_req_duration{name:" + name + "}"] = k6_trend(h["latency"]);
  }
  // k6's legacy export marks each threshold true when it FAILED (k6 #1498); GitLab ignores it.
  if (s.contains("thresholds")) {
    for (const auto& t : s["thresholds"]) {
      std::string key = t["metric"].get<std::string>();
      if (key == "checks" && !metrics.contains(key)) continue;  // no checks ran, as above
      if (!metrics.contains(key)) metrics[key] = nlohmann::json::object();
      metrics[key]["thresholds"][t["threshold"].get<std::string>()] = !t["passed"].get<bool>();
    }
  }
  // No top-level "state": k6 deletes it from the summary before writing the export.
  nlohmann::json out = {{"metrics", metrics},
                        {"root_group",
                         {{"name", ""},
                          {"path", ""},
                          {"id", "d41d8cd98f00b204e9800998ecf8427e"},
                          {"groups", nlohmann::json::object()},
                          {"checks", nlohmann::json::object()}}}};
  return out.dump(2) + "\n";
}

std::string render_csv(const verdict::Verdict& v) {
  std::string out = "second,requests,failures,users,p50_ms,p95_ms,p99_ms,max_ms\n";
  if (!v.summary.contains("timeseries")) return out;
  for (const auto& sec : v.summary["timeseries"]) {
    out += fmt::format("{},{},{},{},{:.3f},{:.3f},{:.3f},{:.3f}\n", sec["t"].get<int>(),
                       sec["count"].get<uint64_t>(), sec["failures"].get<uint64_t>(),
                       sec["users"].get<uint64_t>(), sec["p50_ms"].get<double>(),
                       sec["p95_ms"].get<double>(), sec["p99_ms"].get<double>(),
                       sec["max_ms"].get<double>());
  }
  return out;
}

namespace {

// One row per request name and a total row, the journeys' figures, statuses and errors.
std::string summary_head(const verdict::Verdict& v) {
  std::string out;
  const nlohmann::json& s = v.summary;
  if (s.contains("overall")) {
    TextTable table({"REQUEST", "COUNT", "FAILED", "RPS", "MIN", "MEAN", "P50", "P90", "P95", "P99",
                     "P99.9", "MAX"});
    auto row = [&](const std::string& name, const nlohmann::json& f) {
      bool timed = f.value("timed", uint64_t{1}) > 0;
      auto ms = [&](const char* key) {
        return timed ? fmt::format("{:.2f}", f[key].get<double>()) : std::string("-");
      };
      table.add({name, std::to_string(f["count"].get<uint64_t>()),
                 std::to_string(f["failures"].get<uint64_t>()),
                 fmt::format("{:.1f}", f["rps"].get<double>()), ms("min_ms"), ms("mean_ms"),
                 ms("p50_ms"), ms("p90_ms"), ms("p95_ms"), ms("p99_ms"), ms("p999_ms"),
                 ms("max_ms")});
    };
    std::vector<std::string> order = s.value("request_order", std::vector<std::string>{});
    for (const auto& name : order)
      if (s["requests"].contains(name)) row(name, s["requests"][name]);
    row("TOTAL", s["overall"]);
    out += "latencies in ms\n" + table.render(40) + "\n";
    const auto& o = s["overall"];
    out += fmt::format(
        "  {} journeys ({} failed, {} dropped), {} requests interrupted at the end, {:.1f}s, "
        "checks {}/{} passed\n",
        s.value("iterations", 0), s.value("iterations_failed", 0), s.value("dropped_iterations", 0),
        s.value("interrupted", 0), s.value("duration_s", 0.0), o.value("checks_passed", 0),
        o.value("checks_passed", 0) + o.value("checks_failed", 0));
    if (s.contains("details") && s["details"].contains("overall")) {
      const auto& d = s["details"]["overall"];
      std::string errors, statuses;
      for (const auto& [k, n] : d["errors"].items())
        errors += (errors.empty() ? "" : ", ") + k + " " + n.dump();
      for (const auto& [k, n] : d["statuses"].items())
        statuses += (statuses.empty() ? "" : ", ") + k + ": " + n.dump();
      if (!statuses.empty()) out += "  statuses: " + statuses + "\n";
      if (!errors.empty()) out += "  errors: " + errors + "\n";
    }
    out += "\n";
  }
  return out;
}

}  // namespace

verdict::TableSections summary_table() {
  verdict::TableSections t;
  t.head = [](const verdict::Verdict& v) -> std::optional<std::string> { return summary_head(v); };
  t.figures = std::vector<std::string>{};  // the head has them; the shared list would be raw JSON
  return t;
}

}  // namespace tollgate::load
