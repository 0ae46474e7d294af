#include "slo/gate.h"

#include <charconv>
#include <filesystem>
#include <set>

#include "slo/evaluation_store.h"
#include "slo/slo_verdict.h"
#include "util/strings.h"

namespace tollgate::slo {
namespace {

namespace fs = std::filesystem;
using timefmt::Clock;

std::optional<Clock::time_point> parse_time(const std::string& s) {
  double seconds = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), seconds);
  if (ec == std::errc() && end == s.data() + s.size())
    return Clock::time_point(
        std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)));
  return timefmt::parse_iso8601(s);
}

Clock::time_point time_flag(const std::string& flag, const std::string& value) {
  auto t = parse_time(value);
  if (!t)
    throw UsageError(flag + " '" + value +
                     "': expected an ISO 8601 time (2026-11-26T18:00:00Z) or epoch seconds");
  return *t;
}

std::string default_sli_path(const std::string& slo_path) {
  fs::path p(slo_path);
  return (p.has_parent_path() ? p.parent_path() / "sli.yaml" : fs::path("sli.yaml")).string();
}

std::map<std::string, std::string> placeholders(const SloFile& slo, const GateOptions& o,
                                                const Window& w) {
  std::map<std::string, std::string> vars = slo.filter;
  for (const auto& [k, v] : o.labels)
    vars[k] = v;
  auto secs = [](Clock::time_point t) {
    return std::to_string(
        std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
  };
  std::string duration =
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(w.end - w.start).count()) +
      "s";
  // Keptn's name, meant for range selectors: rate(x[$DURATION_SECONDS]).
  vars["DURATION_SECONDS"] = duration;
  vars["DURATION"] = duration;
  vars["START"] = secs(w.start);
  vars["END"] = secs(w.end);
  return vars;
}

}  // namespace

Window resolve_window(const std::string& start, const std::string& end, const std::string& window,
                      Clock::time_point now) {
  Window w;
  std::optional<std::chrono::milliseconds> length;
  if (!window.empty() || start.empty()) {
    length = timefmt::parse_duration(window.empty() ? "5m" : window);
    if (!length || length->count() <= 0)
      throw UsageError("--window '" + window + "': expected a duration such as 30s, 10m or 1h");
  }
  if (!start.empty() && !end.empty() && !window.empty())
    throw UsageError("--start, --end and --window together over-determine the window; give two");
  if (!start.empty()) {
    w.start = time_flag("--start", start);
    w.end = !end.empty() ? time_flag("--end", end) : window.empty() ? now : w.start + *length;
  } else {
    w.end = end.empty() ? now : time_flag("--end", end);
    w.start = w.end - *length;
  }
  if (w.start >= w.end)
    throw UsageError("the window is empty: start " + timefmt::iso8601(w.start) +
                     " is not before end " + timefmt::iso8601(w.end));
  return w;
}

