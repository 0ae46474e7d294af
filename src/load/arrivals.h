#pragma once

#include <cstdint>
#include <vector>

#include "load/scenario.h"

namespace tollgate::load {

// The open model's timetable: arrival k of a stage with rate r is due at the stage's start plus
// k/r seconds, computed from k rather than accumulated, so no drift builds up over a long run.
class ArrivalSchedule {
 public:
  ArrivalSchedule() = default;
  ArrivalSchedule(std::vector<Stage> stages, int64_t start_ns);

  // When the next arrival is due; INT64_MAX once the stages are over.
  int64_t next_ns() const;
  bool done() const { return stage_ >= stages_.size(); }
  // The next arrival was taken.
  void pop();
  // No more arrivals (a journey limit was reached).
  void stop() { stage_ = stages_.size(); }

 private:
  void skip_finished_stages();

  std::vector<Stage> stages_;
  size_t stage_ = 0;
  uint64_t taken_ = 0;  // arrivals taken in the current stage
  int64_t stage_start_ns_ = 0;
};

}  // namespace tollgate::load
