#include "load/engine.h"

#include <sys/resource.h>

#include <chrono>
#include <thread>

#include "load/event_loop.h"
#include "util/error.h"
#include "util/process.h"

namespace tollgate::load {

void RunControl::abort(const std::string& reason) {
  std::lock_guard lock(mutex);
  if (abort_reason.empty()) abort_reason = reason;
  stop = true;
}

void RunControl::note_tls_error(const std::string& why) {
  std::lock_guard lock(mutex);
  if (tls_error.empty()) tls_error = why;
}

Stats run_load(const Scenario& scenario, RunControl& control,
               const std::function<void(const LiveSecond&)>& on_second) {
  SocketAddress address = resolve(scenario.target.host, scenario.target.port);
  // A connection per user: lift the soft descriptor limit (often 1024) to the hard one.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  const LoadSpec& whole = scenario.load;
  LoadSpec mine = whole.split(whole.share_index, whole.share_count);
  int threads = std::max(1, whole.threads);
  while (control.feeder_cursors.size() < scenario.feeders.size())
    control.feeder_cursors.push_back(std::make_unique<std::atomic<uint64_t>>(0));

  std::vector<Stats> results(static_cast<size_t>(threads));
  std::vector<std::string> errors(static_cast<size_t>(threads));
  std::atomic<int> running{threads};
  RunMonitor monitor(scenario, threads);
  int64_t start_ns = monotonic_ns();
  std::vector<std::thread> workers;
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back([&, i] {
      try {
        EventLoop loop(scenario, mine.split(i, threads), control, monitor, i, address);
        results[static_cast<size_t>(i)] = loop.run(start_ns);
      } catch (const std::exception& e) {
        errors[static_cast<size_t>(i)] = e.what();
        control.stop = true;
      }
      monitor.finish(i);
      --running;
    });
  }
  while (running > 0) {
    // Woken by every report; the timeout only bounds how late Ctrl-C is passed on.
    monitor.wait(std::chrono::milliseconds(50));
    if (process::canceled()) control.stop = true;
    std::string reason = monitor.poll(on_second);
    if (!reason.empty()) control.abort(reason);
  }
  for (auto& w : workers)
    w.join();
  monitor.poll(on_second);  // the seconds reported after the last poll
  for (const auto& e : errors)
    if (!e.empty()) throw Error(e);
  Stats merged(scenario.request_names);
  for (const auto& r : results)
    merged.merge(r);
  return merged;
}

}  // namespace tollgate::load
