// The budget, performance and environments pages and their /api/ twins: what the gates' reports
// said in the recent runs, and what each environment holds.
#include <fmt/format.h>

#include <cmath>
#include <sstream>

#include "util/files.h"
#include "web/charts.h"
#include "web/html.h"
#include "web/site.h"

namespace tollgate::web {
namespace {

using nlohmann::json;
constexpr int kRecentRuns = 30;

double number(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return NAN;
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) {
    try {
      return std::stod(it->get<std::string>());
    } catch (...) {
    }
  }
  return NAN;
}

std::string figure(double v, const char* unit = "") {
  return std::isfinite(v) ? fmt::format("{:.2f}{}", v, unit) : "–";
}

// The metrics report lines "name value" (OpenMetrics text), comments left out.
std::map<std::string, double> metric_values(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    try {
      out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    } catch (...) {
    }
  }
  return out;
}

std::string empty_note(const std::string& text) {
  return "<p class=\"empty\">" + text + "</p>";
}

}  // namespace

// Every budget verdict of the recent runs: {runs: [{run, status, budgets: [...]}]}, newest first.
json Site::budget_data() {
  std::vector<history::RunRecord> runs;
  {
    history::RunStore store(db());
    runs = store.runs_before(0, kRecentRuns);
  }
  json out = {{"runs", json::array()}};
  for (const auto& run : runs)
    for (const auto& f : reports_.of_run(run.id)) {
      if (f.kind != ReportKind::Verdict || f.gate != "budget") continue;
      json budgets = json::array();
      for (const auto& b : f.json->value("summary", json::object()).value("budgets", json::array()))
        budgets.push_back({{"name", text_of(b, "name")},
                           {"status", text_of(b, "status")},
                           {"currency", text_of(b, "currency")},
                           {"limit", number(b, "budget")},
                           {"spent", number(b, "spent")},
                           {"forecast", number(b, "forecast")},
                           {"percent", number(b, "percent")}});
      out["runs"].push_back({{"run", run.id},
                             {"status", text_of(*f.json, "status")},
                             {"reason", text_of(*f.json, "reason")},
                             {"budgets", budgets}});
    }
  return out;
}

Response Site::budget_page() {
  json data = budget_data();
  std::string body = "<h1>Budget</h1>";
  if (data["runs"].empty())
    return {200, "text/html; charset=utf-8",
            page("Budget", Section::Budget,
                 body + empty_note("No recent run left a budget verdict (tollgate check budget "
                                   "--report json=FILE, kept as an artifact)."))};
  const json& latest = data["runs"][0];
  body +=
      fmt::format("<p>From <a href=\"/runs/{0}\">pipeline #{0}</a>: {1} {2}</p>",
                  latest["run"].get<int64_t>(), status_badge(latest["status"].get<std::string>()),
                  escape(latest["reason"].get<std::string>()));
  for (const auto& b : latest["budgets"]) {
    std::string name = b["name"];
    body += fmt::format("<h2 class=\"budget-name\">{} {}</h2>", escape(name),
                        status_badge(b["status"].get<std::string>()));
    body += budget_bar(b["spent"], b["forecast"], b["limit"], b["currency"].get<std::string>());
    Series spent{"spent", {}}, forecast{"forecast", {}};
    for (const auto& run : data["runs"])
      for (const auto& past : run["budgets"])
        if (past["name"] == name) {
          spent.points.emplace_back(run["run"].get<double>(), past["spent"].get<double>());
          forecast.points.emplace_back(run["run"].get<double>(), past["forecast"].get<double>());
        }
    if (spent.points.size() > 1)
      body += line_chart({spent, forecast}, "pipeline", "spent and forecast per run",
                         b["limit"].get<double>());
  }
  return {200, "text/html; charset=utf-8", page("Budget", Section::Budget, body)};
}

