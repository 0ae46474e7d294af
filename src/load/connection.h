#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <string>

#include "load/stats.h"
#include "load/tls.h"

namespace tollgate::load {

// Where the connections go: the target's host and port, resolved once per run.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// Resolves host:port (the first address getaddrinfo gives); throws Error when it cannot.
SocketAddress resolve(const std::string& host, const std::string& port);

// One client connection of the event loop: a non-blocking TCP socket registered once,
// edge-triggered, with epoll, optionally wrapped in TLS. Every call returns at once; Again means
// "wait for the next event on this socket".
class Connection {
 public:
  enum class Io { Done, Again, Eof, Failed };

  Connection() = default;
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&&) = delete;
  Connection(const Connection&) = delete;
  ~Connection() { close(); }

  bool is_open() const { return fd_ >= 0; }
  bool encrypted() const { return ssl_ != nullptr; }

  // Opens the socket (TCP_NODELAY), registers it with epoll under `tag` and starts connecting:
  // Done when connected already, Again while in progress, Failed with errno in err. With
  // `kernel_times`, the kernel stamps when each segment arrived (see recv).
  Io connect(const SocketAddress& address, int epoll_fd, uint32_t tag, bool kernel_times, int& err);
  // Once the socket is writable after Again: whether the connect succeeded.
  Io connect_result(int& err);
  // Starts a TLS client session on the connected socket; false when OpenSSL cannot.
  bool start_tls(const TlsContext& tls);
  // Advances the TLS handshake; on Failed, `why` says what went wrong (e.g. the certificate).
  Io handshake(std::string& why);

  // Moves up to len bytes; n says how many, err the errno of a failure.
  Io send(const char* data, size_t len, size_t& n, int& err);
  // `arrived_ns` is when the kernel received the last bytes read (CLOCK_REALTIME), or 0 when it
  // cannot tell (TLS, or kernel times off): the moment a response came, however late this
  // process got to run.
  Io recv(char* data, size_t len, size_t& n, int& err, int64_t& arrived_ns);

  void close();

 private:
  int fd_ = -1;
  SSL* ssl_ = nullptr;
};

// The error class of a socket errno.
ErrorClass classify(int err);

}  // namespace tollgate::load
