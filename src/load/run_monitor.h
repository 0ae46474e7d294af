#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "load/scenario.h"
#include "load/stats.h"

namespace tollgate::load {

// One second of the whole run, every worker's figures merged: what the live line shows.
struct LiveSecond {
  int second = 0;  // 1 for the first second of the run
  uint64_t users = 0;
  uint64_t requests = 0;
  uint64_t failures = 0;
  int64_t p95_us = 0;  // of the merged histogram, not the worst of the workers
};

// How the workers of one run (its event-loop threads) report to the thread that watches it.
// Once a second each worker hands over the second it just closed and, when the scenario has
// abortOnFail thresholds, a copy of its totals. The watcher merges a second once every running
// worker has reported it, shows it, and judges the run on all workers' figures together, so
// that `--threads N` stops (or goes on) exactly as one thread with the same load would.
class RunMonitor {
 public:
  RunMonitor(const Scenario& scenario, int workers);

  // Worker side, thread-safe. `totals` are the worker's statistics so far.
  void report(int worker, const SecondStats& second, const Stats& totals);
  // The worker's loop ended; the watcher no longer waits for its seconds.
  void finish(int worker);

  // Watcher side: calls on_second for every second that all running workers have reported, in
  // order, and returns why the run must stop now ("" to go on): the target is unreachable, or
  // an abortOnFail threshold is breached on the merged figures.
  std::string poll(const std::function<void(const LiveSecond&)>& on_second);
  // Blocks until a worker reports or finishes, or `timeout` passes: the watcher sleeps between
  // seconds instead of polling.
  void wait(std::chrono::milliseconds timeout);

 private:
  struct Slot {
    std::deque<SecondStats> seconds;  // reported, not merged yet
    Stats totals;                     // the latest; only kept when an abortOnFail needs it
    uint64_t answered = 0;            // responses received, any status
    uint64_t unreachable = 0;         // refused, connect and TLS failures
    bool finished = false;
  };

  bool second_ready() const;
  std::string judge(int elapsed_s) const;

  const Scenario& scenario_;
  bool keep_totals_ = false;
  mutable std::mutex mutex_;
  std::condition_variable news_;
  uint64_t reports_ = 0;  // reports and finishes so far, for wait()
  uint64_t seen_ = 0;     // reports_ when the watcher last waited
  std::vector<Slot> slots_;
  int merged_ = 0;  // seconds merged so far
};

}  // namespace tollgate::load
