#include "support/browser.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "util/strings.h"

extern char** environ;

namespace tollgate::testing {

namespace {

using nlohmann::json;

constexpr const char* kChromium = "/usr/bin/chromium";

std::string errno_text() {
  return std::strerror(errno);
}

// Moves a descriptor to 10 or above: Chromium's ends must be dup2'ed onto 3 and 4, and dup2 of a
// descriptor onto itself keeps O_CLOEXEC (so Chromium would never see it) while pipe() in a
// fresh test process hands out exactly 3, 4, 5 and 6.
int above_four(int fd) {
  int moved = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  close(fd);
  if (moved < 0) throw std::runtime_error("browser: cannot move a pipe: " + errno_text());
  return moved;
}

// A dead Chromium must surface as an exception, not as SIGPIPE killing the test binary. Blocking
// the signal on this thread, and consuming the one the write raised, leaves the process's
// disposition (inherited by everything else the tests start) alone.
void write_all(int fd, std::string_view data) {
  sigset_t pipe_signal, old_mask;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &old_mask);
  int error = 0;
  while (!data.empty() && error == 0) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n >= 0)
      data.remove_prefix(static_cast<size_t>(n));
    else if (errno != EINTR)
      error = errno;
  }
  if (error == EPIPE) {
    timespec no_wait{};
    sigtimedwait(&pipe_signal, nullptr, &no_wait);
  }
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  if (error != 0) throw std::runtime_error(std::string("write failed: ") + std::strerror(error));
}

// An exception as DevTools describes it: Error objects carry their message and stack in
// description, thrown primitives only a value.
std::string exception_text(const json& details) {
  json exception = details.value("exception", json::object());
  if (exception.contains("description")) return exception["description"].get<std::string>();
  std::string text = details.value("text", "exception");
  if (exception.contains("value")) text += " " + exception["value"].dump();
  return text;
}

std::string console_text(const json& params) {
  std::string text = "console." + params.value("type", "log") + ":";
  for (const json& arg : params.value("args", json::array())) {
    if (arg.contains("value"))
      text +=
          " " + (arg["value"].is_string() ? arg["value"].get<std::string>() : arg["value"].dump());
    else
      text += " " + arg.value("description", arg.value("type", "?"));
  }
  return text;
}

std::string log_entry_text(const json& entry) {
  std::string text = "log." + entry.value("source", "?") + "." + entry.value("level", "?") + ": " +
                     entry.value("text", "");
  if (entry.contains("url")) text += " (" + entry["url"].get<std::string>() + ")";
  return text;
}

// What arrived while waiting, for the timeout message: event names and reply ids.
std::string summary(const json& message) {
  if (message.contains("method")) return message["method"].get<std::string>();
  return "reply #" + message.value("id", json(-1)).dump();
}

}  // namespace

Browser::Browser(std::chrono::milliseconds timeout) : timeout_(timeout) {
  try {
    start();
    json target = call("Target.createTarget", {{"url", "about:blank"}});
    json attached =
        call("Target.attachToTarget", {{"targetId", target["targetId"]}, {"flatten", true}});
    session_id_ = attached["sessionId"].get<std::string>();
    call("Page.enable");
    call("Runtime.enable");
    call("Log.enable");
  } catch (...) {
    // The destructor does not run for a half-built object.
    stop();
    throw;
  }
}

Browser::~Browser() {
  stop();
}