// The load runs of the recent pipelines (newest first) and the SLO figures of their metrics
// reports.
json Site::performance_data() {
  std::vector<history::RunRecord> runs;
  std::vector<history::RunReportFile> metrics;
  {
    db::ReadTransaction snapshot(db());
    history::RunStore store(db());
    runs = store.runs_before(0, kRecentRuns);
    metrics = store.reports("metrics", kRecentRuns);
  }
  json out = {{"loads", json::array()}, {"slo", json::array()}};
  for (const auto& run : runs)
    for (const auto& f : reports_.of_run(run.id))
      if (f.kind == ReportKind::Verdict && f.gate == "load")
        out["loads"].push_back({{"run", run.id}, {"job", f.job_dir}, {"verdict", *f.json}});
  for (const auto& m : metrics) {
    auto file = inside_state(m.file.path);
    if (!file) continue;
    json values = json::object();
    for (const auto& [name, value] : metric_values(files::read(*file)))
      if (name.starts_with("slo_")) values[name] = value;
    if (!values.empty())
      out["slo"].push_back({{"run", m.run_id}, {"job", m.job}, {"values", values}});
  }
  return out;
}

Response Site::performance_page() {
  json data = performance_data();
  std::string body = "<h1>Performance</h1>";
  if (data["loads"].empty() && data["slo"].empty())
    return {200, "text/html; charset=utf-8",
            page("Performance", Section::Performance,
                 body + empty_note("No recent run left a load result (tollgate load --json FILE, "
                                   "kept as an artifact) or an SLO metrics report."))};
  if (!data["loads"].empty()) {
    const json& latest = data["loads"][0];
    const json& v = latest["verdict"];
    const json& s = v["summary"];
    body += fmt::format(
        "<h2>Load test</h2><p><a href=\"/runs/{0}\">pipeline "
        "#{0}</a> {1} {2}: {3:.0f} requests, {4} req/s, p95 {5}</p>",
        latest["run"].get<int64_t>(), status_badge(text_of(v, "status")),
        escape(text_of(v, "reason")), number(s, "count"), figure(number(s, "rps")),
        figure(number(s, "p95_ms"), " ms"));
    body +=
        "<table class=\"requests\"><tr><th>Request</th><th class=\"num\">Count</th>"
        "<th class=\"num\">p50 ms</th><th class=\"num\">p95 ms</th><th class=\"num\">p99 ms"
        "</th><th class=\"num\">req/s</th><th class=\"num\">Errors</th></tr>";
    const json requests = s.value("requests", json::object());
    for (const auto& [name, r] : requests.items())
      body += fmt::format(
          "<tr><td>{}</td><td class=\"num\">{:.0f}</td><td class=\"num\">{}</td><td "
          "class=\"num\">{}"
          "</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
          escape(name), number(r, "count"), figure(number(r, "p50_ms")),
          figure(number(r, "p95_ms")), figure(number(r, "p99_ms")), figure(number(r, "rps")),
          figure(number(r, "error_rate") * 100, "%"));
    body += "</table>";
    Series p50{"p50 ms", {}}, p95{"p95 ms", {}}, p99{"p99 ms", {}}, rps{"requests/s", {}};
    const json timeseries = s.value("timeseries", json::array());
    for (const auto& sec : timeseries) {
      double t = number(sec, "t");
      p50.points.emplace_back(t, number(sec, "p50_ms"));
      p95.points.emplace_back(t, number(sec, "p95_ms"));
      p99.points.emplace_back(t, number(sec, "p99_ms"));
      rps.points.emplace_back(t, number(sec, "count"));
    }
    body += "<h2>Latency over the run</h2>" + line_chart({p50, p95, p99}, "second", "latency ms");
    body += "<h2>Throughput over the run</h2>" + line_chart({rps}, "second", "requests per second");
    body +=
        "<h2>Thresholds</h2><table class=\"thresholds\"><tr><th>Metric</th><th>Threshold</th>"
        "<th class=\"num\">Observed</th><th>Result</th></tr>";
    const json thresholds = s.value("thresholds", json::array());
    for (const auto& t : thresholds)
      body += fmt::format(
          "<tr><td><code>{}</code></td><td><code>{}</code></td><td class=\"num\">"
          "{}</td><td>{}</td></tr>",
          escape(text_of(t, "metric")), escape(text_of(t, "threshold")),
          figure(number(t, "observed")), status_badge(t.value("passed", false) ? "pass" : "fail"));
    body += "</table>";
    Series trend{"p95 ms per run", {}};
    for (const auto& l : data["loads"])
      trend.points.emplace_back(l["run"].get<double>(), number(l["verdict"]["summary"], "p95_ms"));
    if (trend.points.size() > 1)
      body += "<h2>p95 across runs</h2>" + line_chart({trend}, "pipeline", "p95 ms");
  }
  if (!data["slo"].empty()) {
    body +=
        "<h2>SLO evaluations</h2><table class=\"slo\"><tr><th>Pipeline</th><th>Job</th>"
        "<th class=\"num\">Score %</th><th>Result</th><th>SLIs</th></tr>";
    Series score{"score %", {}};
    for (const auto& e : data["slo"]) {
      const json& v = e["values"];
      double result = number(v, "slo_result");
      std::string word = result >= 1 ? "pass" : result >= 0.5 ? "warning" : "fail";
      std::string slis;
      for (const auto& [name, value] : v.items())
        if (name.starts_with("slo_sli_") && !name.ends_with("_score"))
          slis += fmt::format("<code>{}</code> {} ", escape(name.substr(8)),
                              figure(value.get<double>()));
      body += fmt::format(
          "<tr><td><a href=\"/runs/{0}\">#{0}</a></td><td>{1}</td><td "
          "class=\"num\">{2}</td><td>{3}</td><td>{4}</td></tr>",
          e["run"].get<int64_t>(), escape(e["job"].get<std::string>()),
          figure(number(v, "slo_score_percent")), status_badge(word), slis);
      score.points.emplace_back(e["run"].get<double>(), number(v, "slo_score_percent"));
    }
    body += "</table>";
    if (score.points.size() > 1) body += line_chart({score}, "pipeline", "SLO score %");
  }
  return {200, "text/html; charset=utf-8", page("Performance", Section::Performance, body)};
}

