#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tollgate::runner {

// Serves an API that listens on a unix socket (a container engine's) at a TCP address, for the
// containers of one job. The address is bound with IP_FREEBIND: a job network's gateway address
// exists on the host only once the network's first container has started, which is after the
// relay must be in place. Every accepted connection is copied both ways, half-closes included
// (the Docker API hijacks connections for attach and build output), until either side closes
// or the relay is destroyed.
class SocketRelay {
 public:
  // Throws Error when the address cannot be bound.
  SocketRelay(const std::string& ip, int port, std::string unix_path);
  ~SocketRelay();
  SocketRelay(const SocketRelay&) = delete;
  SocketRelay& operator=(const SocketRelay&) = delete;

 private:
  void accept_loop();
  void pump(int client);

  std::string unix_path_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};  // written when the relay stops, so every poll returns
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> connections_;
};

// True when something accepts connections on the unix socket at path.
bool unix_socket_accepts(const std::string& path);

}  // namespace tollgate::runner
