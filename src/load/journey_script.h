#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "load/scenario.h"

namespace tollgate::load {

// What the scenario tells a virtual user to do next, apart from any socket: which journey to
// take (by weight), which data rows and builtin variables an iteration starts with, the bytes
// of each request, and how long to think. One per event loop (it owns a random generator).
class JourneyScript {
 public:
  using Cursors = std::vector<std::unique_ptr<std::atomic<uint64_t>>>;

  // `cursors` are the feeders' shared row counters (one per feeder, shared by all threads).
  JourneyScript(const Scenario& scenario, const LoadSpec& load, Cursors& cursors);

  const Journey& pick();
  // The pause after a request of `journey` (think time), in nanoseconds.
  int64_t think_ns(const Journey& journey);
  // Starts iteration `iteration` (1-based) of the user numbered `user` (1-based, unique in the
  // run): the next row of each feeder the journey reads, and ${__vu} / ${__iteration} when a
  // template reads them.
  void begin(const Journey& journey, uint64_t user, uint64_t iteration, VarMap& vars);
  // The bytes of request `step` of `journey`: rendered once at start when they never change,
  // else rendered into `scratch` (which the returned view then points into).
  std::string_view request_bytes(const Journey& journey, size_t step, const VarMap& vars,
                                 std::string& scratch) const;

 private:
  const Scenario& scenario_;
  uint64_t share_index_;
  uint64_t share_count_;
  Cursors& cursors_;
  std::mt19937_64 rng_;
  std::vector<double> cumulative_weights_;
  std::vector<std::string> prebuilt_;  // request bytes per (journey, step), "" when dynamic
  std::vector<size_t> prebuilt_base_;  // index in prebuilt_ of each journey's first request
  std::vector<std::vector<std::string>> feeder_keys_;  // "users.name" per feeder column
  bool builtins_used_ = false;  // does any template read ${__vu} or ${__iteration}?
};

}  // namespace tollgate::load
