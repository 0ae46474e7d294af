#include "slo/scoring.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "util/strings.h"

namespace tollgate::slo {
namespace {

std::string number_text(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string describe(const Criterion& c, std::optional<double> previous) {
  std::string out = c.text;
  if (c.relative) {
    if (auto t = c.target(previous))
      out += " (target " + number_text(*t) + ")";
    else
      out += " (no history)";
  }
  return out;
}

struct SetOutcome {
  bool satisfied = false;
  bool used_missing_history = false;
};

// OR over the sets, AND inside each.
SetOutcome satisfied(const std::vector<CriteriaSet>& sets, double value,
                     std::optional<double> previous, std::vector<std::string>* violated) {
  SetOutcome out;
  for (const auto& set : sets) {
    bool all = true;
    for (const auto& c : set.items) {
      if (c.relative && !previous) out.used_missing_history = true;
      if (!c.satisfied_by(value, previous)) {
        all = false;
        if (violated) violated->push_back(describe(c, previous));
      }
    }
    if (all) {
      out.satisfied = true;
      if (violated) violated->clear();
      return out;
    }
  }
  return out;
}

ObjectiveResult score_objective(const Objective& o, const SliValue* measured,
                                std::optional<double> previous) {
  ObjectiveResult r;
  r.objective = &o;
  if (measured) r.query = measured->query;
  if (o.relative()) r.compared_with = previous;
  // NaN and ±Inf (a rate over nothing, a division by zero) measure nothing: -Inf would meet
  // every "<" criterion, so they fail as no data does.
  if (!measured || !measured->value || !std::isfinite(*measured->value)) {
    r.result = Result::Fail;
    r.key_failed = o.key_sli;
    r.reason = !measured                    ? "the source returned no value for this SLI"
               : !measured->no_data.empty() ? measured->no_data
               : std::isnan(*measured->value)
                   ? "no data (NaN)"
                   : fmt::format("no data ({}Inf)", *measured->value < 0 ? "-" : "+");
    return r;
  }
  double value = *measured->value;
  r.value = value;
  if (o.informational()) {
    r.result = Result::Info;
    r.reason = "informational (no pass criteria)";
    return r;
  }
  SetOutcome pass = satisfied(o.pass, value, previous, &r.violated);
  r.relative_without_history = pass.used_missing_history;
  if (pass.satisfied) {
    r.result = Result::Pass;
    r.score = o.weight;
    r.reason = "meets the pass criteria";
    return r;
  }
  SetOutcome warn = satisfied(o.warning, value, previous, nullptr);
  if (!o.warning.empty() && warn.satisfied) {
    r.relative_without_history = r.relative_without_history || warn.used_missing_history;
    r.result = Result::Warning;
    r.score = 0.5 * o.weight;
    r.reason = "misses " + str::join(r.violated, " and ") + " but meets the warning criteria";
    return r;
  }
  r.result = Result::Fail;
  r.key_failed = o.key_sli;
  r.reason = "misses " + str::join(r.violated, " and ");
  return r;
}

bool at_least(double achieved, double threshold) {
  return achieved >= threshold || nearly_equal(achieved, threshold);
}

}  // namespace

std::string_view to_string(Result r) {
  switch (r) {
    case Result::Pass:
      return "pass";
    case Result::Warning:
      return "warning";
    case Result::Fail:
      return "fail";
    case Result::Info:
      return "info";
  }
  return "fail";
}

void fail_for_test_run(Evaluation& e, const std::string& why) {
  e.test_run_failed = why;
  e.result = Result::Fail;
  e.reason = why + " (score " + number_text(e.percent) + "%)";
}

std::optional<double> aggregate(std::vector<double> values, Aggregate how) {
  if (values.empty()) return std::nullopt;
  if (how == Aggregate::Avg)
    return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  double p = how == Aggregate::P50 ? 0.5 : how == Aggregate::P90 ? 0.9 : 0.95;
  std::sort(values.begin(), values.end());
  double n = static_cast<double>(values.size());
  double pos = p * (n + 1);
  if (pos < 1) return values.front();
  if (pos >= n) return values.back();
  size_t lower = static_cast<size_t>(pos);
  double d = pos - std::floor(pos);
  return values[lower - 1] + d * (values[lower] - values[lower - 1]);
}

Evaluation evaluate(const SloFile& slo, const std::map<std::string, SliValue>& values,
                    const PreviousValues& previous) {
  Evaluation e;
  if (slo.objectives.empty()) {
    e.result = Result::Fail;
    e.reason = "the SLO file has no objectives";
    return e;
  }
  for (const auto& o : slo.objectives) {
    auto v = values.find(o.sli);
    std::optional<double> prev;
    if (auto p = previous.find(o.sli); p != previous.end())
      prev = aggregate(p->second, slo.comparison.aggregate);
    ObjectiveResult r = score_objective(o, v == values.end() ? nullptr : &v->second, prev);
    if (!o.informational()) e.max_score += o.weight;
    e.score += r.score;
    e.key_failed = e.key_failed || r.key_failed;
    e.objectives.push_back(std::move(r));
  }
  e.percent = e.max_score == 0 ? 100.0 : 100.0 * e.score / e.max_score;
  std::string score_text = number_text(e.percent) + "%";
  if (at_least(e.percent, slo.total_score.pass) && !e.key_failed) {
    e.result = Result::Pass;
    e.reason = "score " + score_text + " reaches the pass threshold " +
               number_text(slo.total_score.pass) + "%";
  } else if (slo.total_score.warning && !e.key_failed &&
             at_least(e.percent, *slo.total_score.warning)) {
    e.result = Result::Warning;
    e.reason = "score " + score_text + " is below pass " + number_text(slo.total_score.pass) +
               "% but reaches warning " + number_text(*slo.total_score.warning) + "%";
  } else {
    e.result = Result::Fail;
    if (e.key_failed) {
      std::vector<std::string> keys;
      for (const auto& r : e.objectives)
        if (r.key_failed) keys.push_back(r.objective->display_name);
      e.reason = "key SLI failed: " + str::join(keys, ", ") + " (score " + score_text + ")";
    } else {
      e.reason = "score " + score_text + " is below " +
                 (slo.total_score.warning ? "warning " + number_text(*slo.total_score.warning)
                                          : "pass " + number_text(slo.total_score.pass)) +
                 "%";
    }
  }
  return e;
}

}  // namespace tollgate::slo
