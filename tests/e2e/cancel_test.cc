// Ctrl-C and SIGTERM end every command within a second, whatever it is waiting on. Before, the
// signal only set a flag that a stuck command never looked at: a gate waiting on an API that
// never answers ran on to its 60 s timeout.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "support/server.h"
#include "util/files.h"

namespace tollgate::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A port that takes connections (the kernel completes them from the backlog) and never answers:
// the request is sent and its reply never comes.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 64);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

struct Stopped {
  int exit_code = -1;
  double seconds_after_signal = 0;
};

// Starts tollgate with args, lets it reach its wait, sends sig and times the end.
Stopped signal_after_start(const std::vector<std::string>& args, int sig, const fs::path& cwd) {
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(cwd.c_str()) != 0) _exit(126);
    setenv("CLOUDHEALTH_API_KEY", "test-key", 1);
    std::vector<char*> argv;
    std::string bin = tollgate_binary().string();
    argv.push_back(bin.data());
    for (const auto& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  auto sent = Clock::now();
  kill(pid, sig);
  int status = 0;
  waitpid(pid, &status, 0);
  Stopped s;
  s.seconds_after_signal = std::chrono::duration<double>(Clock::now() - sent).count();
  s.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return s;
}

// The watchdog ends a command 0.7 s after the signal; the bound leaves room for a loaded box.
constexpr double kWithin = 1.5;

TEST(Cancel, SigtermEndsAGateWaitingOnAnApiThatNeverAnswers) {
  SilentServer silent;
  files::TempDir dir("cancel");
  auto budget =
      signal_after_start({"check", "budget", "--source", "cloudhealth:" + silent.url() + "/x",
                          "--budget", "10", "--timeout", "60s"},
                         SIGTERM, dir.path());
  EXPECT_EQ(budget.exit_code, 143) << "128 + SIGTERM";
  EXPECT_LT(budget.seconds_after_signal, kWithin);

  files::write_atomic(dir.path() / "slo.yaml",
                      "objectives:\n  - {sli: up, pass: [{criteria: [\">=1\"]}]}\n"
                      "total_score: {pass: 90%}\n");
  files::write_atomic(dir.path() / "sli.yaml", "indicators:\n  up: up\n");
  auto slo = signal_after_start(
      {"check", "slo", "slo.yaml", "--no-record", "--source", "prometheus:" + silent.url()}, SIGINT,
      dir.path());
  EXPECT_EQ(slo.exit_code, 130) << "128 + SIGINT";
  EXPECT_LT(slo.seconds_after_signal, kWithin);
}

TEST(Cancel, SigtermEndsAScanWaitingOnARegistry) {
  SilentServer silent;
  files::TempDir dir("cancel");
  auto scan = signal_after_start({"scan", "image", silent.host() + "/shop/cart:1", "--insecure"},
                                 SIGTERM, dir.path());
  EXPECT_EQ(scan.exit_code, 143);
  EXPECT_LT(scan.seconds_after_signal, kWithin);
}

}  // namespace
}  // namespace tollgate::testing
