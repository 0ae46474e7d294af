#include "slo/slo_verdict.h"

#include <cmath>
#include <set>

#include "util/strings.h"
#include "util/table.h"
#include "util/term.h"
#include "verdict/report.h"

namespace tollgate::slo {
namespace {

using nlohmann::json;

std::string number_text(double v) {
  char buf[64];
  // Whole numbers such as byte counts read in full (23089152, not 2.30892e+07); the rest keeps
  // six significant digits.
  if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

json criteria_json(const std::vector<CriteriaSet>& sets) {
  json out = json::array();
  for (const auto& set : sets) {
    json items = json::array();
    for (const auto& c : set.items)
      items.push_back(c.text);
    out.push_back(items);
  }
  return out;
}

std::string criteria_text(const std::vector<CriteriaSet>& sets) {
  std::vector<std::string> ors;
  for (const auto& set : sets) {
    std::vector<std::string> ands;
    for (const auto& c : set.items)
      ands.push_back(str::join(str::split(c.text, ' '), ""));
    ors.push_back(str::join(ands, " and "));
  }
  return str::join(ors, " or ");
}

json number_or_null(std::optional<double> v) {
  if (!v || !std::isfinite(*v)) return nullptr;
  return *v;
}

verdict::Finding objective_finding(const ObjectiveResult& r, bool blocking) {
  const std::string& query = r.query;
  const Objective& o = *r.objective;
  verdict::Finding f;
  f.subject = o.display_name;
  f.location = o.where;
  f.blocking = blocking;
  if (!r.value) {
    f.id = "slo-no-data";
    f.severity = o.key_sli ? verdict::Severity::High : verdict::Severity::Medium;
    f.title = "no data for SLI '" + o.sli + "'";
    f.detail = r.reason + "; query: " + query;
    f.fix = "check that the query returns a value for the window (labels, time range, scrape)";
  } else if (r.result == Result::Warning) {
    f.id = "slo-warning";
    f.severity = verdict::Severity::Low;
    f.title = o.display_name + " = " + number_text(*r.value) + " is in the warning range";
    f.detail = r.reason;
  } else {
    f.id = r.key_failed ? "slo-key-sli-failed" : "slo-objective-failed";
    f.severity = r.key_failed ? verdict::Severity::High : verdict::Severity::Medium;
    f.title = o.display_name + " = " + number_text(*r.value) + " misses its objective";
    f.detail = r.reason;
    f.fix = "pass criteria: " + criteria_text(o.pass);
  }
  f.properties = {{"sli", o.sli},
                  {"value", number_or_null(r.value)},
                  {"query", query},
                  {"result", to_string(r.result)},
                  {"key_sli", o.key_sli}};
  return f;
}

json baseline_json(const BaselineReport& b) {
  json metrics = json::array();
  for (const auto& m : b.metrics) {
    metrics.push_back({{"sli", m.objective->sli},
                       {"judgement", to_string(m.judgement)},
                       {"failed", m.failed},
                       {"direction", to_string(m.objective->direction)},
                       {"baseline_count", m.test.n_control},
                       {"current_count", m.test.n_experiment},
                       {"baseline_mean", m.baseline_mean},
                       {"current_mean", m.current_mean},
                       {"mean_ratio", number_or_null(m.mean_ratio)},
                       {"shift", m.test.estimate},
                       {"ci_low", m.test.ci_low},
                       {"ci_high", m.test.ci_high},
                       {"p_value", m.test.p_value},
                       {"u", m.test.u},
                       {"cles", m.test.cles},
                       {"reason", m.reason}});
  }
  return {{"against", b.description}, {"failed", b.failed()}, {"metrics", metrics}};
}

}  // namespace

verdict::Verdict make_verdict(const SloContext& c, const Evaluation& e,
                              const std::optional<BaselineReport>& baseline) {
  verdict::Verdict v;
  v.gate = "slo";
  bool baseline_failed = baseline && baseline->failed();
  bool open = (e.result == Result::Pass || (e.result == Result::Warning && !c.fail_on_warning)) &&
              !baseline_failed;
  v.status = open ? verdict::Status::Pass : verdict::Status::Fail;
  v.reason = e.result == Result::Warning ? "warning: " + e.reason : e.reason;
  if (baseline_failed) {
    std::vector<std::string> worse;
    for (const auto& m : baseline->metrics)
      if (m.failed) worse.push_back(m.objective->sli + " " + std::string(to_string(m.judgement)));
    v.reason = "worse than the baseline (" + str::join(worse, ", ") + "); SLO " + v.reason;
  }

  json objectives = json::array();
  bool without_history = false;
  for (const auto& r : e.objectives) {
    const Objective& o = *r.objective;
    objectives.push_back({{"sli", o.sli},
                          {"display_name", o.display_name},
                          {"value", number_or_null(r.value)},
                          {"result", to_string(r.result)},
                          {"score", r.score},
                          {"weight", o.weight},
                          {"key_sli", o.key_sli},
                          {"pass", criteria_json(o.pass)},
                          {"warning", criteria_json(o.warning)},
                          {"compared_with", number_or_null(r.compared_with)},
                          {"relative_without_history", r.relative_without_history},
                          {"query", r.query},
                          {"reason", r.reason}});
    without_history = without_history || r.relative_without_history;
    if (r.result == Result::Fail) {
      v.findings.push_back(objective_finding(r, v.status == verdict::Status::Fail));
    } else if (r.result == Result::Warning) {
      v.findings.push_back(objective_finding(r, c.fail_on_warning));
    }
  }
  if (!e.test_run_failed.empty()) {
    verdict::Finding f;
    f.id = "slo-test-run-failed";
    f.severity = verdict::Severity::High;
    f.subject = c.source;
    f.title = "the test run behind these figures failed";
    f.detail = e.test_run_failed;
    f.fix = "fix the failing load run first; its figures do not describe a healthy release";
    f.blocking = true;
    v.findings.push_back(std::move(f));
  }
  if (baseline) {
    for (const auto& m : baseline->metrics) {
      if ((m.judgement == Judgement::Pass || m.judgement == Judgement::Skipped) && !m.failed)
        continue;
      verdict::Finding f;
      f.id = m.judgement == Judgement::NoData ? "slo-baseline-no-data" : "slo-baseline-change";
      f.severity = m.failed ? verdict::Severity::High : verdict::Severity::Info;
      f.subject = m.objective->display_name;
      f.title = m.judgement == Judgement::NoData
                    ? "cannot compare " + m.objective->sli + " with the baseline"
                    : m.objective->sli + " is " +
                          std::string(m.judgement == Judgement::High ? "higher" : "lower") +
                          " than the baseline";
      f.detail = m.reason;
      f.location = m.objective->where;
      f.blocking = m.failed;
      v.findings.push_back(std::move(f));
    }
    v.summary["baseline"] = baseline_json(*baseline);
  }
  v.summary.update(json{{"result", to_string(e.result)},
                        {"score", e.percent},
                        {"points", e.score},
                        {"max_points", e.max_score},
                        {"pass_threshold", c.slo->total_score.pass},
                        {"warning_threshold", number_or_null(c.slo->total_score.warning)},
                        {"source", c.source},
                        {"window_start", timefmt::iso8601(c.window.start)},
                        {"window_end", timefmt::iso8601(c.window.end)},
                        {"compared_results", c.history.compared_results},
                        {"history_key", c.history.key},
                        {"objectives", objectives}});
  if (!c.source_warnings.empty()) v.summary["source_warnings"] = c.source_warnings;
  if (without_history)
    v.summary["note"] =
        "no earlier evaluation to compare with: relative criteria passed, as in Keptn";
  v.sort_findings();
  return v;
}

namespace {

std::optional<std::string> slo_head(const verdict::Verdict& v) {
  const json& s = v.summary;
  if (v.status == verdict::Status::Error || !s.contains("objectives")) return std::nullopt;
  auto paint_result = [](const std::string& r) {
    if (r == "pass") return term::paint(term::Color::Green, "pass");
    if (r == "warning") return term::paint(term::Color::Yellow, "warning");
    if (r == "info") return term::paint(term::Color::Gray, "info");
    return term::paint(term::Color::Red, r);
  };
  auto criteria = [](const json& sets) {
    std::vector<std::string> ors;
    for (const auto& set : sets) {
      std::vector<std::string> ands;
      for (const auto& c : set)
        ands.push_back(c.get<std::string>());
      ors.push_back(str::join(ands, " and "));
    }
    return str::join(ors, " or ");
  };
  TextTable table({"OBJECTIVE", "VALUE", "PASS", "WARNING", "RESULT", "SCORE", "NOTE"});
  for (const auto& o : s["objectives"]) {
    std::string value = o["value"].is_number() ? number_text(o["value"].get<double>()) : "no data";
    std::string name = o["display_name"].get<std::string>();
    if (o["key_sli"].get<bool>()) name += " (key)";
    std::string note =
        o["result"] == "pass" || o["result"] == "info" ? "" : o["reason"].get<std::string>();
    if (o["relative_without_history"].get<bool>())
      note = "no history: relative criteria passed";
    else if (o["compared_with"].is_number())
      note += (note.empty() ? "" : "; ") + std::string("history ") +
              number_text(o["compared_with"].get<double>());
    table.add({name, value, criteria(o["pass"]), criteria(o["warning"]),
               paint_result(o["result"].get<std::string>()),
               o["result"] == "info" ? "-"
                                     : number_text(o["score"].get<double>()) + "/" +
                                           number_text(o["weight"].get<double>()),
               note});
  }
  std::string out = table.render(60) + "\n";
  if (s.contains("baseline")) {
    TextTable b({"BASELINE", "N", "SHIFT", "CI", "RATIO", "P", "JUDGEMENT"});
    for (const auto& m : s["baseline"]["metrics"]) {
      std::string judgement = m["judgement"].get<std::string>();
      if (judgement == "nodata" || judgement == "skipped") {
        b.add({m["sli"].get<std::string>(),
               std::to_string(m["baseline_count"].get<size_t>()) + "/" +
                   std::to_string(m["current_count"].get<size_t>()),
               "-", "-", "-", "-",
               m["failed"].get<bool>() ? term::paint(term::Color::Red, judgement) : judgement});
        continue;
      }
      b.add({m["sli"].get<std::string>(),
             std::to_string(m["baseline_count"].get<size_t>()) + "/" +
                 std::to_string(m["current_count"].get<size_t>()),
             number_text(m["shift"].get<double>()),
             number_text(m["ci_low"].get<double>()) + " .. " +
                 number_text(m["ci_high"].get<double>()),
             m["mean_ratio"].is_number() ? number_text(m["mean_ratio"].get<double>()) : "-",
             number_text(m["p_value"].get<double>()),
             m["failed"].get<bool>() ? term::paint(term::Color::Red, judgement) : judgement});
    }
    out +=
        "compared with " + s["baseline"]["against"].get<std::string>() + "\n" + b.render(60) + "\n";
  }
  out += "  source: " + s["source"].get<std::string>() +
         "  window: " + s["window_start"].get<std::string>() + " .. " +
         s["window_end"].get<std::string>() + "\n";
  if (s.contains("note")) out += "  note: " + s["note"].get<std::string>() + "\n";
  for (const auto& w : s.value("source_warnings", json::array()))
    out += "  " + term::paint(term::Color::Yellow, "source warning") + ": " + w.get<std::string>() +
           "\n";
  out += "  score: " + number_text(s["score"].get<double>()) + "% (pass " +
         number_text(s["pass_threshold"].get<double>()) + "%" +
         (s["warning_threshold"].is_number()
              ? ", warning " + number_text(s["warning_threshold"].get<double>()) + "%"
              : "") +
         "), compared with " + std::to_string(s["compared_results"].get<int>()) +
         " earlier evaluation(s)\n\n";
  return out;
}

}  // namespace

verdict::TableSections slo_table() {
  verdict::TableSections t;
  t.head = slo_head;
  t.findings = false;                      // every objective is a row of the head
  t.figures = std::vector<std::string>{};  // and the score its last line
  // A Keptn warning opens the gate (status pass) but is not a clean pass.
  t.status = [](const verdict::Verdict& v) -> std::optional<std::string> {
    if (v.status == verdict::Status::Pass && v.summary.value("result", "") == "warning")
      return term::paint(term::Color::Yellow, "WARNING");
    return std::nullopt;
  };
  return t;
}

std::string render_slo_table(const verdict::Verdict& v) {
  return verdict::render_table(v, slo_table());
}

verdict::JunitSections slo_junit() {
  verdict::JunitSections j;
  j.cases = [](const verdict::Verdict& v) -> std::optional<std::vector<verdict::JunitCase>> {
    const json& s = v.summary;
    if (v.status == verdict::Status::Error || !s.contains("objectives")) return std::nullopt;
    std::vector<verdict::JunitCase> cases;
    for (const auto& o : s["objectives"]) {
      std::string value =
          o["value"].is_number() ? number_text(o["value"].get<double>()) : "no data";
      std::string result = o["result"].get<std::string>();
      std::string text = o["sli"].get<std::string>() + " = " + value + ": " + result + " (" +
                         o["reason"].get<std::string>() +
                         "); query: " + o["query"].get<std::string>();
      bool failed = result == "fail" || (result == "warning" && v.status == verdict::Status::Fail &&
                                         s["result"] == "warning");
      cases.push_back(
          {o["display_name"].get<std::string>(), failed ? text : "", failed ? "" : text});
    }
    std::string score = "score " + number_text(s["score"].get<double>()) + "%, result " +
                        s["result"].get<std::string>() + ": " + v.reason;
    cases.push_back({"total score", v.status == verdict::Status::Pass ? "" : score, score});
    return cases;
  };
  return j;
}

namespace {

struct Metric {
  std::string name, help, value;
};

// An SLI's name as a metric name: its own prefix (an SLI named "result" must not clash with
// slo_result), letters and digits kept, the rest '_'.
std::string metric_name(std::string_view sli) {
  std::string out = "slo_sli_";
  for (unsigned char c : sli)
    out += std::isalnum(c) ? static_cast<char>(std::tolower(c)) : '_';
  return out;
}

// Names that sanitising made equal ("p95_ms" and "p95-ms", or an SLI "rt_score" and rt's score)
// get _2, _3, ... in the order of the SLO file, so no value overwrites another in GitLab's
// report, which keys metrics by name.
void make_unique(std::vector<Metric>& metrics) {
  std::set<std::string> used;
  for (auto& m : metrics) {
    std::string name = m.name;
    for (int n = 2; !used.insert(name).second; ++n)
      name = m.name + "_" + std::to_string(n);
    if (name != m.name) m.help += " (" + m.name + " was taken)";
    m.name = name;
  }
}

}  // namespace

std::string render_openmetrics(const verdict::Verdict& v) {
  const json& s = v.summary;
  std::string result = s.value("result", "error");
  std::vector<Metric> metrics = {{"slo_result",
                                  "The SLO result: 1 pass, 0.5 warning, 0 fail or error",
                                  result == "pass"      ? "1"
                                  : result == "warning" ? "0.5"
                                                        : "0"}};
  if (s.contains("score"))
    metrics.push_back({"slo_score_percent", "The SLO total score in percent",
                       number_text(s["score"].get<double>())});
  for (const auto& o : s.value("objectives", json::array())) {
    std::string sli = o["sli"].get<std::string>();
    std::string n = metric_name(sli);
    if (o["value"].is_number())
      metrics.push_back(
          {n, "SLI " + sli + " over the window", number_text(o["value"].get<double>())});
    metrics.push_back(
        {n + "_score", "Points SLI " + sli + " scored", number_text(o["score"].get<double>())});
  }
  make_unique(metrics);
  std::string out;
  for (const auto& m : metrics)
    out += "# HELP " + m.name + " " + m.help + "\n# TYPE " + m.name + " gauge\n" + m.name + " " +
           m.value + "\n";
  out += "# EOF\n";
  return out;
}

}  // namespace tollgate::slo
