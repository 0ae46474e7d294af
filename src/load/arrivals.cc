#include "load/arrivals.h"

#include <limits>

namespace tollgate::load {

ArrivalSchedule::ArrivalSchedule(std::vector<Stage> stages, int64_t start_ns)
    : stages_(std::move(stages)), stage_start_ns_(start_ns) {
  skip_finished_stages();
}

int64_t ArrivalSchedule::next_ns() const {
  if (done()) return std::numeric_limits<int64_t>::max();
  return stage_start_ns_ +
         static_cast<int64_t>(static_cast<double>(taken_) * 1e9 / stages_[stage_].rate);
}

void ArrivalSchedule::pop() {
  ++taken_;
  skip_finished_stages();
}

void ArrivalSchedule::skip_finished_stages() {
  while (!done()) {
    int64_t stage_end = stage_start_ns_ + stages_[stage_].duration_us * 1000;
    if (next_ns() < stage_end) return;
    ++stage_;
    taken_ = 0;
    stage_start_ns_ = stage_end;
  }
}

}  // namespace tollgate::load
