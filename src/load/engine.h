#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "load/run_monitor.h"
#include "load/scenario.h"
#include "load/stats.h"

namespace tollgate::load {

// What the workers share while a run goes on: a stop flag, the reason an abortOnFail threshold
// stopped the run, the first TLS failure, and the feeders' cursors.
struct RunControl {
  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<std::atomic<uint64_t>>> feeder_cursors;

  std::mutex mutex;
  std::string abort_reason;  // set once, under mutex
  std::string tls_error;     // the first TLS failure, under mutex

  void abort(const std::string& reason);
  void note_tls_error(const std::string& why);
};

// Runs the scenario's load on `threads` event loops (one per thread, each with its share of the
// users or the rate) and returns their statistics merged. Blocks until the run ends: the
// duration passed, the iterations were done, an abortOnFail threshold fired on the merged
// figures, or control.stop was set (Ctrl-C). `on_second` is called from the calling thread with
// each second of the run once every thread has closed it.
Stats run_load(const Scenario& scenario, RunControl& control,
               const std::function<void(const LiveSecond&)>& on_second = {});

}  // namespace tollgate::load
