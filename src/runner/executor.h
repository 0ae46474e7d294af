#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::runner {

// gitlab-runner's job variables that bound and judge a job's scripts.
struct ScriptLimits {
  // RUNNER_SCRIPT_TIMEOUT, when it ends before the job's timeout: before_script + script are
  // stopped then, and after_script runs with CI_JOB_STATUS=timedout (the job times out).
  std::optional<std::chrono::milliseconds> script_timeout;
  // RUNNER_AFTER_SCRIPT_TIMEOUT: after_script's limit, 5 minutes unless set.
  std::chrono::milliseconds after_script_timeout = std::chrono::minutes(5);
  // AFTER_SCRIPT_IGNORE_ERRORS=false: a failed after_script fails a job whose script passed.
  bool after_script_ignore_errors = true;
};

// Reads them from a job's variables as gitlab-runner does: durations in Go's form ("90s",
// "1h30m"), 0 or unset for the default; a malformed or negative value is ignored, and a script
// timeout not below the job's is none (the job's comes first), each with a line in `warnings`
// for the job log. A boolean is Go's (true, 1, t, false, 0, f, ...).
ScriptLimits read_script_limits(
    const std::function<std::optional<std::string>(const std::string&)>& variable,
    std::optional<std::chrono::milliseconds> job_timeout, std::vector<std::string>& warnings);

// One attempt of a job under the shell executor, as gitlab-runner's shell executor runs it:
// before_script + script in one bash with `set -eo pipefail`, each line echoed as "$ cmd" before
// it runs; after_script in a fresh bash (exports and cwd do not carry over) with
// CI_JOB_STATUS, capped at five minutes (ScriptLimits), its failure not failing the job. A
// timeout kills the job's whole process group and skips after_script, as GitLab does; a job the
// run cancels (auto_cancel) runs its after_script with CI_JOB_STATUS=canceled, as GitLab 17
// does, and one whose script exceeds RUNNER_SCRIPT_TIMEOUT with CI_JOB_STATUS=timedout; Ctrl-C
// ends everything at once.
struct ShellJob {
  std::vector<std::string> before_script;
  std::vector<std::string> script;
  std::vector<std::string> after_script;
  std::vector<std::string> env;  // the job's whole environment, KEY=VALUE
  // The files of file-type variables (path, content), written before the job, readable by the
  // job's user alone, and removed after it.
  std::vector<std::pair<std::string, std::string>> files;
  std::filesystem::path cwd;
  std::filesystem::path script_file;  // where to write the generated script
  std::optional<std::chrono::milliseconds> timeout;
  ScriptLimits limits;
  const std::atomic<bool>* stop = nullptr;  // set: the run cancels the job (auto_cancel)
};

struct ShellResult {
  int exit_code = 0;
  bool timed_out = false;
  bool script_timed_out = false;  // timed out by RUNNER_SCRIPT_TIMEOUT, not the job's timeout
  bool canceled = false;          // Ctrl-C or SIGTERM, or the run canceled the job (ShellJob::stop)
  bool after_script_failed = false;
};

ShellResult run_shell_job(const ShellJob& job, const std::function<void(std::string_view)>& sink);

// The log line of a job the run cancels while its script runs, before its after_script.
inline constexpr std::string_view kCanceledScriptLine =
    "WARNING: the run canceled this job; its script was stopped";
// The log line of a job whose script exceeds RUNNER_SCRIPT_TIMEOUT.
std::string script_timeout_line(std::chrono::milliseconds limit);

// The bash text for a list of commands: `set -eo pipefail`, then each command echoed as
// "$ cmd" and run.
std::string shell_script(const std::vector<std::string>& commands);
// The echo-and-run lines alone, in POSIX sh (no `set` line).
std::string echoed_commands(const std::vector<std::string>& commands);

}  // namespace tollgate::runner
