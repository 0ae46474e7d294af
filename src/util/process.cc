#include "util/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "util/error.h"

extern char** environ;

namespace tollgate::process {
namespace {

// Live child process groups. A fixed array of atomics so the signal handler can walk it without
// locks or allocation.
constexpr size_t kMaxGroups = 4096;
std::array<std::atomic<pid_t>, kMaxGroups> g_groups{};
std::atomic<int> g_cancel_signal{0};
std::atomic<int> g_cancel_count{0};
int g_cancel_pipe[2] = {-1, -1};

// The guardian: a process forked when the first child group starts, which kills every group
// still live when tollgate dies without doing it itself (kill -9, a crash). tollgate tells it of
// each group it starts (+pgid) and reaps (-pgid) over a pipe; the pipe's end of file is
// tollgate's death, and 0 says tollgate ended and cleaned up itself.
int g_guardian_pipe = -1;
std::once_flag g_guardian_started;

// Forked from a threaded process: only async-signal-safe calls from here on.
[[noreturn]] void guardian_main(int from_tollgate) {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGPIPE})
    sigaction(s, &ignore, nullptr);
  // Hold no copy of tollgate's descriptors: a job's output pipe kept open here would never end.
  dup2(from_tollgate, STDIN_FILENO);
  int null = open("/dev/null", O_WRONLY);
  dup2(null, STDOUT_FILENO);
  dup2(null, STDERR_FILENO);
  if (syscall(SYS_close_range, 3u, ~0u, 0u) != 0)
    for (int fd = 3; fd < 65536; ++fd)
      close(fd);
  pid_t groups[kMaxGroups] = {};
  int32_t message = 0;
  while (true) {
    ssize_t n = read(STDIN_FILENO, &message, sizeof message);
    if (n < 0 && errno == EINTR) continue;
    if (n != sizeof message) break;  // tollgate is gone (4-byte pipe writes are atomic)
    if (message == 0) _exit(0);
    for (pid_t& g : groups) {
      if (message > 0 ? g == 0 : g == -message) {
        g = message > 0 ? message : 0;
        break;
      }
    }
  }
  for (pid_t g : groups)
    if (g > 0) kill(-g, SIGKILL);
  _exit(0);
}

void start_guardian() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return;  // without it only kill -9 leaves jobs behind
  pid_t pid = fork();
  if (pid == 0) guardian_main(fds[0]);
  close(fds[0]);
  if (pid < 0) {
    close(fds[1]);
    return;
  }
  g_guardian_pipe = fds[1];
}

void tell_guardian(int32_t message) {
  if (g_guardian_pipe < 0) return;
  while (write(g_guardian_pipe, &message, sizeof message) < 0 && errno == EINTR) {
  }
}

void register_group(pid_t pgid) {
  std::call_once(g_guardian_started, start_guardian);
  tell_guardian(pgid);
  for (auto& slot : g_groups) {
    pid_t expected = 0;
    if (slot.compare_exchange_strong(expected, pgid)) return;
  }
}

void unregister_group(pid_t pgid) {
  tell_guardian(-pgid);
  for (auto& slot : g_groups) {
    pid_t expected = pgid;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

void on_cancel_signal(int sig) {
  int saved_errno = errno;
  int count = g_cancel_count.fetch_add(1) + 1;
  int expected = 0;
  g_cancel_signal.compare_exchange_strong(expected, sig);
  kill_all_groups(count > 1 ? SIGKILL : SIGTERM);
  if (g_cancel_pipe[1] >= 0) {
    char byte = 1;
    [[maybe_unused]] ssize_t n = write(g_cancel_pipe[1], &byte, 1);
  }
  errno = saved_errno;
}

int pidfd_open(pid_t pid) {
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
}

class LineSplitter {
 public:
  explicit LineSplitter(const std::function<void(std::string_view)>& sink) : sink_(sink) {}
  void feed(const char* data, size_t n) {
    pending_.append(data, n);
    size_t start = 0;
    while (true) {
      // Bytes before searched_ hold no line break: a long line is not scanned again per read.
      size_t nl = pending_.find('\n', std::max(start, searched_));
      size_t end = nl == std::string::npos ? pending_.size() : nl;
      if (end - start > kMaxLineBytes) {
        start += emit_piece(start);
        continue;
      }
      if (nl == std::string::npos) {
        searched_ = pending_.size();
        break;
      }
      if (end > start && pending_[end - 1] == '\r') --end;
      sink_(std::string_view(pending_).substr(start, end - start));
      start = nl + 1;
    }
    pending_.erase(0, start);
    searched_ = searched_ > start ? searched_ - start : 0;
  }
  void finish() {
    if (!pending_.empty()) sink_(pending_);
    pending_.clear();
  }

 private:
  // A line longer than kMaxLineBytes is passed on in pieces, so that a program printing 256 MiB
  // without a line break costs 1 MiB, not 512. Each piece ends after the last blank in it when
  // there is one: masked values hold no blanks (GitLab's rule), so masking, which works on
  // pieces, never sees half of one. Passes on the first piece of the long line at `start`;
  // returns its length.
  size_t emit_piece(size_t start) {
    std::string_view piece(pending_.data() + start, kMaxLineBytes);
    size_t blank = piece.find_last_of(" \t");
    size_t cut = blank == std::string_view::npos ? kMaxLineBytes : blank + 1;
    sink_(piece.substr(0, cut));
    return cut;
  }

  static constexpr size_t kMaxLineBytes = 1 << 20;
  const std::function<void(std::string_view)>& sink_;
  std::string pending_;
  size_t searched_ = 0;
};

// Reads whatever is available on fd into the splitter; returns false at EOF.
bool drain(int fd, LineSplitter& splitter) {
  char buf[65536];
  while (true) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      splitter.feed(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return true;
    return false;
  }
}

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) close(fd);
    fd = -1;
  }
};

