#include "slo/baseline.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "util/error.h"

namespace tollgate::slo {
namespace {

std::vector<double> clean(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  return v;
}

double mean(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

}  // namespace

std::string_view to_string(Judgement j) {
  switch (j) {
    case Judgement::Pass:
      return "pass";
    case Judgement::High:
      return "high";
    case Judgement::Low:
      return "low";
    case Judgement::NoData:
      return "nodata";
    case Judgement::Skipped:
      return "skipped";
  }
  return "nodata";
}

bool BaselineReport::failed() const {
  for (const auto& m : metrics)
    if (m.failed) return true;
  return false;
}

BaselineMetric judge_metric(const Objective& objective, std::vector<double> baseline,
                            std::vector<double> current, const BaselineOptions& o) {
  BaselineMetric m;
  m.objective = &objective;
  baseline = clean(std::move(baseline));
  current = clean(std::move(current));
  m.test.n_control = baseline.size();
  m.test.n_experiment = current.size();
  if (baseline.size() == 1 && current.size() == 1) {
    m.judgement = Judgement::Skipped;
    m.reason = "one value on each side: nothing to compare sample by sample (use a range query)";
    return m;
  }
  if (baseline.size() < o.min_samples || current.size() < o.min_samples) {
    m.judgement = Judgement::NoData;
    m.failed = true;
    m.reason = "too few samples to compare (baseline " + std::to_string(baseline.size()) +
               ", current " + std::to_string(current.size()) + ", need " +
               std::to_string(o.min_samples) + " each; use a range query)";
    return m;
  }
  m.baseline_mean = mean(baseline);
  m.current_mean = mean(current);
  m.mean_ratio = m.baseline_mean != 0  ? m.current_mean / m.baseline_mean
                 : m.current_mean == 0 ? 1.0
                                       : INFINITY * (m.current_mean > 0 ? 1 : -1);
  m.test = mann_whitney(baseline, current, o.confidence);
  std::set<double> distinct(baseline.begin(), baseline.end());
  distinct.insert(current.begin(), current.end());
  m.judgement = Judgement::Pass;
  if (distinct.size() > 1) {
    double bound = o.tolerance * std::fabs(m.test.estimate);
    if (m.test.ci_low > bound && m.mean_ratio >= o.allowed_increase)
      m.judgement = Judgement::High;
    else if (m.test.ci_high < -bound && m.mean_ratio <= o.allowed_decrease)
      m.judgement = Judgement::Low;
  }
  bool increase_bad = objective.direction != Direction::Decrease;
  bool decrease_bad = objective.direction != Direction::Increase;
  m.failed = (m.judgement == Judgement::High && increase_bad) ||
             (m.judgement == Judgement::Low && decrease_bad);
  std::string shift = "shift " + fmt(m.test.estimate) + " (" + fmt(o.confidence * 100) + "% CI " +
                      fmt(m.test.ci_low) + " .. " + fmt(m.test.ci_high) + "), mean ratio " +
                      fmt(m.mean_ratio) + ", p=" + fmt(m.test.p_value);
  if (m.judgement == Judgement::Pass)
    m.reason = "no significant change: " + shift;
  else
    m.reason =
        std::string(m.judgement == Judgement::High ? "higher" : "lower") +
        " than the baseline: " + shift +
        (m.failed ? ""
                  : " (allowed by direction " + std::string(to_string(objective.direction)) + ")");
  return m;
}

BaselineReport judge_baseline(const SloFile& slo, const MeasuredSamples& baseline,
                              const MeasuredSamples& current, const BaselineOptions& o) {
  BaselineReport report;
  for (const auto& objective : slo.objectives) {
    auto b = baseline.find(objective.sli);
    auto c = current.find(objective.sli);
    report.metrics.push_back(
        judge_metric(objective, b == baseline.end() ? std::vector<double>{} : b->second,
                     c == current.end() ? std::vector<double>{} : c->second, o));
  }
  bool compared = false;
  for (const auto& m : report.metrics)
    compared = compared || m.judgement != Judgement::Skipped;
  if (!compared)
    throw Error(
        "--baseline: no objective has samples to compare (every SLI gave one value per "
        "side); use range queries (type: range) or a sampling source");
  return report;
}

}  // namespace tollgate::slo
