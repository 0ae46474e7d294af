// A fixed-delay HTTP/1.1 server for bench/load_wrk.bench.sh: every request is answered exactly
// 20 ms after its last byte arrived (absolute-deadline sleep on CLOCK_MONOTONIC, one thread per
// connection), and the time each request was held is recorded. On SIGTERM it writes
// "count p50_ms p99_ms" of the held times: the true latency the generator should report, less
// the loopback hop. Built by the bench script itself (c++ -O2 -pthread).
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr long kDelayNs = 20'000'000;
std::mutex mutex;
std::vector<double> held_ms;
volatile std::sig_atomic_t stop = 0;

long now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1'000'000'000L + ts.tv_nsec;
}

void serve(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::string buf;
  char chunk[4096];
  static const std::string kResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  while (true) {
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = read(fd, chunk, sizeof chunk);
      if (n <= 0) {
        close(fd);
        return;
      }
      buf.append(chunk, static_cast<size_t>(n));
    }
    long start = now_ns();
    buf.erase(0, end + 4);
    long deadline = start + kDelayNs;
    timespec at{deadline / 1'000'000'000L, deadline % 1'000'000'000L};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr) != 0) {
    }
    if (write(fd, kResponse.data(), kResponse.size()) < 0) break;
    std::lock_guard lock(mutex);
    held_ms.push_back(static_cast<double>(now_ns() - start) / 1e6);
  }
  close(fd);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s PORT RESULT_FILE\n", argv[0]);
    return 2;
  }
  std::signal(SIGTERM, [](int) { stop = 1; });
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(argv[1])));
  if (bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(lfd, 1024) != 0) {
    std::perror("bind/listen");
    return 1;
  }
  std::thread([lfd] {
    while (true) {
      int fd = accept(lfd, nullptr, nullptr);
      if (fd >= 0) std::thread(serve, fd).detach();
    }
  }).detach();
  while (!stop)
    pause();
  std::lock_guard lock(mutex);
  std::sort(held_ms.begin(), held_ms.end());
  auto pick = [](double p) {
    size_t i = std::min(held_ms.size() - 1, static_cast<size_t>(p / 100 * held_ms.size()));
    return held_ms[i];
  };
  FILE* f = std::fopen(argv[2], "w");
  if (held_ms.empty())
    std::fprintf(f, "0 0 0\n");
  else
    std::fprintf(f, "%zu %.3f %.3f\n", held_ms.size(), pick(50), pick(99));
  std::fclose(f);
  return 0;
}