void Browser::start() {
  int commands[2], replies[2];
  if (pipe(commands) != 0 || pipe(replies) != 0)
    throw std::runtime_error("browser: pipe: " + errno_text());
  for (int* fd : {&commands[0], &commands[1], &replies[0], &replies[1]})
    *fd = above_four(*fd);
  to_chromium_ = commands[1];
  from_chromium_ = replies[0];
  std::string profile = "--user-data-dir=" + dir_.path().string();
  std::vector<std::string> argv = {kChromium,
                                   "--no-sandbox",
                                   "--headless=new",
                                   "--remote-debugging-pipe",
                                   "--disable-gpu",
                                   "--no-first-run",
                                   "--no-default-browser-check",
                                   profile,
                                   "--window-size=1280,900",
                                   "about:blank"};
  std::vector<char*> cargv;
  for (auto& a : argv)
    cargv.push_back(a.data());
  cargv.push_back(nullptr);
  std::string log = (dir_.path() / "chromium.log").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_adddup2(&actions, commands[0], 3);
  posix_spawn_file_actions_adddup2(&actions, replies[1], 4);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  int rc = posix_spawn(&pid_, kChromium, &actions, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(commands[0]);
  close(replies[1]);
  if (rc != 0) {
    pid_ = -1;
    throw std::runtime_error(std::string("browser: cannot start ") + kChromium + ": " +
                             std::strerror(rc));
  }
}

void Browser::stop() {
  for (int* fd : {&to_chromium_, &from_chromium_}) {
    if (*fd >= 0) close(*fd);
    *fd = -1;
  }
  if (pid_ <= 0) return;
  kill(-pid_, SIGTERM);
  bool reaped = false;
  for (int i = 0; i < 60 && !reaped; ++i) {
    reaped = waitpid(pid_, nullptr, WNOHANG) == pid_;
    if (!reaped) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!reaped) {
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  // Renderers that outlive the browser would keep writing into the profile being removed.
  kill(-pid_, SIGKILL);
  pid_ = -1;
}

json Browser::call(const std::string& method, const json& params) {
  int id = next_id_++;
  json message = {{"id", id}, {"method", method}, {"params", params}};
  if (!session_id_.empty()) message["sessionId"] = session_id_;
  try {
    write_all(to_chromium_, message.dump() + '\0');
  } catch (const std::runtime_error& e) {
    fail("cannot send " + method + ": " + e.what());
  }
  json reply = receive_until([id](const json& m) { return m.value("id", -1) == id; },
                             "the reply to " + method);
  if (reply.contains("error"))
    throw std::runtime_error("browser: " + method + " failed: " + reply["error"].dump());
  return reply.value("result", json::object());
}

json Browser::receive_until(const Predicate& wanted, const std::string& what) {
  Clock::time_point deadline = Clock::now() + timeout_;
  std::vector<std::string> arrived;
  while (std::optional<json> message = next_message(deadline)) {
    if (message->contains("method")) on_event(*message);
    if (wanted(*message)) return *message;
    arrived.push_back(summary(*message));
  }
  std::string seen = arrived.empty() ? " nothing" : "";
  size_t first = arrived.size() > 20 ? arrived.size() - 20 : 0;
  for (size_t i = first; i < arrived.size(); ++i)
    seen += " " + arrived[i];
  fail("waited " + std::to_string(timeout_.count()) + " ms for " + what + "; arrived meanwhile (" +
       std::to_string(arrived.size()) + "):" + seen);
}

std::optional<json> Browser::next_message(Clock::time_point deadline) {
  for (;;) {
    size_t end = pending_.find('\0');
    if (end != std::string::npos) {
      json message = json::parse(pending_.begin(), pending_.begin() + end, nullptr, false);
      if (message.is_discarded()) fail("unparsable message: " + pending_.substr(0, 200));
      pending_.erase(0, end + 1);
      return message;
    }
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return std::nullopt;
    pollfd ready{from_chromium_, POLLIN, 0};
    int n = poll(&ready, 1, static_cast<int>(left));
    if (n < 0 && errno != EINTR) fail("poll: " + errno_text());
    if (n <= 0) continue;
    char chunk[65536];
    ssize_t got = read(from_chromium_, chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail("read: " + errno_text());
    if (got == 0) fail("Chromium closed the DevTools pipe (it exited or crashed)");
    pending_.append(chunk, static_cast<size_t>(got));
  }
}

void Browser::on_event(const json& message) {
  const std::string& method = message["method"].get_ref<const std::string&>();
  json params = message.value("params", json::object());
  if (method == "Page.loadEventFired")
    loaded_ = true;
  else if (method == "Runtime.consoleAPICalled")
    console_.push_back(console_text(params));
  else if (method == "Runtime.exceptionThrown")
    console_.push_back("uncaught: " +
                       exception_text(params.value("exceptionDetails", json::object())));
  else if (method == "Log.entryAdded")
    console_.push_back(log_entry_text(params.value("entry", json::object())));
}

void Browser::fail(const std::string& reason) const {
  // Chromium logs a dozen D-Bus errors in any container without a system bus; they would push
  // the lines that explain a failure out of the tail.
  std::ifstream log(dir_.path() / "chromium.log");
  std::string tail, line;
  while (std::getline(log, line))
    if (line.find(":ERROR:dbus/") == std::string::npos) tail += line + "\n";
  if (tail.size() > 3000) tail = "..." + tail.substr(tail.size() - 3000);
  throw std::runtime_error("browser: " + reason + "\nChromium's log ends:\n" + tail);
}

void Browser::open(const std::string& url) {
  // Set before sending: the load event may come ahead of the navigation's reply.
  loaded_ = false;
  json result = call("Page.navigate", {{"url", url}});
  if (result.contains("errorText") && !result["errorText"].get<std::string>().empty())
    throw std::runtime_error("browser: cannot open " + url + ": " +
                             result["errorText"].get<std::string>());
  // A same-document navigation (only the fragment changed) has no loader and no load event.
  if (!result.contains("loaderId") || loaded_) return;
  receive_until([this](const json&) { return loaded_; }, "Page.loadEventFired for " + url);
}

json Browser::eval(const std::string& expression) {
  json result = call("Runtime.evaluate",
                     {{"expression", expression}, {"returnByValue", true}, {"awaitPromise", true}});
  if (result.contains("exceptionDetails"))
    throw std::runtime_error("browser: " + expression +
                             " threw: " + exception_text(result["exceptionDetails"]));
  json value = result.value("result", json::object());
  if (value.contains("value")) return value["value"];
  // NaN, Infinity, -0 and BigInts have no JSON form.
  if (value.contains("unserializableValue")) return value["unserializableValue"];
  return nullptr;
}

bool Browser::wait_for(const std::string& expression, std::chrono::milliseconds timeout) {
  Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    if (eval(expression) == json(true)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(
        std::min<Clock::duration>(std::chrono::milliseconds(100), deadline - Clock::now()));
  }
}

void Browser::screenshot(const std::filesystem::path& png) {
  json result =
      call("Page.captureScreenshot", {{"format", "png"}, {"captureBeyondViewport", true}});
  std::optional<std::string> bytes = str::base64_decode(result.value("data", ""));
  if (!bytes) throw std::runtime_error("browser: invalid base64 from Chromium");
  std::ofstream out(png, std::ios::binary | std::ios::trunc);
  out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
  if (!out.flush()) throw std::runtime_error("browser: cannot write " + png.string());
}

void Browser::set_headers(const std::map<std::string, std::string>& headers) {
  if (!network_enabled_) call("Network.enable");
  network_enabled_ = true;
  call("Network.setExtraHTTPHeaders", {{"headers", headers}});
}

}  // namespace tollgate::testing
