#include "load/recorder.h"

namespace tollgate::load {

void Recorder::response(size_t request, int64_t latency_us, int64_t waiting_us, int status,
                        uint64_t body_bytes, const Evaluation& e) {
  for (RequestStats* rs : {&stats.requests[request], &stats.overall}) {
    ++rs->count;
    rs->latency.record(latency_us);
    rs->waiting.record(waiting_us);
    ++rs->statuses[status];
    rs->checks_passed += e.checks_passed;
    rs->checks_failed += e.checks_failed;
    if (!e.expected_status) {
      ++rs->failures;
      ++rs->errors[static_cast<size_t>(ErrorClass::Status)];
    }
  }
  stats.requests[request].bytes_received += body_bytes;
  ++second_.count;
  if (!e.expected_status) ++second_.failures;
  second_latency_.record(latency_us);
}

void Recorder::failure(size_t request, ErrorClass cls) {
  for (RequestStats* rs : {&stats.requests[request], &stats.overall}) {
    ++rs->count;
    ++rs->failures;
    ++rs->errors[static_cast<size_t>(cls)];
  }
  ++second_.count;
  ++second_.failures;
}

const SecondStats& Recorder::close_second(uint64_t users) {
  second_.users = users;
  second_.latency = SparseHistogram(second_latency_);
  second_latency_.reset();
  stats.seconds.push_back(std::move(second_));
  second_ = SecondStats{};
  return stats.seconds.back();
}

}  // namespace tollgate::load
