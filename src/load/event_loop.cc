#include "load/event_loop.h"

#include <sys/epoll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>

#include "util/error.h"
#include "util/process.h"

namespace tollgate::load {

int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

namespace {

// How far CLOCK_REALTIME (the kernel's receive stamps) is ahead of CLOCK_MONOTONIC.
int64_t realtime_offset_ns() {
  timespec ts{};
  int64_t before = monotonic_ns();
  clock_gettime(CLOCK_REALTIME, &ts);
  int64_t after = monotonic_ns();
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec - (before + after) / 2;
}

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kTimeoutScanNs = 5'000'000;
constexpr size_t kReadBuffer = 64 * 1024;

// Waits up to wait_ns for socket events. epoll_pwait2 (Linux 5.11) takes nanoseconds, which
// the open model's schedule needs; older kernels (and valgrind) fall back to epoll_wait, whose
// milliseconds are rounded up so that a wait never ends before it is due.
int wait_events(int epoll_fd, std::vector<epoll_event>& events, int64_t wait_ns) {
  static std::atomic<bool> have_pwait2{true};
  int capacity = static_cast<int>(events.size());
  int n;
  if (have_pwait2.load(std::memory_order_relaxed)) {
    timespec timeout{static_cast<time_t>(wait_ns / kSecond), static_cast<long>(wait_ns % kSecond)};
    n = epoll_pwait2(epoll_fd, events.data(), capacity, &timeout, nullptr);
    if (n >= 0 || errno != ENOSYS) {
      if (n < 0 && errno != EINTR)
        throw Error(std::string("epoll_pwait2: ") + std::strerror(errno));
      return std::max(n, 0);
    }
    have_pwait2 = false;
  }
  int ms = static_cast<int>(std::min<int64_t>((wait_ns + 999'999) / 1'000'000, 60'000));
  n = epoll_wait(epoll_fd, events.data(), capacity, ms);
  if (n < 0 && errno != EINTR) throw Error(std::string("epoll_wait: ") + std::strerror(errno));
  return std::max(n, 0);
}

}  // namespace

EventLoop::EventLoop(const Scenario& scenario, const LoadSpec& load, RunControl& control,
                     RunMonitor& monitor, int worker, const SocketAddress& address)
    : scenario_(scenario),
      load_(load),
      control_(control),
      monitor_(monitor),
      worker_(worker),
      address_(address),
      script_(scenario, load_, control.feeder_cursors),
      buffer_(kReadBuffer),
      record_(scenario.request_names) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw Error(std::string("epoll_create1: ") + std::strerror(errno));
  if (scenario_.target.scheme == "https")
    tls_ = std::make_unique<TlsContext>(scenario_.tls, scenario_.target.host);
}

EventLoop::~EventLoop() {
  for (auto& u : users_)
    close_connection(u);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

void EventLoop::schedule(User& u, int64_t when) {
  u.state = State::Waiting;
  timers_.push({when, u.index, ++u.timer_seq});
}

void EventLoop::start_journey(User& u, int64_t intended_ns) {
  const Journey& j = script_.pick();
  u.journey = &j;
  u.step = 0;
  u.failed = false;
  u.iteration_start_ns = intended_ns;
  if (u.iteration++ == 0) ++spawned_;
  ++started_iterations_;
  ++active_;
  script_.begin(j, static_cast<uint64_t>(load_.first_user) + u.index + 1, u.iteration, u.vars);
  issue(u, intended_ns);
}

void EventLoop::issue(User& u, int64_t intended_ns) {
  if (load_.max_requests && requests_issued_ >= static_cast<uint64_t>(load_.max_requests)) {
    // The hard bound on requests is reached: this user stops where it is.
    --active_;
    u.journey = nullptr;
    u.state = State::Idle;
    return;
  }
  ++requests_issued_;
  u.intended_ns = intended_ns;
  u.retried = false;
  const RequestSpec& r = request(u);
  u.out = script_.request_bytes(*u.journey, u.step, u.vars, u.scratch);
  u.out_offset = 0;
  u.deadline_ns = monotonic_ns() + r.timeout_us * 1000;
  if (!u.conn.is_open()) {
    open_connection(u);
  } else {
    write_request(u);
  }
}

void EventLoop::complete(User& u, int64_t now) {
  const RequestSpec& r = request(u);
  int64_t latency_us = (now - u.intended_ns) / 1000;
  int64_t waiting_us = (now - u.sent_ns) / 1000;
  if (u.first_byte_ns) waiting_us = (u.first_byte_ns - u.sent_ns) / 1000;
  int status = u.parser.status();
  Evaluation e;
  if (r.check.assertions() == 0 && r.extract.empty())
    e.expected_status = r.check.expects_status(status);
  else
    e = evaluate_response(r, u.parser, latency_us, u.vars);
  uint64_t body_bytes = u.parser.body_bytes();
  if (u.parser.keep_alive()) {
    u.reused = true;
  } else {
    close_connection(u);
  }
  if (!e.extracted) u.failed = true;
  // The next request goes out before the bookkeeping: the server gets it that much sooner,
  // and a server that loops back to a kept-alive connection finds it already waiting.
  advance(u, now);
  record_.response(r.stat_index, latency_us, waiting_us, status, body_bytes, e);
}

void EventLoop::transport_error(User& u, ErrorClass cls, int64_t now) {
  record_.failure(request(u).stat_index, cls);
  close_connection(u);
  u.failed = true;
  advance(u, now);
}

void EventLoop::advance(User& u, int64_t now) {
  ++u.step;
  if (u.failed || u.step >= u.journey->requests.size()) {
    end_journey(u, now);
    return;
  }
  int64_t pause = script_.think_ns(*u.journey);
  if (pause > 0) {
    schedule(u, now + pause);
  } else {
    issue(u, now);
  }
}

void EventLoop::end_journey(User& u, int64_t now) {
  ++record_.stats.iterations;
  if (u.failed) ++record_.stats.iterations_failed;
  --active_;
  const Journey& j = *u.journey;
  u.journey = nullptr;
  bool more =
      load_.iterations == 0 || started_iterations_ < static_cast<uint64_t>(load_.iterations);
  if (load_.model == LoadSpec::Model::Closed) {
    if (!more) {
      u.state = State::Idle;
      return;
    }
    // Think after the last request too (a user pauses before starting over), and with pacing
    // an iteration starts no sooner than `pacing` after the previous one started.
    int64_t next = now + script_.think_ns(j);
    if (j.pacing_us) next = std::max(next, u.iteration_start_ns + j.pacing_us * 1000);
    if (u.failed && next == now) next = now + 1'000'000;  // no hot loop against a dead target
    if (next <= now) {
      // Straight on, without a round through the timer heap and the poll: no think time is
      // the common case of a throughput test.
      start_journey(u, next);
      return;
    }
    schedule(u, next);
    return;
  }
  u.state = State::Idle;
  u.vars.clear();  // in the open model every arrival is a new user
  idle_.push_back(u.index);
}

void EventLoop::fire_timers(int64_t now) {
  while (!timers_.empty() && timers_.top().when <= now) {
    Timer t = timers_.top();
    timers_.pop();
    User& u = users_[t.user];
    if (t.seq != u.timer_seq || u.state != State::Waiting) continue;
    if (u.journey == nullptr) {
      if (load_.iterations && started_iterations_ >= static_cast<uint64_t>(load_.iterations)) {
        u.state = State::Idle;
        continue;
      }
      start_journey(u, t.when);
    } else {
      issue(u, t.when);
    }
  }
}

void EventLoop::scan_timeouts(int64_t now) {
  for (auto& u : users_)
    if (in_flight(u) && u.deadline_ns <= now) transport_error(u, ErrorClass::Timeout, now);
}

void EventLoop::arrivals(int64_t now) {
  while (schedule_.next_ns() <= now) {
    if (load_.iterations &&
        started_iterations_ + pending_.size() >= static_cast<uint64_t>(load_.iterations)) {
      schedule_.stop();
      return;
    }
    pending_.push_back(schedule_.next_ns());
    schedule_.pop();
  }
}

void EventLoop::dispatch(int64_t now) {
  // A journey that waited longer than a request may take will not start in time: count it as
  // dropped (dropped_iterations) rather than let the queue grow without bound.
  int64_t max_wait = scenario_.timeout_us * 1000;
  while (!pending_.empty()) {
    if (now - pending_.front() > max_wait) {
      ++record_.stats.dropped_iterations;
      pending_.pop_front();
      continue;
    }
    uint32_t index;
    if (!idle_.empty()) {
      index = idle_.back();
      idle_.pop_back();
    } else if (users_.size() < static_cast<size_t>(load_.max_connections)) {
      users_.emplace_back();
      index = static_cast<uint32_t>(users_.size() - 1);
      users_.back().index = index;
    } else {
      return;
    }
    int64_t intended = pending_.front();
    pending_.pop_front();
    start_journey(users_[index], intended);
  }
}

void EventLoop::close_second(int64_t now, bool whole) {
  uint64_t users =
      static_cast<uint64_t>(load_.model == LoadSpec::Model::Closed ? spawned_ : active_);
  const SecondStats& second = record_.close_second(users);
  next_second_ns_ += kSecond;
  realtime_offset_ns_ = realtime_offset_ns();  // follows NTP's slewing of the realtime clock
  record_.stats.duration_s = static_cast<double>(now - start_ns_) / 1e9;
  // The watcher merges the threads' seconds for the live line and judges abortOnFail
  // thresholds on all threads' figures together; a run's last, partial second is not shown.
  if (whole) monitor_.report(worker_, second, record_.stats);
}

bool EventLoop::finished(int64_t now) const {
  if (now >= end_ns_ || control_.stop.load(std::memory_order_relaxed)) return true;
  if (load_.max_requests && requests_issued_ >= static_cast<uint64_t>(load_.max_requests) &&
      active_ == 0)
    return true;
  if (load_.model == LoadSpec::Model::Closed && load_.users == 0) return true;
  bool no_more_starts =
      load_.model == LoadSpec::Model::Closed
          ? (load_.iterations && started_iterations_ >= static_cast<uint64_t>(load_.iterations))
          : schedule_.done() && pending_.empty();
  return no_more_starts && active_ == 0;
}

Stats EventLoop::run(int64_t start_ns) {
  // Wake-ups as precise as the kernel can make them: the default slack of 50 us would shift
  // every arrival of the open model by up to that much.
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  start_ns_ = start_ns;
  end_ns_ = start_ns + load_.total_duration_us() * 1000;
  next_second_ns_ = start_ns + kSecond;
  realtime_offset_ns_ = realtime_offset_ns();
  schedule_ = ArrivalSchedule(load_.stages, start_ns);
  if (load_.model == LoadSpec::Model::Closed) {
    for (int i = 0; i < load_.users; ++i) {
      users_.emplace_back();
      users_.back().index = static_cast<uint32_t>(i);
      int64_t at =
          load_.spawn_rate > 0
              ? start_ns + static_cast<int64_t>(static_cast<double>(i) * 1e9 / load_.spawn_rate)
              : start_ns;
      schedule(users_.back(), at);
    }
  }
  std::vector<epoll_event> events(256);
  int64_t next_scan = start_ns + kTimeoutScanNs;
  int64_t now = monotonic_ns();
  while (!finished(now)) {
    if (load_.model == LoadSpec::Model::Open) {
      arrivals(now);
      dispatch(now);
    }
    fire_timers(now);
    if (now >= next_scan) {
      scan_timeouts(now);
      next_scan = now + kTimeoutScanNs;
    }
    while (now >= next_second_ns_)
      close_second(now, true);
    if (finished(now)) break;

    int64_t wake = std::min({end_ns_, next_second_ns_, next_scan});
    if (!timers_.empty()) wake = std::min(wake, timers_.top().when);
    if (load_.model == LoadSpec::Model::Open) {
      wake = std::min(wake, schedule_.next_ns());
      if (!pending_.empty()) wake = std::min(wake, pending_.front() + scenario_.timeout_us * 1000);
    }
    int n = wait_events(epoll_fd_, events, std::max<int64_t>(0, wake - now));
    for (int i = 0; i < n; ++i)
      on_event(users_[events[static_cast<size_t>(i)].data.u32],
               events[static_cast<size_t>(i)].events);
    now = monotonic_ns();
    if (process::canceled()) control_.stop = true;
  }
  for (auto& u : users_)
    if (in_flight(u)) ++record_.stats.interrupted;
  // Arrivals still waiting for a connection when the run ended never started.
  record_.stats.dropped_iterations += pending_.size();
  // The run's last whole second (a 3 s run ends as its third second does) is shown like the
  // others; what comes after it is a partial second, kept for the time series only.
  while (now >= next_second_ns_ && next_second_ns_ <= end_ns_)
    close_second(now, true);
  if (record_.has_partial_second() || record_.stats.seconds.empty()) close_second(now, false);
  record_.stats.duration_s = static_cast<double>(std::min(now, end_ns_) - start_ns_) / 1e9;
  return std::move(record_.stats);
}

}  // namespace tollgate::load
