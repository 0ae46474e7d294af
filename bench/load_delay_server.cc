// A fixed-delay HTTP/1.1 server for bench/load_wrk.bench.sh: every request is answered 20 ms
// after its last byte reached this machine's kernel (the kernel's receive stamp,
// SO_TIMESTAMPNS, so that the time this server's thread took to wake up is part of the latency
// rather than hidden from it; an absolute-deadline sleep, one thread per connection), and how
// long each request was held from that stamp to the response written is recorded. On SIGTERM
// it writes "count p50_ms p99_ms" of the held times: the true latency the generator should
// report, less the loopback hop. Built by the bench script itself (c++ -O2 -pthread).
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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

long clock_ns(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return ts.tv_sec * 1'000'000'000L + ts.tv_nsec;
}

long now_ns() {
  return clock_ns(CLOCK_REALTIME);  // the clock of the kernel's receive stamps
}

// Reads like read(2) and sets `arrived` to the kernel's receive stamp of the bytes, if any.
ssize_t read_stamped(int fd, char* buf, size_t len, long& arrived) {
  iovec iov{buf, len};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = control;
  m.msg_controllen = sizeof control;
  ssize_t n = recvmsg(fd, &m, 0);
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); n > 0 && c; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
    timespec ts{};
    std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
    arrived = ts.tv_sec * 1'000'000'000L + ts.tv_nsec;
  }
  return n;
}

void serve(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
  std::string buf;
  char chunk[4096];
  static const std::string kResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  while (true) {
    size_t end;
    long start = 0;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      long arrived = 0;
      ssize_t n = read_stamped(fd, chunk, sizeof chunk, arrived);
      if (n <= 0) {
        close(fd);
        return;
      }
      buf.append(chunk, static_cast<size_t>(n));
      start = arrived ? arrived : now_ns();  // the request is complete when its last bytes are
    }
    if (start == 0) start = now_ns();  // a request already read with the one before it
    buf.erase(0, end + 4);
    long deadline = start + kDelayNs;
    timespec at{deadline / 1'000'000'000L, deadline % 1'000'000'000L};
    while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &at, nullptr) != 0) {
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
