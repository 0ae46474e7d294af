#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "util/files.h"

namespace tollgate::testing {

// A real headless Chromium for end-to-end tests of the web dashboard, driven through the Chrome
// DevTools Protocol over --remote-debugging-pipe (no port to race for, nothing left listening).
// One page, one flat session. Every wait is bounded: when Chromium does not answer in time or
// goes away, the call throws std::runtime_error naming the command, what did arrive and the end
// of Chromium's log, so a broken page fails the test instead of hanging it.
class Browser {
 public:
  // Starts Chromium with a fresh profile; throws std::runtime_error with the reason if it cannot.
  // timeout bounds each wait for a reply or an event.
  explicit Browser(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;
  ~Browser();

  // Navigates and waits for the load event; throws on a navigation error (net::ERR_...).
  void open(const std::string& url);
  // The expression's value as JSON (promises awaited; null for undefined, {} for DOM nodes);
  // throws with the exception's text when it throws.
  nlohmann::json eval(const std::string& expression);
  // Polls eval(expression) every 100 ms until it is JSON true; false when the timeout passes
  // first. A throwing expression throws: guard lookups (`el && el.textContent == 'x'`).
  bool wait_for(const std::string& expression,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // The whole page (beyond the viewport) as PNG.
  void screenshot(const std::filesystem::path& png);
  // Sent with every request the page makes from now on, e.g. Authorization.
  void set_headers(const std::map<std::string, std::string>& headers);
  // Console messages, uncaught exceptions and browser log entries (CSP violations among them),
  // in arrival order. Events are read while waiting for replies, so call this after an eval()
  // or wait_for() that follows what should have logged.
  std::vector<std::string> console() const { return console_; }

 private:
  using Clock = std::chrono::steady_clock;
  using Predicate = std::function<bool(const nlohmann::json&)>;

  void start();
  void stop();
  // Sends a command on the page's session (or the browser's, before there is one) and returns
  // its result; throws on a protocol error.
  nlohmann::json call(const std::string& method,
                      const nlohmann::json& params = nlohmann::json::object());
  // Reads messages, recording events, until `wanted` accepts one.
  nlohmann::json receive_until(const Predicate& wanted, const std::string& what);
  // The next NUL-terminated message, or nothing at the deadline.
  std::optional<nlohmann::json> next_message(Clock::time_point deadline);
  void on_event(const nlohmann::json& message);
  [[noreturn]] void fail(const std::string& reason) const;

  std::chrono::milliseconds timeout_;
  files::TempDir dir_{"tollgate-chromium"};
  pid_t pid_ = -1;
  int to_chromium_ = -1;    // our end of Chromium's fd 3
  int from_chromium_ = -1;  // our end of Chromium's fd 4
  std::string pending_;     // bytes read past the last message
  int next_id_ = 1;
  std::string session_id_;
  bool loaded_ = false;
  bool network_enabled_ = false;
  std::vector<std::string> console_;
};

}  // namespace tollgate::testing