namespace {

std::vector<Query> build_queries(const SloFile& slo, const SliMap& map, const Source& source,
                                 const std::map<std::string, std::string>& vars) {
  std::vector<Query> queries;
  std::set<std::string> seen;
  for (const auto& o : slo.objectives) {
    if (!seen.insert(o.sli).second) continue;
    auto it = map.indicators.find(o.sli);
    Query q;
    q.sli = o.sli;
    if (it != map.indicators.end()) {
      q.text = expand_placeholders(it->second, vars);
      q.kind = it->second.kind;
      q.reduce = it->second.reduce;
      q.step = it->second.step;
      q.where = it->second.where;
    } else if (source.names_are_queries()) {
      q.text = o.sli;
      q.where = o.where;
    } else {
      std::vector<std::string> names;
      for (const auto& [name, spec] : map.indicators)
        names.push_back(name);
      std::string hint = str::closest(o.sli, names);
      throw Error(o.where, "SLI '" + o.sli + "' is not in the SLI map " +
                               (map.path.empty() ? "(none given)" : map.path) +
                               (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
    queries.push_back(std::move(q));
  }
  return queries;
}

std::map<std::string, SliValue> measure_all(Source& source, const std::vector<Query>& queries,
                                            const Window& window, MeasuredSamples* samples,
                                            std::vector<std::string>* warnings) {
  std::vector<Measurement> measured = source.measure(queries, window);
  std::map<std::string, SliValue> values;
  for (size_t i = 0; i < queries.size(); ++i) {
    SliValue v;
    v.query = queries[i].text;
    v.value = value_of(queries[i], measured[i], &v.no_data);
    if (!v.value && v.no_data.empty()) v.no_data = "no data";
    values[queries[i].sli] = v;
    if (samples) (*samples)[queries[i].sli] = measured[i].samples;
    for (const auto& w : measured[i].warnings)
      warnings->push_back("query '" + queries[i].text + "': " + w);
  }
  return values;
}

}  // namespace

verdict::Verdict run_gate(const GateOptions& o) {
  Window window = resolve_window(o.start, o.end, o.window, timefmt::Clock::now());
  SloFile slo = load_slo(o.slo_path);
  std::unique_ptr<Source> source = make_source(o.source, o.source_options);
  std::string sli_path = o.sli_path.empty() ? default_sli_path(o.slo_path) : o.sli_path;
  SliMap map;
  if (!o.sli_path.empty() || fs::exists(sli_path)) {
    map = load_sli_map(sli_path);
  } else if (!source->names_are_queries()) {
    throw Error(SourceLocation{sli_path},
                "no SLI map: " + sli_path + " does not exist; give the queries with --sli FILE");
  }
  auto vars = placeholders(slo, o, window);
  std::vector<Query> queries = build_queries(slo, map, *source, vars);

  MeasuredSamples current_samples;
  std::vector<std::string> warnings;
  std::map<std::string, SliValue> values = measure_all(
      *source, queries, window, o.baseline.enabled() ? &current_samples : nullptr, &warnings);

  std::string key = o.history_key.empty() ? fs::weakly_canonical(fs::absolute(o.slo_path)).string()
                                          : o.history_key;
  db::Database db(o.history_path);
  EvaluationStore store(db);
  PreviousValues previous = store.previous(key, slo.comparison);
  HistoryInfo history{key, o.history_path, store.count_previous(key, slo.comparison), false};

  Evaluation evaluation = evaluate(slo, values, previous);
  if (std::string why = source->failed_test_run(); !why.empty()) fail_for_test_run(evaluation, why);

  std::optional<BaselineReport> baseline;
  if (o.baseline.enabled()) {
    std::unique_ptr<Source> baseline_source =
        make_source(o.baseline.source.empty() ? o.source : o.baseline.source, o.source_options);
    // Without --baseline-end the baseline lasts as long as the window it is compared with.
    std::string length =
        o.baseline.end.empty()
            ? std::to_string(static_cast<long long>(window.seconds() * 1000)) + "ms"
            : "";
    Window baseline_window =
        o.baseline.start.empty()
            ? window
            : resolve_window(o.baseline.start, o.baseline.end, length, window.end);
    auto baseline_vars = placeholders(slo, o, baseline_window);
    std::vector<Query> baseline_queries = build_queries(slo, map, *baseline_source, baseline_vars);
    MeasuredSamples baseline_samples;
    measure_all(*baseline_source, baseline_queries, baseline_window, &baseline_samples, &warnings);
    baseline = judge_baseline(slo, baseline_samples, current_samples, o.baseline);
    baseline->description = baseline_source->describe() + " " +
                            timefmt::iso8601(baseline_window.start) + " .. " +
                            timefmt::iso8601(baseline_window.end);
  }

  if (o.record) {
    store.record(key, source->describe(), timefmt::iso8601(timefmt::Clock::now()), evaluation);
    history.recorded = true;
  }
  SloContext context{&slo, source->describe(), window, history, o.fail_on_warning, warnings};
  return make_verdict(context, evaluation, baseline);
}

}  // namespace tollgate::slo
