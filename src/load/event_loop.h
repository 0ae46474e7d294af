#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

#include "load/arrivals.h"
#include "load/connection.h"
#include "load/engine.h"
#include "load/exchange.h"
#include "load/http_response.h"
#include "load/journey_script.h"
#include "load/recorder.h"
#include "load/run_monitor.h"
#include "load/tls.h"

namespace tollgate::load {

int64_t monotonic_ns();

// One thread's share of a run: non-blocking sockets on one epoll instance, a connection per
// virtual user kept alive across requests, timers for spawning, think time and arrivals.
//
// Latency is measured from when a request was meant to start: in the closed model that is when
// the previous request of the user finished (plus think time); in the open model the first
// request of a journey starts at its arrival time whether or not a connection was free then,
// so a stalled server shows in the percentiles instead of silently slowing the generator
// (coordinated omission).
//
// The scheduling side (journeys, timers, arrivals, seconds) is in event_loop.cc; the socket
// side (connect, TLS, write, read, transport errors) in event_loop_io.cc.
class EventLoop {
 public:
  // `worker` is this loop's number in `monitor`, which it reports to once a second.
  EventLoop(const Scenario& scenario, const LoadSpec& load, RunControl& control,
            RunMonitor& monitor, int worker, const SocketAddress& address);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  Stats run(int64_t start_ns);

 private:
  enum class State { Idle, Waiting, Connecting, Handshaking, Writing, Reading };
  using Io = Connection::Io;

  struct User {
    uint32_t index = 0;
    Connection conn;
    State state = State::Idle;
    const Journey* journey = nullptr;  // nullptr between journeys
    size_t step = 0;
    uint64_t iteration = 0;
    int64_t iteration_start_ns = 0;
    int64_t intended_ns = 0;  // latency origin of the current request
    int64_t sent_ns = 0;
    int64_t first_byte_ns = 0;
    int64_t deadline_ns = 0;
    uint64_t timer_seq = 0;
    bool reused = false;   // the connection already served a response
    bool retried = false;  // one silent retry when a kept-alive connection was closed under us
    bool failed = false;   // the journey hit a transport error or a failed extraction
    std::string_view out;  // the request's bytes: prebuilt, or rendered into `scratch`
    size_t out_offset = 0;
    std::string scratch;
    ResponseParser parser;
    VarMap vars;
  };

  struct Timer {
    int64_t when;
    uint32_t user;
    uint64_t seq;
    bool operator>(const Timer& o) const { return when > o.when; }
  };

  bool in_flight(const User& u) const {
    return u.state == State::Connecting || u.state == State::Handshaking ||
           u.state == State::Writing || u.state == State::Reading;
  }
  const RequestSpec& request(const User& u) const { return u.journey->requests[u.step]; }

  void start_journey(User& u, int64_t intended_ns);
  void issue(User& u, int64_t intended_ns);
  void open_connection(User& u);
  void close_connection(User& u);
  void after_connect(User& u);
  void handshake(User& u);
  void write_request(User& u);
  void read_response(User& u);
  // When bytes read now arrived: the kernel's receive stamp when there is one, so that the time
  // this process took to get round to them is not the server's latency.
  int64_t arrival(int64_t kernel_realtime_ns, int64_t sent_ns) const;
  void on_event(User& u, uint32_t events);
  void complete(User& u, int64_t now);
  void transport_error(User& u, ErrorClass cls, int64_t now);
  void retry_or_fail(User& u, ErrorClass cls, int64_t now);
  void advance(User& u, int64_t now);
  void end_journey(User& u, int64_t now);
  void schedule(User& u, int64_t when);

  void fire_timers(int64_t now);
  void scan_timeouts(int64_t now);
  void arrivals(int64_t now);
  void dispatch(int64_t now);
  void close_second(int64_t now, bool whole);
  bool finished(int64_t now) const;

  const Scenario& scenario_;
  LoadSpec load_;
  RunControl& control_;
  RunMonitor& monitor_;
  int worker_;
  SocketAddress address_;
  int epoll_fd_ = -1;
  std::unique_ptr<TlsContext> tls_;

  std::deque<User> users_;  // a deque: growing it never moves a user that is in use
  std::vector<uint32_t> idle_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::deque<int64_t> pending_;  // open model: arrivals waiting for a free connection
  JourneyScript script_;
  std::vector<char> buffer_;

  Recorder record_;
  int64_t start_ns_ = 0;
  int64_t end_ns_ = 0;
  int64_t active_ = 0;  // users inside a journey
  int64_t spawned_ = 0;
  uint64_t started_iterations_ = 0;
  uint64_t requests_issued_ = 0;
  ArrivalSchedule schedule_;  // open model

  int64_t next_second_ns_ = 0;
  int64_t realtime_offset_ns_ = 0;  // CLOCK_REALTIME - CLOCK_MONOTONIC, refreshed each second
};

}  // namespace tollgate::load
