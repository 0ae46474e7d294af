// tollgate serve's HTTP side: cpp-httplib's server in front of a Site, with the security rules
// every response follows (docs/serve.md) and the live log stream.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "web/site.h"

namespace httplib {
class Server;
struct Request;
struct Response;
class DataSink;
}  // namespace httplib

namespace tollgate::web {

struct ServeOptions {
  std::filesystem::path project_dir = ".";
  std::string bind = "127.0.0.1";
  int port = 8080;  // 0: any free port
  // Required on a bind other than loopback: every request carries it (Authorization: Bearer,
  // or ?token= once, which sets a cookie for the pages that follow).
  std::string token;
  int threads = 8;
  // How long one live-log response streams before the browser reconnects (it resumes where it
  // was): a stream holds a server thread, and this bounds how long.
  int stream_seconds = 30;
};

bool is_loopback(const std::string& bind);

class Server {
 public:
  explicit Server(ServeOptions options);  // throws Error on a non-loopback bind without token
  ~Server();

  // Binds (the port is known after this) and then serves until stop().
  void bind();
  int port() const { return port_; }
  void serve();
  void stop();

 private:
  struct Stream;
  void install_routes();
  void stream_log(const httplib::Request& req, httplib::Response& res);
  bool pump(Stream& stream, httplib::DataSink& sink);
  bool authorized(const std::string& header, const std::string& query, const std::string& cookie);

  ServeOptions options_;
  Site site_;
  std::unique_ptr<httplib::Server> http_;
  int port_ = 0;
  std::atomic<int> streams_{0};
};

}  // namespace tollgate::web
