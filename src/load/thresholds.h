#pragma once

#include <optional>
#include <string>
#include <vector>

#include "load/stats.h"
#include "util/error.h"
#include "util/yaml.h"

namespace tollgate::load {

// One k6-style threshold: `http_req_duration{name:checkout}: ["p(95)<300"]`.
struct Threshold {
  std::string metric;        // http_req_duration, http_req_failed, checks, ...
  std::string request_name;  // from {name:...}; "" for all requests
  std::string aggregation;   // avg, min, max, med, count, rate, p(95)
  double percentile = 0;     // for p(N)
  std::string op;            // <, <=, >, >=, ==, !=
  double value = 0;          // milliseconds for durations
  bool abort_on_fail = false;
  double delay_abort_s = 0;  // abortOnFail is not judged before this much of the run passed
  std::string source;        // the text as written, for reports: "p(95)<300"
  SourceLocation where;

  // "http_req_duration{name:checkout} p(95)<300"
  std::string label() const;
};

struct ThresholdResult {
  const Threshold* threshold;
  std::optional<double> observed;  // nullopt: no samples to judge, which fails (closed)
  bool passed;
};

// Parses the `thresholds:` mapping. request_names are the scenario's request names, so that a
// misspelt {name:...} is caught before any traffic. Throws Error at file:line:col.
std::vector<Threshold> parse_thresholds(const yaml::Node& node,
                                        const std::vector<std::string>& request_names);
// Parses one expression, e.g. "p(95)<300" for metric; for tests and flags.
Threshold parse_threshold(const std::string& metric_key, const std::string& expression,
                          const SourceLocation& where,
                          const std::vector<std::string>& request_names);

ThresholdResult evaluate(const Threshold& t, const Stats& stats);

}  // namespace tollgate::load
