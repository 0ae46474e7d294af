#include "load/thresholds.h"

#include <algorithm>
#include <charconv>
#include <map>

#include "util/strings.h"
#include "util/timefmt.h"

namespace tollgate::load {
namespace {

enum class MetricKind { Trend, Rate, Counter };

const std::map<std::string, MetricKind, std::less<>>& metrics() {
  static const std::map<std::string, MetricKind, std::less<>> m = {
      {"http_req_duration", MetricKind::Trend},   {"http_req_waiting", MetricKind::Trend},
      {"http_req_failed", MetricKind::Rate},      {"checks", MetricKind::Rate},
      {"http_reqs", MetricKind::Counter},         {"iterations", MetricKind::Counter},
      {"dropped_iterations", MetricKind::Counter}};
  return m;
}

std::vector<std::string> metric_names() {
  std::vector<std::string> out;
  for (const auto& [k, _] : metrics())
    out.push_back(k);
  return out;
}

bool allowed(MetricKind kind, const std::string& agg) {
  switch (kind) {
    case MetricKind::Trend:
      return agg == "avg" || agg == "min" || agg == "max" || agg == "med" || agg == "count" ||
             agg.starts_with("p(");
    case MetricKind::Rate:
      return agg == "rate";
    case MetricKind::Counter:
      return agg == "count" || agg == "rate";
  }
  return false;
}

std::string allowed_text(MetricKind kind) {
  switch (kind) {
    case MetricKind::Trend:
      return "avg, min, max, med, count, p(N)";
    case MetricKind::Rate:
      return "rate";
    case MetricKind::Counter:
      return "count, rate";
  }
  return "";
}

bool compare(double a, const std::string& op, double b) {
  if (op == "<") return a < b;
  if (op == "<=") return a <= b;
  if (op == ">") return a > b;
  if (op == ">=") return a >= b;
  if (op == "==") return a == b;
  return a != b;
}

std::optional<double> trend_value(const Histogram& h, const Threshold& t) {
  if (t.aggregation == "count") return static_cast<double>(h.count());
  if (h.count() == 0) return std::nullopt;
  auto ms = [](int64_t us) { return static_cast<double>(us) / 1000.0; };
  if (t.aggregation == "avg") return h.mean_us() / 1000.0;
  if (t.aggregation == "min") return ms(h.min_us());
  if (t.aggregation == "max") return ms(h.max_us());
  if (t.aggregation == "med") return ms(h.percentile_us(50));
  return ms(h.percentile_us(t.percentile));
}

}  // namespace

std::string Threshold::label() const {
  std::string key = metric;
  if (!request_name.empty()) key += "{name:" + request_name + "}";
  return key + " " + source;
}

Threshold parse_threshold(const std::string& metric_key, const std::string& expression,
                          const SourceLocation& where,
                          const std::vector<std::string>& request_names) {
  Threshold t;
  t.where = where;
  t.source = std::string(str::trim(expression));
  std::string key(str::trim(metric_key));
  size_t brace = key.find('{');
  t.metric = key.substr(0, brace);
  auto it = metrics().find(t.metric);
  if (it == metrics().end()) {
    std::string hint = str::closest(t.metric, metric_names());
    throw Error(where, "unknown metric '" + t.metric + "'" +
                           (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                           "; known: " + str::join(metric_names(), ", "));
  }
  if (brace != std::string::npos) {
    if (key.back() != '}') throw Error(where, "unclosed { in '" + key + "'");
    std::string tag = key.substr(brace + 1, key.size() - brace - 2);
    size_t colon = tag.find(':');
    if (colon == std::string::npos || str::trim(tag.substr(0, colon)) != "name")
      throw Error(where, "only the {name:REQUEST} tag is supported, not '{" + tag + "}'");
    if (it->second == MetricKind::Counter && t.metric != "http_reqs")
      throw Error(where, "'" + t.metric + "' counts journeys and has no {name:...}");
    t.request_name = std::string(str::trim(tag.substr(colon + 1)));
    if (std::find(request_names.begin(), request_names.end(), t.request_name) ==
        request_names.end()) {
      std::string hint = str::closest(t.request_name, request_names);
      throw Error(where, "no request is named '" + t.request_name + "'" +
                             (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
  }
  // aggregation, operator, value
  const std::string& e = t.source;
  size_t op_pos = e.find_first_of("<>=!");
  if (op_pos == std::string::npos || op_pos == 0)
    throw Error(where, "threshold '" + e + "' must read AGGREGATION OP VALUE, e.g. p(95)<300");
  t.aggregation = std::string(str::trim(e.substr(0, op_pos)));
  size_t op_len = (op_pos + 1 < e.size() && e[op_pos + 1] == '=') ? 2 : 1;
  t.op = e.substr(op_pos, op_len);
  if (t.op == "=" || t.op == "!")
    throw Error(where, "unknown operator '" + t.op + "' in '" + e + "'");
  std::string value(str::trim(e.substr(op_pos + op_len)));
  if (t.aggregation.starts_with("p(")) {
    std::string_view inner(t.aggregation);
    inner = inner.substr(2);
    if (inner.empty() || inner.back() != ')')
      throw Error(where, "percentile '" + t.aggregation + "' must read p(N), e.g. p(99.9)");
    inner.remove_suffix(1);
    auto [ptr, ec] = std::from_chars(inner.data(), inner.data() + inner.size(), t.percentile);
    if (ec != std::errc() || ptr != inner.data() + inner.size() || t.percentile < 0 ||
        t.percentile > 100)
      throw Error(where, "percentile '" + t.aggregation + "' needs N between 0 and 100");
  }
  if (!allowed(it->second, t.aggregation))
    throw Error(where, "'" + t.aggregation + "' does not apply to " + t.metric + " (use " +
                           allowed_text(it->second) + ")");
  bool trend_ms = it->second == MetricKind::Trend && t.aggregation != "count";
  if (trend_ms && (value.ends_with("ms") || value.ends_with("s") || value.ends_with("m"))) {
    auto d = timefmt::parse_duration(value);
    if (!d) throw Error(where, "bad duration '" + value + "' in '" + e + "'");
    t.value = static_cast<double>(d->count());
    return t;
  }
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), t.value);
  if (value.empty() || ec != std::errc() || ptr != value.data() + value.size())
    throw Error(where, "bad number '" + value + "' in threshold '" + e + "'" +
                           (trend_ms ? " (durations are milliseconds: p(95)<300)" : ""));
  return t;
}

std::vector<Threshold> parse_thresholds(const yaml::Node& node,
                                        const std::vector<std::string>& request_names) {
  std::vector<Threshold> out;
  if (node.is_null()) return out;
  if (!node.is_mapping())
    throw Error(node.where, "thresholds must be a mapping of metric to a list of conditions, not " +
                                node.describe());
  for (const auto& entry : node.entries) {
    const std::string& key = entry.key.as_string("a metric name");
    std::vector<const yaml::Node*> items;
    if (entry.value.is_sequence()) {
      for (const auto& item : entry.value.items)
        items.push_back(&item);
    } else {
      items.push_back(&entry.value);
    }
    for (const yaml::Node* item : items) {
      if (item->is_scalar()) {
        out.push_back(parse_threshold(key, item->scalar, item->where, request_names));
        continue;
      }
      if (!item->is_mapping())
        throw Error(item->where,
                    "a threshold is a string like \"p(95)<300\" or a mapping with "
                    "threshold and abortOnFail, not " +
                        item->describe());
      const yaml::Node* expr = item->find("threshold");
      if (!expr) throw Error(item->where, "threshold mapping needs a 'threshold' key");
      Threshold t = parse_threshold(key, expr->as_string(), expr->where, request_names);
      for (const auto& field : item->entries) {
        const std::string& name = field.key.scalar;
        if (name == "threshold") continue;
        if (name == "abortOnFail") {
          t.abort_on_fail = field.value.as_bool();
        } else if (name == "delayAbortEval") {
          auto d = timefmt::parse_duration(field.value.as_string());
          if (!d) throw Error(field.value.where, "bad duration '" + field.value.scalar + "'");
          t.delay_abort_s = static_cast<double>(d->count()) / 1000.0;
        } else {
          throw Error(field.key.where, "unknown threshold key '" + name +
                                           "' (known: threshold, abortOnFail, delayAbortEval)");
        }
      }
      out.push_back(std::move(t));
    }
  }
  return out;
}

ThresholdResult evaluate(const Threshold& t, const Stats& stats) {
  const RequestStats* r = &stats.overall;
  if (!t.request_name.empty()) {
    auto it = std::find(stats.names.begin(), stats.names.end(), t.request_name);
    r = it == stats.names.end() ? nullptr : &stats.requests[it - stats.names.begin()];
  }
  static const RequestStats kEmpty;
  if (!r) r = &kEmpty;
  std::optional<double> observed;
  double duration = stats.duration_s;
  auto per_second = [&](uint64_t n) -> std::optional<double> {
    if (duration <= 0) return std::nullopt;
    return static_cast<double>(n) / duration;
  };
  if (t.metric == "http_req_duration") {
    observed = trend_value(r->latency, t);
  } else if (t.metric == "http_req_waiting") {
    observed = trend_value(r->waiting, t);
  } else if (t.metric == "http_req_failed") {
    if (r->count) observed = static_cast<double>(r->failures) / static_cast<double>(r->count);
  } else if (t.metric == "checks") {
    uint64_t n = r->checks_passed + r->checks_failed;
    if (n) observed = static_cast<double>(r->checks_passed) / static_cast<double>(n);
  } else {
    uint64_t n = t.metric == "http_reqs"    ? r->count
                 : t.metric == "iterations" ? stats.iterations
                                            : stats.dropped_iterations;
    observed =
        t.aggregation == "count" ? std::optional<double>(static_cast<double>(n)) : per_second(n);
  }
  return {&t, observed, observed && compare(*observed, t.op, t.value)};
}

}  // namespace tollgate::load
