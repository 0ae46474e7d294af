#pragma once

// A small HTTP/1.1 server for tests of the load gate, run inside the test process on a free
// loopback port. It does what nginx cannot be asked to do on cue: delay a response, stall every
// request for a while, reset a connection, send chunked bodies, and play a login/cart API whose
// tokens depend on the request.
//
//   GET  /ok             200 {"ok":true}
//   GET  /chunked        200, chunked: {"items":[1,2,3]}
//   GET  /delay/MS       200 after MS milliseconds
//   GET  /reset          connection reset (RST), no response
//   GET  /close          200 with Connection: close
//   GET  /status/CODE    CODE
//   POST /login          {"access_token":"tok-NAME"} for body {"username":"NAME",...}
//   GET  /cart/NAME      200 when Authorization is "Bearer tok-NAME", else 401
//   POST /cart/item/NAME 201 {"added":true} when Authorization is "Bearer tok-NAME", else 401
//   GET  /products       200 {"data":[{"id":"sku-1","price":12}]}
//   GET  /json/N         200 {"items":[0,0,...]} with N items: a body that takes a while to parse
//   a path given to put() its status and body (a GitLab API in include tests); head(path) is
//                        the last request's head there, for the headers a client sent
//   anything else        404; hits(path) counts the requests of one path, whatever the answer
// stall(ms): every request that arrives in the next ms milliseconds is answered when they end.
// stall_into_run(after, ms): the same stall, starting `after` the first request the server gets:
// timed from the client's run, not from the test, so a slow start of the client (a sanitizer
// build) cannot move the stall out of the run.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace tollgate::testing {

