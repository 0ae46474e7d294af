#include "load/run_monitor.h"

#include <algorithm>

namespace tollgate::load {

RunMonitor::RunMonitor(const Scenario& scenario, int workers)
    : scenario_(scenario), slots_(static_cast<size_t>(workers)) {
  keep_totals_ = std::any_of(scenario.thresholds.begin(), scenario.thresholds.end(),
                             [](const Threshold& t) { return t.abort_on_fail; });
}

void RunMonitor::report(int worker, const SecondStats& second, const Stats& totals) {
  const RequestStats& all = totals.overall;
  auto errors = [&](ErrorClass c) { return all.errors[static_cast<size_t>(c)]; };
  std::lock_guard lock(mutex_);
  Slot& slot = slots_[static_cast<size_t>(worker)];
  slot.seconds.push_back(second);
  slot.answered = all.latency.count();
  slot.unreachable =
      errors(ErrorClass::Refused) + errors(ErrorClass::Connect) + errors(ErrorClass::Tls);
  // A copy of the totals without the time series: the histograms are copied into the slot's
  // existing storage, so after the first second this allocates nothing.
  if (keep_totals_) slot.totals.assign_totals(totals);
  ++reports_;
  news_.notify_one();
}

void RunMonitor::finish(int worker) {
  std::lock_guard lock(mutex_);
  slots_[static_cast<size_t>(worker)].finished = true;
  ++reports_;
  news_.notify_one();
}

void RunMonitor::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  news_.wait_for(lock, timeout, [this] { return reports_ != seen_; });
  seen_ = reports_;
}

bool RunMonitor::second_ready() const {
  bool any = false;
  for (const auto& slot : slots_) {
    if (!slot.seconds.empty())
      any = true;
    else if (!slot.finished)
      return false;
  }
  return any;
}

std::string RunMonitor::poll(const std::function<void(const LiveSecond&)>& on_second) {
  std::unique_lock lock(mutex_);
  bool merged_any = false;
  while (second_ready()) {
    SecondStats merged;
    for (auto& slot : slots_) {
      if (slot.seconds.empty()) continue;
      merged.merge(slot.seconds.front());
      slot.seconds.pop_front();
    }
    ++merged_;
    merged_any = true;
    if (on_second) {
      LiveSecond live{merged_, merged.users, merged.count, merged.failures,
                      merged.latency.dense().percentile_us(95)};
      lock.unlock();  // the callback prints; workers must not wait for a terminal
      on_second(live);
      lock.lock();
    }
  }
  return merged_any ? judge(merged_) : "";
}

std::string RunMonitor::judge(int elapsed_s) const {
  uint64_t answered = 0, unreachable = 0;
  for (const auto& slot : slots_) {
    answered += slot.answered;
    unreachable += slot.unreachable;
  }
  if (answered == 0 && unreachable > 0)
    return "cannot connect to " + scenario_.target.host_header + ": " +
           std::to_string(unreachable) + " connection attempts failed and none answered";
  if (!keep_totals_) return "";
  Stats merged(scenario_.request_names);
  for (const auto& slot : slots_)
    merged.merge(slot.totals);
  merged.duration_s = elapsed_s;
  for (const auto& t : scenario_.thresholds) {
    if (!t.abort_on_fail || elapsed_s < t.delay_abort_s) continue;
    ThresholdResult r = evaluate(t, merged);
    if (r.observed && !r.passed)
      return "threshold " + t.label() + " failed after " + std::to_string(elapsed_s) +
             "s (abortOnFail)";
  }
  return "";
}

}  // namespace tollgate::load
