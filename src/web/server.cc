#include "web/server.h"

#include <arpa/inet.h>
#include <httplib.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "util/error.h"
#include "util/files.h"
#include "web/ansi.h"

namespace tollgate::web {
namespace {

using Clock = std::chrono::steady_clock;

// Every page's rules: its own scripts and styles only, nothing inline, nothing from elsewhere,
// never framed.
constexpr const char* kPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
// An artifact (a job's HTML report, any file) is shown in a sandbox: its own origin, no script.
constexpr const char* kArtifactPolicy =
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'";

bool live(const std::string& status) {
  return status == "running" || status == "created";
}

// Equal in time independent of where they differ, so the token cannot be guessed byte by byte.
bool same_secret(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() != b.size();
  for (size_t i = 0; i < a.size() && i < b.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string cookie_value(const std::string& header, const std::string& name) {
  size_t at = 0;
  while ((at = header.find(name + "=", at)) != std::string::npos) {
    if (at == 0 || header[at - 1] == ' ' || header[at - 1] == ';') {
      size_t start = at + name.size() + 1, end = header.find(';', start);
      return header.substr(start, end == std::string::npos ? end : end - start);
    }
    at += name.size();
  }
  return "";
}

}  // namespace

// One live-log response: where in the log it is and what it last said of the job.
struct Server::Stream {
  int64_t run = 0;
  std::string job;
  LogTarget target;
  size_t offset = 0;
  LogRenderer renderer;
  std::string status;
  Clock::time_point checked{}, beat = Clock::now(), deadline;
};

namespace {

// The log's new bytes; a log removed meanwhile has none.
std::string read_from(const std::filesystem::path& path, uint64_t offset, size_t most) {
  try {
    return files::read_range(path, offset, most);
  } catch (const Error&) {
    return "";
  }
}

std::string event(const char* name, const nlohmann::json& data, size_t id = 0) {
  std::string out = id ? "id: " + std::to_string(id) + "\n" : "";
  return out + "event: " + name +
         "\ndata: " + data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n";
}

}  // namespace

bool is_loopback(const std::string& bind) {
  if (bind == "localhost" || bind == "::1") return true;
  in_addr a{};
  return inet_pton(AF_INET, bind.c_str(), &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

Server::Server(ServeOptions options)
    : options_(std::move(options)),
      site_(options_.project_dir),
      http_(std::make_unique<httplib::Server>()) {
  if (!is_loopback(options_.bind) && options_.token.empty())
    throw Error("--bind " + options_.bind +
                " lets other machines read the project's logs and findings: give a --token (or "
                "TOLLGATE_SERVE_TOKEN) that every request must carry, or bind 127.0.0.1");
  // The token travels in a header, a query and a cookie: visible ASCII without the characters
  // those split on.
  for (unsigned char c : options_.token)
    if (c <= 0x20 || c >= 0x7f || c == ';' || c == ',' || c == '"' || c == '\\' || c == '&')
      throw Error(
          "--token may hold visible ASCII characters except ; , \" \\ & (e.g. the output "
          "of openssl rand -hex 16)");
  int threads = std::max(2, options_.threads);
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  install_routes();
}

Server::~Server() = default;

bool Server::authorized(const std::string& header, const std::string& query,
                        const std::string& cookie) {
  if (options_.token.empty()) return true;
  std::string bearer = header.starts_with("Bearer ") ? header.substr(7) : "";
  return same_secret(bearer, options_.token) || same_secret(query, options_.token) ||
         same_secret(cookie, options_.token);
}

void Server::install_routes() {
  http_->set_default_headers({{"X-Content-Type-Options", "nosniff"},
                              {"Referrer-Policy", "no-referrer"},
                              {"X-Frame-Options", "DENY"},
                              {"Cache-Control", "no-store"}});
  http_->set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    std::string query = req.get_param_value("token");
    if (!authorized(req.get_header_value("Authorization"), query,
                    cookie_value(req.get_header_value("Cookie"), "tollgate_token"))) {
      res.status = 401;
      res.set_header("WWW-Authenticate", "Bearer realm=\"tollgate\"");
      res.set_content("401: this server wants its token (Authorization: Bearer TOKEN)\n",
                      "text/plain; charset=utf-8");
      return httplib::Server::HandlerResponse::Handled;
    }
    // The token given once in the address stays in a cookie only this site's pages send. The
    // cookie holds the configured token, never text from the request.
    if (!options_.token.empty() && same_secret(query, options_.token))
      res.set_header("Set-Cookie",
                     "tollgate_token=" + options_.token + "; Path=/; HttpOnly; SameSite=Strict");
    return httplib::Server::HandlerResponse::Unhandled;
  });
  http_->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.status = 500;
        res.set_content("500: internal error\n", "text/plain; charset=utf-8");
      });
  http_->Get(R"(/api/runs/(\d{1,18})/jobs/(.+)/events)",
             [this](const httplib::Request& req, httplib::Response& res) { stream_log(req, res); });
  http_->Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
    Request r{req.path, {}};
    for (const auto& [k, v] : req.params)
      r.query.emplace(k, v);
    Response out = site_.handle(r);
    res.status = out.status;
    res.set_header("Content-Security-Policy", out.sandboxed ? kArtifactPolicy : kPagePolicy);
    res.set_content(std::move(out.body), out.content_type);
  });
}

