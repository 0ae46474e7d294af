// The socket side of the event loop: how one request goes over its user's connection
// (connect, TLS handshake, write, read and parse the response) and what a transport failure
// means. The scheduling side (when requests start, journeys, timers, arrivals, seconds) is in
// event_loop.cc; the two meet in complete() and transport_error().
#include <sys/epoll.h>

#include <algorithm>

#include "load/event_loop.h"

namespace tollgate::load {

void EventLoop::open_connection(User& u) {
  u.reused = false;
  int err = 0;
  switch (u.conn.connect(address_, epoll_fd_, u.index, !tls_, err)) {
    case Connection::Io::Done:
      after_connect(u);
      return;
    case Connection::Io::Again:
      u.state = State::Connecting;
      return;
    default:
      transport_error(u, classify(err), monotonic_ns());
  }
}

void EventLoop::after_connect(User& u) {
  if (!tls_) {
    write_request(u);
    return;
  }
  if (!u.conn.start_tls(*tls_)) {
    control_.note_tls_error(tls_error_text());
    transport_error(u, ErrorClass::Tls, monotonic_ns());
    return;
  }
  u.state = State::Handshaking;
  handshake(u);
}

void EventLoop::handshake(User& u) {
  std::string why;
  switch (u.conn.handshake(why)) {
    case Connection::Io::Done:
      write_request(u);
      return;
    case Connection::Io::Again:
      return;
    default:
      control_.note_tls_error(why);
      transport_error(u, ErrorClass::Tls, monotonic_ns());
  }
}

void EventLoop::close_connection(User& u) {
  u.conn.close();
  u.reused = false;
}

void EventLoop::write_request(User& u) {
  u.state = State::Writing;
  const RequestSpec& r = request(u);
  u.parser.reset(r.method == "HEAD", r.needs_body(), r.needs_headers());
  while (u.out_offset < u.out.size()) {
    size_t n = 0;
    int err = 0;
    Io io = u.conn.send(u.out.data() + u.out_offset, u.out.size() - u.out_offset, n, err);
    if (io == Io::Done) {
      u.out_offset += n;
    } else if (io == Io::Again) {
      return;  // EPOLLOUT will call again
    } else {
      retry_or_fail(u, classify(err), monotonic_ns());
      return;
    }
  }
  u.state = State::Reading;
  u.sent_ns = monotonic_ns();
  u.first_byte_ns = 0;
}

int64_t EventLoop::arrival(int64_t kernel_realtime_ns, int64_t sent_ns) const {
  int64_t now = monotonic_ns();
  if (kernel_realtime_ns == 0) return now;
  // The kernel's stamp on the monotonic clock, bounded by what this process saw: never before
  // the request went out, never after it read the bytes.
  return std::clamp(kernel_realtime_ns - realtime_offset_ns_, sent_ns, now);
}

void EventLoop::read_response(User& u) {
  while (true) {
    size_t n = 0;
    int err = 0;
    int64_t arrived_ns = 0;
    Io io = u.conn.recv(buffer_.data(), buffer_.size(), n, err, arrived_ns);
    if (io == Io::Done) {
      int64_t now = arrival(arrived_ns, u.sent_ns);
      if (u.first_byte_ns == 0) u.first_byte_ns = now;
      size_t used = 0;
      auto result = u.parser.feed(buffer_.data(), n, used);
      record_.stats.overall.bytes_received += static_cast<uint64_t>(n);
      if (result == ResponseParser::Result::Done) {
        complete(u, now);
        return;
      }
      if (result == ResponseParser::Result::Error) {
        transport_error(u, ErrorClass::Protocol, now);
        return;
      }
      // A short read drained the socket; with edge triggering new data raises a new event.
      // (OpenSSL may hold decrypted bytes of a record, so TLS reads on until WANT_READ.)
      if (!u.conn.encrypted() && n < buffer_.size()) return;
    } else if (io == Io::Eof) {
      int64_t now = monotonic_ns();
      if (u.parser.finish_on_eof() == ResponseParser::Result::Done) {
        complete(u, now);
      } else {
        retry_or_fail(u, ErrorClass::Reset, now);
      }
      return;
    } else if (io == Io::Again) {
      return;
    } else {
      retry_or_fail(u, classify(err), monotonic_ns());
      return;
    }
  }
}

void EventLoop::retry_or_fail(User& u, ErrorClass cls, int64_t now) {
  // A kept-alive connection the server closed while it was idle fails on first use; that is
  // not the server failing the request, so send it again once on a fresh connection.
  if (u.reused && !u.retried && !u.parser.started() &&
      (cls == ErrorClass::Reset || cls == ErrorClass::Connect)) {
    close_connection(u);
    u.retried = true;
    u.out_offset = 0;
    open_connection(u);
    return;
  }
  transport_error(u, cls, now);
}

void EventLoop::on_event(User& u, uint32_t events) {
  switch (u.state) {
    case State::Connecting: {
      int err = 0;
      if (u.conn.connect_result(err) != Io::Done) {
        retry_or_fail(u, classify(err), monotonic_ns());
      } else if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
        after_connect(u);
      }
      return;
    }
    case State::Handshaking:
      handshake(u);
      return;
    case State::Writing:
      write_request(u);
      return;
    case State::Reading:
      read_response(u);
      return;
    case State::Idle:
    case State::Waiting:
      // The server closed a kept-alive connection between requests: drop it now rather than
      // fail the next request on it.
      if (u.conn.is_open() && (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))) close_connection(u);
      return;
  }
}

}  // namespace tollgate::load
