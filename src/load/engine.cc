#include "load/engine.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "load/event_loop.h"
#include "util/error.h"
#include "util/process.h"

namespace tollgate::load {

void RunControl::abort(const std::string& reason) {
  std::lock_guard lock(mutex);
  if (abort_reason.empty()) abort_reason = reason;
  stop = true;
}

void RunControl::note_tls_error(const std::string& why) {
  std::lock_guard lock(mutex);
  if (tls_error.empty()) tls_error = why;
}

namespace {

struct Address {
  sockaddr_storage addr{};
  socklen_t len = 0;
};

Address resolve(const Target& t) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(t.host.c_str(), t.port.c_str(), &hints, &res);
  if (rc != 0)
    throw Error("cannot resolve host '" + t.host + "': " + std::string(gai_strerror(rc)));
  Address a;
  std::memcpy(&a.addr, res->ai_addr, res->ai_addrlen);
  a.len = res->ai_addrlen;
  freeaddrinfo(res);
  return a;
}

}  // namespace

Stats run_load(const Scenario& scenario, RunControl& control,
               const std::function<void(double)>& on_second) {
  Address address = resolve(scenario.target);
  // A connection per user: lift the soft descriptor limit (often 1024) to the hard one.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  const LoadSpec& whole = scenario.load;
  LoadSpec mine = whole.split(whole.share_index, whole.share_count);
  int threads = std::max(1, whole.threads);
  while (control.feeder_cursors.size() < scenario.feeders.size())
    control.feeder_cursors.push_back(std::make_unique<std::atomic<uint64_t>>(0));

  std::vector<Stats> results(static_cast<size_t>(threads));
  std::vector<std::string> errors(static_cast<size_t>(threads));
  std::atomic<int> running{threads};
  int64_t start_ns = monotonic_ns();
  std::vector<std::thread> workers;
  for (int i = 0; i < threads; ++i) {
    workers.emplace_back([&, i] {
      try {
        EventLoop loop(scenario, mine.split(i, threads), control,
                       reinterpret_cast<const sockaddr*>(&address.addr), address.len);
        results[static_cast<size_t>(i)] = loop.run(start_ns);
      } catch (const std::exception& e) {
        errors[static_cast<size_t>(i)] = e.what();
        control.stop = true;
      }
      --running;
    });
  }
  int64_t next_tick = start_ns + 1'000'000'000;
  while (running > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (process::canceled()) control.stop = true;
    int64_t now = monotonic_ns();
    if (now >= next_tick) {
      next_tick += 1'000'000'000;
      if (on_second) on_second(static_cast<double>(now - start_ns) / 1e9);
    }
  }
  for (auto& w : workers)
    w.join();
  for (const auto& e : errors)
    if (!e.empty()) throw Error(e);
  Stats merged(scenario.request_names);
  for (const auto& r : results)
    merged.merge(r);
  return merged;
}

}  // namespace tollgate::load