// Server-sent events: `lines` (the HTML of new whole lines, the event id the log offset after
// them), `status` when the job's status changes, and `end` once it finished and all its log is
// sent. A response lasts stream_seconds at most; the browser reconnects with Last-Event-ID and
// the stream resumes from there.
void Server::stream_log(const httplib::Request& req, httplib::Response& res) {
  auto st = std::make_shared<Stream>();
  st->run = std::stoll(req.matches[1].str());
  st->job = req.matches[2].str();
  auto target = site_.log_target(st->run, st->job);
  res.set_header("Content-Security-Policy", kPagePolicy);
  if (!target) {
    res.status = 404;
    res.set_content("not found: job " + st->job + "\n", "text/plain; charset=utf-8");
    return;
  }
  st->target = *target;
  std::string from = req.get_header_value("Last-Event-ID");
  if (from.empty()) from = req.get_param_value("offset");
  if (!from.empty() && from.size() < 19 && from.find_first_not_of("0123456789") == from.npos)
    st->offset = std::stoull(from);
  st->deadline = Clock::now() + std::chrono::seconds(options_.stream_seconds);
  // Each stream holds a server thread: past half of them, a newcomer is told to come back.
  if (streams_.fetch_add(1) >= std::max(1, options_.threads / 2)) {
    streams_.fetch_sub(1);
    res.set_content("retry: 3000\n\n", "text/event-stream");
    return;
  }
  res.set_chunked_content_provider(
      "text/event-stream", [this, st](size_t, httplib::DataSink& sink) { return pump(*st, sink); },
      [this](bool) { streams_.fetch_sub(1); });
}

bool Server::pump(Stream& st, httplib::DataSink& sink) {
  auto now = Clock::now();
  if (now - st.checked >= std::chrono::milliseconds(400)) {
    st.checked = now;
    std::string status = site_.job_status(st.run, st.job);
    if (status != st.status) {
      st.status = status;
      std::string e = event("status", {{"status", status}});
      if (!sink.write(e.data(), e.size())) return false;
    }
    if (!st.target.exists)
      if (auto t = site_.log_target(st.run, st.job); t && t->exists) st.target = *t;
  }
  bool finished = !live(st.status);
  std::string chunk = st.target.exists ? read_from(st.target.log, st.offset, 256 << 10) : "";
  size_t whole = finished ? chunk.size() : chunk.rfind('\n') + 1;  // npos + 1 == 0
  std::string out;
  if (whole > 0) {
    std::string html;
    st.renderer.render(std::string_view(chunk).substr(0, whole), html);
    st.offset += whole;
    out = event("lines", {{"html", html}, {"offset", st.offset}}, st.offset);
  } else if (finished || now >= st.deadline) {
    if (finished) out = event("end", {{"status", st.status}});
    if (!out.empty() && !sink.write(out.data(), out.size())) return false;
    sink.done();
    return true;
  } else if (now - st.beat >= std::chrono::seconds(10)) {
    st.beat = now;
    out = ": still here\n\n";  // a comment keeps proxies from closing an idle stream
  } else {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    return true;
  }
  return sink.write(out.data(), out.size());
}

void Server::bind() {
  if (options_.port == 0) {
    port_ = http_->bind_to_any_port(options_.bind);
  } else if (http_->bind_to_port(options_.bind, options_.port)) {
    port_ = options_.port;
  }
  if (port_ <= 0)
    throw Error("cannot listen on " + options_.bind + ":" + std::to_string(options_.port) + ": " +
                std::strerror(errno) +
                " (another server there? try --port 0 for any free "
                "port)");
}

void Server::serve() {
  http_->listen_after_bind();
}

void Server::stop() {
  http_->stop();
}

}  // namespace tollgate::web
