#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::process {

// A command to run. The child gets its own process group, so that a timeout, a cancel or the end
// of tollgate can kill it together with everything it started.
struct Command {
  Command() = default;
  explicit Command(std::vector<std::string> args) : argv(std::move(args)) {}

  std::vector<std::string> argv;
  // The child's whole environment as KEY=VALUE; unset means tollgate's own environment.
  std::optional<std::vector<std::string>> env;
  std::string cwd;                       // empty: tollgate's working directory
  std::string input;                     // written to the child's stdin, which is then closed
  std::chrono::milliseconds timeout{0};  // 0: no limit
  // Called once, from the waiting thread, when a timeout or a cancel stops the command, before
  // its process group is signalled. For a command that fronts something outside its process
  // group (a container that the engine's daemon or conmon keeps alive): stop that here.
  std::function<void()> on_stop;
  // Set from another thread to stop the command (a server for the length of a job, a job the run
  // cancels): on_stop is called, its group gets SIGTERM, then SIGKILL after 2 s. Seen within
  // 200 ms.
  const std::atomic<bool>* stop = nullptr;
  // When stop is set, or soft_timeout passes, ask the command to wind down instead (a job's
  // after_script runs when the run cancels it, as GitLab's `canceling` state has it, and when its
  // script exceeds RUNNER_SCRIPT_TIMEOUT) and give it `grace` to end by itself; on_stop and the
  // signals follow only then. `timeout` or Ctrl-C still stops it at once.
  struct GracefulStop {
    std::function<void(bool soft_timed_out)> ask;  // false: stop was set
    std::chrono::milliseconds grace{0};
    // Counted from the command's first output line, not its start: a job container's script
    // echoes its first command as it begins, so the engine's start-up is not the script's time
    // (and the script's shell is there to be asked). 0: none.
    std::chrono::milliseconds soft_timeout{0};
  };
  std::optional<GracefulStop> graceful_stop;
  // A cleanup command (removing what a canceled job made) runs to its end even after Ctrl-C or
  // SIGTERM reached tollgate: the cancel neither signals it nor cuts it short. A timeout still
  // applies.
  bool cleanup = false;
};

struct Outcome {
  int exit_code = -1;   // the exit status, or 128+signal when a signal ended it
  int term_signal = 0;  // the signal that ended it, 0 if it exited
  bool timed_out = false;
  bool canceled = false;        // Ctrl-C or SIGTERM reached tollgate while it ran
  bool stopped = false;         // Command::stop was set while it ran
  bool soft_timed_out = false;  // GracefulStop::soft_timeout passed while it ran
  bool ok() const {
    return exit_code == 0 && !timed_out && !canceled && !stopped && !soft_timed_out;
  }
};

// Runs cmd with stdout and stderr merged into one stream and calls on_line with every line as
// it arrives (without the newline; a last line without newline is delivered too). Returns when
// the command has exited and its output is drained. When the main process exits, the rest of its
// process group (background children still holding the output open) is killed, so a job never
// hangs on a leftover daemon. Throws Error when the program cannot be started.
Outcome run_streaming(const Command& cmd, const std::function<void(std::string_view)>& on_line);
// The same with stderr kept apart: stdout lines go to on_line, stderr lines to on_error_line.
Outcome run_streaming(const Command& cmd, const std::function<void(std::string_view)>& on_line,
                      const std::function<void(std::string_view)>& on_error_line);

struct Captured {
  Outcome outcome;
  std::string output;  // stdout and stderr merged
};
Captured run_capture(const Command& cmd);

struct CapturedApart {
  Outcome outcome;
  std::string output;  // stdout
  std::string errors;  // stderr
};
// For output that is parsed: a program's warnings on stderr stay out of it.
CapturedApart run_capture_apart(const Command& cmd);

// Installs handlers for SIGINT, SIGTERM and SIGHUP that kill every live child process group
// (SIGTERM first; a second signal sends SIGKILL) and mark tollgate as canceled. SIGPIPE is ignored.
// A command that has not ended 0.7 s after the first signal is ended then (exit 128+N), so every
// command stops within a second whatever it was doing.
void install_signal_handlers();
// Work that must be finished even after a cancel: removing a job's containers, recording how
// the run ended. While one is alive the cancel watchdog waits for it (10 s at most) before it
// ends the command. A cleanup Command holds one while it runs.
class WindingDown {
 public:
  WindingDown();
  ~WindingDown();
  WindingDown(const WindingDown&) = delete;
  WindingDown& operator=(const WindingDown&) = delete;
};
// True once a cancel signal arrived.
bool canceled();
// The signal that canceled tollgate (for the exit code 128+N), or 0.
int cancel_signal();
// Kills every live child process group now (used on the way out, whatever happened).
void kill_all_groups(int sig);
// On the way out, after kill_all_groups: tells the guardian process (which kills the child
// groups of a tollgate that died, by kill -9 or a crash) that tollgate cleaned up itself.
void release_guardian();

// This process as "PID-STARTTIME" (the start time in clock ticks since boot, /proc/PID/stat
// field 22): unlike a pid alone it never names a later process that reuses the number. Kept on
// what a run leaves behind (its containers, its history row) so the next command can tell
// whether its owner is gone.
std::string owner_id();
// Whether the process an owner_id() names is still running.
bool owner_alive(const std::string& owner);

// Field n of a /proc/PID/stat line, numbered as proc(5) does (3 is the state, 14 utime, 22 the
// start time); "" when the line has no such field. Fields are counted after the command name's
// last ')', since the name itself may hold spaces and parentheses.
std::string proc_stat_field(std::string_view stat, int n);

// The current environment as KEY=VALUE strings.
std::vector<std::string> current_environment();
// Looks up an executable on PATH; "" when missing.
std::string which(std::string_view program);
// The absolute path of the running executable ("" if the kernel will not say).
std::string self_executable();

}  // namespace tollgate::process
