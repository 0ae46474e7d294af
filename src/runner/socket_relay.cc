#include "runner/socket_relay.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/error.h"

namespace tollgate::runner {
namespace {

int connect_unix(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return -1;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Copies what is readable on from to to; false once from has nothing more to give.
bool copy_some(int from, int to) {
  char buf[65536];
  ssize_t n = read(from, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  for (ssize_t off = 0; off < n;) {
    ssize_t w = write(to, buf + off, static_cast<size_t>(n - off));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    off += w;
  }
  return true;
}

}  // namespace

bool unix_socket_accepts(const std::string& path) {
  int fd = connect_unix(path);
  if (fd < 0) return false;
  close(fd);
  return true;
}

SocketRelay::SocketRelay(const std::string& ip, int port, std::string unix_path)
    : unix_path_(std::move(unix_path)) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1)
    throw Error("cannot serve on '" + ip + "': not an IPv4 address");
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(listen_fd_, IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
  if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listen_fd_, 64) != 0 || pipe2(wake_, O_CLOEXEC) != 0) {
    std::string why = std::strerror(errno);
    if (listen_fd_ >= 0) close(listen_fd_);
    throw Error("cannot listen on " + ip + ":" + std::to_string(port) + ": " + why);
  }
  acceptor_ = std::thread([this] { accept_loop(); });
}

SocketRelay::~SocketRelay() {
  stop_ = true;
  char byte = 1;
  [[maybe_unused]] ssize_t n = write(wake_[1], &byte, 1);
  acceptor_.join();
  {
    std::lock_guard lock(mu_);
    for (auto& t : connections_)
      t.join();
  }
  close(listen_fd_);
  close(wake_[0]);
  close(wake_[1]);
}

void SocketRelay::accept_loop() {
  while (!stop_) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) return;
    if (stop_ || !(fds[0].revents & POLLIN)) continue;
    int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    std::lock_guard lock(mu_);
    connections_.emplace_back([this, client] { pump(client); });
  }
}

void SocketRelay::pump(int client) {
  int upstream = connect_unix(unix_path_);
  if (upstream < 0) {
    close(client);
    return;
  }
  bool client_open = true, upstream_open = true;
  while (!stop_ && (client_open || upstream_open)) {
    pollfd fds[3] = {{client_open ? client : -1, POLLIN, 0},
                     {upstream_open ? upstream : -1, POLLIN, 0},
                     {wake_[0], POLLIN, 0}};
    if (poll(fds, 3, -1) < 0 && errno != EINTR) break;
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR) && !copy_some(client, upstream)) {
      client_open = false;
      shutdown(upstream, SHUT_WR);
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR) && !copy_some(upstream, client)) {
      upstream_open = false;
      shutdown(client, SHUT_WR);
    }
  }
  close(client);
  close(upstream);
}

}  // namespace tollgate::runner
