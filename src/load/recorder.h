#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "load/exchange.h"
#include "load/scenario.h"
#include "load/stats.h"

namespace tollgate::load {

// What one event loop measures: the statistics per request name and overall, and the second in
// progress for the time series. Kept apart from the loop so that the I/O code only says what
// happened and this decides how it counts.
class Recorder {
 public:
  explicit Recorder(std::vector<std::string> request_names) : stats(std::move(request_names)) {}

  // A response arrived: latency from the request's due time, waiting from the send to the
  // first byte.
  void response(size_t request, int64_t latency_us, int64_t waiting_us, int status,
                uint64_t body_bytes, const Evaluation& evaluation);
  // A request failed in transport.
  void failure(size_t request, ErrorClass cls);
  // Ends the current second and appends it to the time series; returns that second.
  const SecondStats& close_second(uint64_t users);
  bool has_partial_second() const { return second_.count > 0; }

  Stats stats;

 private:
  SecondStats second_;
  Histogram second_latency_;
};

}  // namespace tollgate::load