// Commands check canceled() where they wait, but a stuck one (a request to a server that never
// answers, a scan in the middle of a large layer, a plan of a huge file) may not look for a
// long time. This thread waits for the first cancel signal, gives the command kCancelGrace to
// end on its own, and otherwise ends it: child groups killed, exit 128+N. A thread and not the
// handler, so the grace is measured and the handler stays async-signal-safe.
// Work that must finish (WindingDown) holds it off, at most kWindDownMs more.
constexpr auto kCancelGrace = std::chrono::milliseconds(700);
constexpr auto kWindDown = std::chrono::seconds(10);
std::atomic<int> g_winding_down{0};

void watch_for_a_stuck_cancel() {
  pollfd fd{g_cancel_pipe[0], POLLIN, 0};
  while (poll(&fd, 1, -1) < 0 && errno == EINTR) {
  }
  // Readable, not read: run_capture's poll watches the same pipe to wake up.
  std::this_thread::sleep_for(kCancelGrace);
  auto give_up = std::chrono::steady_clock::now() + kWindDown;
  while (g_winding_down.load() > 0 && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  kill_all_groups(SIGKILL);
  release_guardian();
  int sig = g_cancel_signal.load();
  const char text[] = "tollgate: canceled; stopped without waiting for the work in progress\n";
  [[maybe_unused]] ssize_t n = write(STDERR_FILENO, text, sizeof text - 1);
  _exit(128 + (sig ? sig : SIGTERM));
}

}  // namespace

void kill_all_groups(int sig) {
  for (auto& slot : g_groups) {
    pid_t pgid = slot.load();
    if (pgid > 0) kill(-pgid, sig);
  }
}

void release_guardian() {
  tell_guardian(0);
}

void install_signal_handlers() {
  if (g_cancel_pipe[0] < 0) {
    if (pipe2(g_cancel_pipe, O_CLOEXEC | O_NONBLOCK) != 0) throw Error("cannot create a pipe");
    std::thread(watch_for_a_stuck_cancel).detach();
  }
  struct sigaction sa {};
  sa.sa_handler = on_cancel_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

WindingDown::WindingDown() {
  g_winding_down.fetch_add(1);
}
WindingDown::~WindingDown() {
  g_winding_down.fetch_sub(1);
}

bool canceled() {
  return g_cancel_signal.load() != 0;
}
int cancel_signal() {
  return g_cancel_signal.load();
}

std::string proc_stat_field(std::string_view stat, int n) {
  size_t close = stat.rfind(')');
  if (close == std::string_view::npos || n < 3) return "";
  std::string_view rest = stat.substr(close + 1);
  for (int i = 3;; ++i) {
    size_t start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) return "";
    rest.remove_prefix(start);
    size_t end = std::min(rest.find_first_of(" \n"), rest.size());
    if (i == n) return std::string(rest.substr(0, end));
    rest.remove_prefix(end);
  }
}

namespace {

std::string start_time(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return proc_stat_field(stat, 22);
}

}  // namespace

std::string owner_id() {
  return std::to_string(getpid()) + "-" + start_time(getpid());
}

bool owner_alive(const std::string& owner) {
  size_t dash = owner.find('-');
  if (dash == std::string::npos) return false;
  pid_t pid = static_cast<pid_t>(std::atol(owner.substr(0, dash).c_str()));
  if (pid <= 0 || kill(pid, 0) != 0) return false;
  return start_time(pid) == owner.substr(dash + 1);
}