class HttpTestServer {
 public:
  HttpTestServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 1024);
    socklen_t len = sizeof addr;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;
  ~HttpTestServer() {
    stop_ = true;
    acceptor_.join();
    std::lock_guard lock(mutex_);
    for (auto& t : workers_)
      t.join();
    ::close(listen_fd_);
  }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  uint64_t requests() const { return requests_; }
  uint64_t connections() const { return connections_; }
  uint64_t hits(const std::string& path) const {
    std::lock_guard lock(hits_mutex_);
    auto it = hits_.find(path);
    return it == hits_.end() ? 0 : it->second;
  }
  void put(const std::string& path, int status, std::string body) {
    std::lock_guard lock(hits_mutex_);
    routes_[path] = {status, std::move(body)};
  }
  std::string head(const std::string& path) const {
    std::lock_guard lock(hits_mutex_);
    auto it = heads_.find(path);
    return it == heads_.end() ? "" : it->second;
  }
  void stall(std::chrono::milliseconds ms) {
    stall_until_ns_ = now_ns() + std::chrono::nanoseconds(ms).count();
  }
  void stall_into_run(std::chrono::milliseconds after, std::chrono::milliseconds ms) {
    stall_for_ns_ = std::chrono::nanoseconds(ms).count();
    stall_after_ns_ = std::chrono::nanoseconds(after).count();
  }

 private:
  static int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  void accept_loop() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      ++connections_;
      std::lock_guard lock(mutex_);
      workers_.emplace_back([this, fd] { serve(fd); });
    }
  }

  // Reads until a whole request (head and Content-Length body) is in buf; false on EOF/stop.
  bool read_request(int fd, std::string& buf, std::string& head, std::string& body) {
    while (true) {
      size_t end = buf.find("\r\n\r\n");
      if (end != std::string::npos) {
        head = buf.substr(0, end);
        size_t length = 0;
        size_t cl = head.find("Content-Length: ");
        if (cl != std::string::npos) length = std::stoul(head.substr(cl + 16));
        if (buf.size() >= end + 4 + length) {
          body = buf.substr(end + 4, length);
          buf.erase(0, end + 4 + length);
          return true;
        }
      }
      pollfd p{fd, POLLIN, 0};
      if (stop_) return false;
      if (::poll(&p, 1, 50) <= 0) continue;
      char chunk[16384];
      ssize_t n = ::read(fd, chunk, sizeof chunk);
      if (n <= 0) return false;
      buf.append(chunk, static_cast<size_t>(n));
    }
  }

  static void send_all(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }

  static std::string response(int status, const std::string& body, bool close = false) {
    return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\n" +
           (close ? "Connection: close\r\n" : "") +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }

  static bool authorized(const std::string& head, const std::string& name) {
    std::string field = "Authorization: Bearer tok-" + name;
    return head.find(field + "\r") != std::string::npos || head.ends_with(field);
  }

  void serve(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::string buf, head, body;
    while (!stop_ && read_request(fd, buf, head, body)) {
      ++requests_;
      int64_t first = 0, now = now_ns();
      if (first_request_ns_.compare_exchange_strong(first, now)) first = now;
      int64_t until = stall_until_ns_;
      if (stall_after_ns_ >= 0 && now >= first + stall_after_ns_)
        until = std::max<int64_t>(until, first + stall_after_ns_ + stall_for_ns_);
      while (!stop_ && now_ns() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      size_t sp = head.find(' ');
      std::string method = head.substr(0, sp);
      std::string path = head.substr(sp + 1, head.find(' ', sp + 1) - sp - 1);
      std::optional<std::pair<int, std::string>> route;
      {
        std::lock_guard lock(hits_mutex_);
        ++hits_[path];
        heads_[path] = head;
        if (auto it = routes_.find(path); it != routes_.end()) route = it->second;
      }
      if (route) {
        send_all(fd, response(route->first, route->second));
      } else if (path == "/ok") {
        send_all(fd, response(200, R"({"ok":true})"));
      } else if (path == "/chunked") {
        send_all(fd,
                 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "5\r\n{\"ite\r\nc\r\nms\":[1,2,3]}\r\n0\r\n\r\n");
      } else if (path.rfind("/delay/", 0) == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(path.substr(7))));
        send_all(fd, response(200, R"({"delayed":true})"));
      } else if (path == "/reset") {
        linger l{1, 0};  // close with RST
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        break;
      } else if (path == "/close") {
        send_all(fd, response(200, "{}", true));
        break;
      } else if (path.rfind("/status/", 0) == 0) {
        send_all(fd, response(std::stoi(path.substr(8)), "{}"));
      } else if (method == "POST" && path == "/login") {
        size_t at = body.find("\"username\":\"");
        std::string name =
            at == std::string::npos ? "" : body.substr(at + 12, body.find('"', at + 12) - at - 12);
        if (name.empty())
          send_all(fd, response(400, R"({"error":"no username"})"));
        else
          send_all(fd, response(200, R"({"access_token":"tok-)" + name + R"("})"));
      } else if (path.rfind("/json/", 0) == 0) {
        std::string items;
        for (int i = std::stoi(path.substr(6)); i > 0; --i)
          items += i > 1 ? "0," : "0";
        send_all(fd, response(200, R"({"items":[)" + items + "]}"));
      } else if (path == "/products") {
        send_all(fd, response(200, R"({"data":[{"id":"sku-1","price":12}]})"));
      } else if (method == "POST" && path.rfind("/cart/item/", 0) == 0) {
        send_all(fd, response(authorized(head, path.substr(11)) ? 201 : 401, R"({"added":true})"));
      } else if (path.rfind("/cart/", 0) == 0) {
        std::string name = path.substr(6);
        bool ok = head.find("Authorization: Bearer tok-" + name + "\r") != std::string::npos ||
                  head.ends_with("Authorization: Bearer tok-" + name);
        send_all(fd, response(ok ? 200 : 401, ok ? R"({"added":true})" : "{}"));
      } else {
        send_all(fd, response(404, "{}"));
      }
    }
    ::close(fd);
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> connections_{0};
  std::atomic<int64_t> stall_until_ns_{0};
  std::atomic<int64_t> first_request_ns_{0};
  std::atomic<int64_t> stall_after_ns_{-1};  // stall_into_run's, from the first request
  std::atomic<int64_t> stall_for_ns_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<std::thread> workers_;
  mutable std::mutex hits_mutex_;
  std::map<std::string, uint64_t> hits_;
  std::map<std::string, std::string> heads_;
  std::map<std::string, std::pair<int, std::string>> routes_;
};

}  // namespace tollgate::testing