json Site::environments_data() {
  std::map<std::string, std::vector<history::Deployment>> by_env;
  {
    history::RunStore store(db());
    for (auto& d : store.deployments())
      by_env[d.environment].push_back(std::move(d));
  }
  json out = json::array();
  for (const auto& [name, deployments] : by_env) {
    const history::Deployment* now = history::current_release(deployments);
    json entry = {{"name", name},
                  {"current", now ? history::to_json(*now) : json(nullptr)},
                  {"deployments", json::array()}};
    for (const auto& d : deployments)
      entry["deployments"].push_back(history::to_json(d));
    out.push_back(std::move(entry));
  }
  return {{"environments", out}};
}

Response Site::environments_page() {
  json data = environments_data();
  std::string body = "<h1>Environments</h1>";
  if (data["environments"].empty())
    body += empty_note(
        "No job has deployed to an environment yet (a job with <code>environment:"
        "</code>).");
  for (const auto& e : data["environments"]) {
    body += fmt::format("<h2 class=\"environment\" data-environment=\"{0}\">{0}</h2>",
                        escape(e["name"].get<std::string>()));
    const json& c = e["current"];
    body += c.is_null() ? "<p class=\"muted\">Nothing deployed (stopped or never started).</p>"
                        : fmt::format(
                              "<p>Holds <strong class=\"release\">{}</strong> since "
                              "<a href=\"/runs/{}\">pipeline #{}</a>{}</p>",
                              escape(c["release"].get<std::string>()), c["run"].get<int64_t>(),
                              c["run"].get<int64_t>(),
                              c["url"].get<std::string>().empty()
                                  ? ""
                                  : " at <code>" + escape(c["url"].get<std::string>()) + "</code>");
    body +=
        "<table class=\"deployments\"><tr><th>When</th><th>Action</th><th>Release</th>"
        "<th>Status</th><th>Pipeline</th><th>Job</th><th>Images</th></tr>";
    for (const auto& d : e["deployments"])
      body += fmt::format(
          "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><a href=\"/runs/{}\">#{}</a></td>"
          "<td><a href=\"/runs/{}/jobs/{}\">{}</a></td><td><code>{}</code></td></tr>",
          escape(d["finished_at"].get<std::string>()), escape(d["action"].get<std::string>()),
          escape(d["release"].get<std::string>()), status_badge(d["status"].get<std::string>()),
          d["run"].get<int64_t>(), d["run"].get<int64_t>(), d["run"].get<int64_t>(),
          str::url_encode(d["job"].get<std::string>()), escape(d["job"].get<std::string>()),
          escape(str::join(d["images"].get<std::vector<std::string>>(), ", ")));
    body += "</table>";
  }
  return {200, "text/html; charset=utf-8", page("Environments", Section::Environments, body)};
}

Response Site::api_budget() {
  return json_response(budget_data());
}
Response Site::api_performance() {
  return json_response(performance_data());
}
Response Site::api_environments() {
  return json_response(environments_data());
}

}  // namespace tollgate::web