std::vector<std::string> current_environment() {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e)
    out.emplace_back(*e);
  return out;
}

std::string self_executable() {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? "" : p.string();
}

std::string which(std::string_view program) {
  if (program.find('/') != std::string_view::npos) {
    return access(std::string(program).c_str(), X_OK) == 0 ? std::string(program) : "";
  }
  const char* path = getenv("PATH");
  std::string_view rest = path ? path : "/usr/local/bin:/usr/bin:/bin";
  while (!rest.empty()) {
    size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + std::string(program);
    struct stat st {};
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return "";
}

Outcome run_streaming(const Command& cmd, const std::function<void(std::string_view)>& on_line) {
  return run_streaming(cmd, on_line, nullptr);
}

Outcome run_streaming(const Command& cmd, const std::function<void(std::string_view)>& on_line,
                      const std::function<void(std::string_view)>& on_error_line) {
  if (cmd.argv.empty()) throw Error("internal: empty command");
  std::optional<WindingDown> finishing;
  if (cmd.cleanup) finishing.emplace();
  int out_pipe[2];
  int in_pipe[2];
  int err_pipe[2] = {-1, -1};
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(in_pipe, O_CLOEXEC) != 0 ||
      (on_error_line && pipe2(err_pipe, O_CLOEXEC) != 0))
    throw Error(std::string("cannot create a pipe: ") + std::strerror(errno));
  Fd out_read(out_pipe[0]), out_write(out_pipe[1]), in_read(in_pipe[0]), in_write(in_pipe[1]);
  Fd err_read(err_pipe[0]), err_write(err_pipe[1]);

  std::vector<char*> argv;
  for (const auto& a : cmd.argv)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  if (cmd.env) {
    for (const auto& e : *cmd.env)
      envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_read.fd, 0);
  posix_spawn_file_actions_adddup2(&actions, out_write.fd, 1);
  posix_spawn_file_actions_adddup2(&actions, on_error_line ? err_write.fd : out_write.fd, 2);
  if (!cmd.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cmd.cwd.c_str());

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults, empty;
  sigemptyset(&defaults);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT})
    sigaddset(&defaults, s);
  sigemptyset(&empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::string program = which(cmd.argv[0]);
  if (program.empty()) {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    throw Error("cannot run '" + cmd.argv[0] + "': not found on PATH");
  }
  pid_t pid = -1;
  int rc = posix_spawn(&pid, program.c_str(), &actions, &attr, argv.data(),
                       cmd.env ? envp.data() : environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    throw Error("cannot run '" + cmd.argv[0] + "'" + (cmd.cwd.empty() ? "" : " in " + cmd.cwd) +
                ": " + std::strerror(rc));
  }
  if (!cmd.cleanup) {
    register_group(pid);
    // A cancel that arrived between the check and registration must still reach this group.
    if (canceled()) kill(-pid, SIGTERM);
  }
  out_write.reset();
  err_write.reset();
  in_read.reset();

  if (!cmd.input.empty()) {
    // Small inputs (scripts) fit the pipe buffer; a writer thread is not worth it here.
    size_t off = 0;
    while (off < cmd.input.size()) {
      ssize_t n = write(in_write.fd, cmd.input.data() + off, cmd.input.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
  }
  in_write.reset();

  Fd pidfd(pidfd_open(pid));
  fcntl(out_read.fd, F_SETFL, fcntl(out_read.fd, F_GETFL) | O_NONBLOCK);
  if (on_error_line) fcntl(err_read.fd, F_SETFL, fcntl(err_read.fd, F_GETFL) | O_NONBLOCK);
  bool any_line = false;  // arms GracefulStop::soft_timeout
  const std::function<void(std::string_view)> counted_line = [&](std::string_view line) {
    any_line = true;
    on_line(line);
  };
  LineSplitter splitter(counted_line);
  LineSplitter err_splitter(on_error_line);
  Outcome outcome;
  auto start = std::chrono::steady_clock::now();
  auto deadline =
      cmd.timeout.count() > 0 ? start + cmd.timeout : std::chrono::steady_clock::time_point::max();
  bool output_open = true;
  bool errors_open = static_cast<bool>(on_error_line);
  bool exited = false;
  int status = 0;
  std::chrono::steady_clock::time_point kill_deadline =
      std::chrono::steady_clock::time_point::max();
  bool group_killed = false;
  // When a stop (Command::stop) turns into on_stop and signals: at once, or after the grace.
  std::chrono::steady_clock::time_point stop_deadline =
      std::chrono::steady_clock::time_point::max();
  std::optional<std::chrono::steady_clock::time_point> soft_deadline;

  while (output_open || errors_open || !exited) {
    auto now = std::chrono::steady_clock::now();
    if (!outcome.timed_out && now >= deadline) {
      outcome.timed_out = true;
      if (cmd.on_stop) cmd.on_stop();
      kill(-pid, SIGKILL);
      group_killed = true;
    }
    if (!outcome.canceled && !cmd.cleanup && canceled()) {
      // The signal handler already sent SIGTERM; whatever ignores it is killed after a grace
      // short enough for the run to record its end before the cancel watchdog ends tollgate.
      outcome.canceled = true;
      if (cmd.on_stop && !outcome.timed_out) cmd.on_stop();
      group_killed = true;
      kill_deadline = std::min(kill_deadline, now + std::chrono::milliseconds(400));
    }
    if (any_line && !soft_deadline && cmd.graceful_stop &&
        cmd.graceful_stop->soft_timeout.count() > 0)
      soft_deadline = now + cmd.graceful_stop->soft_timeout;
    bool stop_set = cmd.stop && cmd.stop->load();
    bool soft_due = soft_deadline && now >= *soft_deadline;
    if ((stop_set || soft_due) && !outcome.stopped && !outcome.soft_timed_out && !group_killed) {
      (stop_set ? outcome.stopped : outcome.soft_timed_out) = true;
      stop_deadline = now;
      if (cmd.graceful_stop) {
        cmd.graceful_stop->ask(!stop_set);
        stop_deadline = now + cmd.graceful_stop->grace;
      }
    }
    if ((outcome.stopped || outcome.soft_timed_out) && now >= stop_deadline && !group_killed &&
        !exited) {
      if (cmd.on_stop && !outcome.timed_out) cmd.on_stop();
      kill(-pid, SIGTERM);
      group_killed = true;
      kill_deadline = now + std::chrono::seconds(2);
    }
    if (exited && (output_open || errors_open) && !group_killed) {
      // The main process is gone but something it started still holds the output open.
      kill(-pid, SIGTERM);
      group_killed = true;
      kill_deadline = now + std::chrono::seconds(2);
    }
    if (group_killed && now >= kill_deadline) kill(-pid, SIGKILL);

    pollfd fds[4];
    int nfds = 0;
    if (output_open) fds[nfds++] = {out_read.fd, POLLIN, 0};
    if (errors_open) fds[nfds++] = {err_read.fd, POLLIN, 0};
    if (!exited) fds[nfds++] = {pidfd.fd, POLLIN, 0};
    if (g_cancel_pipe[0] >= 0 && !outcome.canceled) fds[nfds++] = {g_cancel_pipe[0], POLLIN, 0};
    int wait_ms = 200;
    if (deadline != std::chrono::steady_clock::time_point::max()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count();
      wait_ms = static_cast<int>(std::clamp<long long>(left, 0, 200));
    }
    int ready = poll(fds, static_cast<nfds_t>(nfds), wait_ms);
    if (ready < 0 && errno != EINTR) break;
    if (output_open && !drain(out_read.fd, splitter)) output_open = false;
    if (errors_open && !drain(err_read.fd, err_splitter)) errors_open = false;
    if (!exited) {
      // Seen but not reaped: while the child is a zombie its pid, and so its process group id,
      // cannot be reused, so the kill below can only reach this command's own processes.
      siginfo_t info{};
      if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
          info.si_pid == pid)
        exited = true;
    }
  }
  splitter.finish();
  if (on_error_line) err_splitter.finish();
  kill(-pid, SIGKILL);  // nothing of this command outlives it
  if (!cmd.cleanup) unregister_group(pid);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }

  if (WIFEXITED(status)) {
    outcome.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    outcome.term_signal = WTERMSIG(status);
    outcome.exit_code = 128 + outcome.term_signal;
  }
  if (canceled() && !cmd.cleanup) outcome.canceled = true;
  return outcome;
}

Captured run_capture(const Command& cmd) {
  Captured result;
  result.outcome = run_streaming(cmd, [&](std::string_view line) {
    result.output.append(line);
    result.output.push_back('\n');
  });
  return result;
}

CapturedApart run_capture_apart(const Command& cmd) {
  CapturedApart result;
  auto append_to = [](std::string& text) {
    return [&text](std::string_view line) {
      text.append(line);
      text.push_back('\n');
    };
  };
  result.outcome = run_streaming(cmd, append_to(result.output), append_to(result.errors));
  return result;
}

}  // namespace tollgate::process
