#include "load/connection.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "util/error.h"

namespace tollgate::load {

SocketAddress resolve(const std::string& host, const std::string& port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) throw Error("cannot resolve host '" + host + "': " + std::string(gai_strerror(rc)));
  SocketAddress a;
  std::memcpy(&a.storage, found->ai_addr, found->ai_addrlen);
  a.length = found->ai_addrlen;
  freeaddrinfo(found);
  return a;
}

ErrorClass classify(int err) {
  switch (err) {
    case ECONNREFUSED:
      return ErrorClass::Refused;
    case ECONNRESET:
    case EPIPE:
    case ECONNABORTED:
      return ErrorClass::Reset;
    case ETIMEDOUT:
      return ErrorClass::Timeout;
    default:
      return ErrorClass::Connect;
  }
}

Connection::Connection(Connection&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), ssl_(std::exchange(other.ssl_, nullptr)) {}

Connection::Io Connection::connect(const SocketAddress& address, int epoll_fd, uint32_t tag,
                                   bool kernel_times, int& err) {
  err = 0;
  fd_ = ::socket(address.get()->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    err = errno;
    return Io::Failed;
  }
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (kernel_times) setsockopt(fd_, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  epoll_event ev{};
  // Edge-triggered for both directions: one registration per connection, no epoll_ctl per
  // request; readers and writers go on until EAGAIN (or a short read) instead.
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u32 = tag;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd_, &ev) != 0) {
    err = errno;
    return Io::Failed;
  }
  if (::connect(fd_, address.get(), address.length) == 0) return Io::Done;
  if (errno == EINPROGRESS) return Io::Again;
  err = errno;
  return Io::Failed;
}

Connection::Io Connection::connect_result(int& err) {
  err = 0;
  socklen_t len = sizeof err;
  getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
  return err == 0 ? Io::Done : Io::Failed;
}

bool Connection::start_tls(const TlsContext& tls) {
  ssl_ = tls.open(fd_);
  return ssl_ != nullptr;
}

Connection::Io Connection::handshake(std::string& why) {
  int rc = SSL_do_handshake(ssl_);
  if (rc == 1) return Io::Done;
  int err = SSL_get_error(ssl_, rc);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return Io::Again;
  why = tls_error_text();
  long verify = SSL_get_verify_result(ssl_);
  if (verify != X509_V_OK) why = X509_verify_cert_error_string(verify);
  return Io::Failed;
}

Connection::Io Connection::send(const char* data, size_t len, size_t& n, int& err) {
  n = 0;
  err = 0;
  if (!ssl_) {
    ssize_t rc = ::send(fd_, data, len, MSG_NOSIGNAL);
    if (rc >= 0) {
      n = static_cast<size_t>(rc);
      return Io::Done;
    }
    err = errno;
    return err == EAGAIN || err == EINTR ? Io::Again : Io::Failed;
  }
  int rc = SSL_write(ssl_, data, static_cast<int>(len));
  if (rc > 0) {
    n = static_cast<size_t>(rc);
    return Io::Done;
  }
  int e = SSL_get_error(ssl_, rc);
  if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) return Io::Again;
  err = e == SSL_ERROR_SYSCALL && errno ? errno : ECONNRESET;
  ERR_clear_error();
  return Io::Failed;
}

Connection::Io Connection::recv(char* data, size_t len, size_t& n, int& err, int64_t& arrived_ns) {
  n = 0;
  err = 0;
  arrived_ns = 0;
  if (!ssl_) {
    iovec iov{data, len};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
    msghdr m{};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = control;
    m.msg_controllen = sizeof control;
    ssize_t rc = ::recvmsg(fd_, &m, 0);
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); rc > 0 && c; c = CMSG_NXTHDR(&m, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
      timespec ts{};
      std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
      arrived_ns = static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    }
    if (rc > 0) {
      n = static_cast<size_t>(rc);
      return Io::Done;
    }
    if (rc == 0) return Io::Eof;
    err = errno;
    return err == EAGAIN || err == EINTR ? Io::Again : Io::Failed;
  }
  int rc = SSL_read(ssl_, data, static_cast<int>(len));
  if (rc > 0) {
    n = static_cast<size_t>(rc);
    return Io::Done;
  }
  int e = SSL_get_error(ssl_, rc);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return Io::Again;
  if (e == SSL_ERROR_ZERO_RETURN) return Io::Eof;
  // A peer that closes without close_notify: the end of the stream, as browsers take it.
  if (e == SSL_ERROR_SYSCALL && errno == 0) return Io::Eof;
  err = e == SSL_ERROR_SYSCALL && errno ? errno : ECONNRESET;
  ERR_clear_error();
  return Io::Failed;
}

void Connection::close() {
  if (ssl_) {
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  if (fd_ >= 0) {
    ::close(fd_);  // closing also removes it from the epoll set
    fd_ = -1;
  }
}

}  // namespace tollgate::load
