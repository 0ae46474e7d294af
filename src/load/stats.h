#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "load/histogram.h"

namespace tollgate::load {

// Why a request failed. Transport classes come from the socket; Status is an HTTP status the
// request did not expect (>= 400 unless listed in its check); Check is a failed assertion.
enum class ErrorClass { Refused, Reset, Timeout, Connect, Protocol, Tls, Status, Count };
std::string_view to_string(ErrorClass c);

// The figures of one request name (or of all of them).
struct RequestStats {
  Histogram latency;      // every request that got a response, any status
  Histogram waiting;      // time to first byte after the request was sent
  uint64_t count = 0;     // requests finished: answered or failed in transport
  uint64_t failures = 0;  // transport errors and unexpected statuses
  uint64_t checks_passed = 0;
  uint64_t checks_failed = 0;
  uint64_t bytes_received = 0;
  std::array<uint64_t, static_cast<size_t>(ErrorClass::Count)> errors{};
  std::map<int, uint64_t> statuses;

  void merge(const RequestStats& other);
};

// One second of the run, for the live line, the CSV and the charts.
struct SecondStats {
  uint64_t count = 0;
  uint64_t failures = 0;
  uint64_t users = 0;  // virtual users (closed) or connections in use (open) at the end
  SparseHistogram latency;

  void merge(const SecondStats& other);
};

// Everything one run (or a merge of runs) measured.
struct Stats {
  std::vector<std::string> names;      // request names, in scenario order
  std::vector<RequestStats> requests;  // parallel to names
  RequestStats overall;
  uint64_t iterations = 0;  // journeys completed
  uint64_t iterations_failed = 0;
  uint64_t dropped_iterations = 0;  // open model: journeys that could not start in time
  uint64_t interrupted = 0;         // requests cut off when the run ended
  double duration_s = 0;
  std::vector<SecondStats> seconds;

  explicit Stats(std::vector<std::string> request_names = {});
  // Adds another run's figures; request names are matched by name, seconds by offset.
  void merge(const Stats& other);
  // Becomes a copy of other's figures without the time series, reusing this one's storage:
  // the snapshot a worker hands over once a second.
  void assign_totals(const Stats& other);
  // Index of a request name, adding it when new.
  size_t name_index(const std::string& name);

  double rps() const {
    return duration_s > 0 ? static_cast<double>(overall.count) / duration_s : 0;
  }
};

// {"count", "failures", "error_rate", "rps", "min_ms", "mean_ms", "p50_ms", ..., "max_ms",
// "duration_s", ...}: the figures the slo gate reads; the names are a contract.
nlohmann::json figures_json(const RequestStats& r, double duration_s);
// The whole summary: overall, requests, iterations, errors, statuses, timeseries and histograms
// (sparse) so that `load merge` can combine runs exactly.
nlohmann::json stats_json(const Stats& s);
// Reads stats_json back; throws Error naming `what` when malformed.
Stats stats_from_json(const nlohmann::json& j, const std::string& what);

}  // namespace tollgate::load
