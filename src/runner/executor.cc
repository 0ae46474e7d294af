#include "runner/executor.h"

#include "util/files.h"
#include "util/process.h"
#include "util/strings.h"
#include "util/timefmt.h"

namespace tollgate::runner {
namespace {

process::Outcome run_bash(const std::string& text, const std::filesystem::path& file,
                          const std::vector<std::string>& env, const std::filesystem::path& cwd,
                          std::optional<std::chrono::milliseconds> timeout,
                          const std::function<void(std::string_view)>& sink,
                          const std::atomic<bool>* stop = nullptr) {
  files::write_atomic(file, text);
  process::Command cmd({"bash", "--noprofile", "--norc", file.string()});
  cmd.env = env;
  cmd.cwd = cwd.string();
  cmd.stop = stop;
  if (timeout) cmd.timeout = *timeout;
  return process::run_streaming(cmd, sink);
}

}  // namespace

std::string shell_script(const std::vector<std::string>& commands) {
  return "set -eo pipefail\n" + echoed_commands(commands);
}

std::string echoed_commands(const std::vector<std::string>& commands) {
  std::string out;
  for (const auto& c : commands) {
    std::vector<std::string> lines = str::split_lines(c);
    std::string shown = lines.empty() ? "" : lines.front();
    if (lines.size() > 1) shown += " # collapsed multi-line command";
    out += "printf '%s\\n' " + str::shell_quote("$ " + shown) + "\n";
    out += c + "\n";
  }
  return out;
}

// Writes the files of file-type variables and removes them when the job is over.
class VariableFiles {
 public:
  explicit VariableFiles(const std::vector<std::pair<std::string, std::string>>& files) {
    for (const auto& [path, content] : files) {
      std::filesystem::create_directories(std::filesystem::path(path).parent_path());
      files::write_atomic(path, content);
      std::filesystem::permissions(
          path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
      paths_.push_back(path);
    }
  }
  ~VariableFiles() {
    std::error_code ec;
    for (const auto& p : paths_)
      std::filesystem::remove(p, ec);
  }

 private:
  std::vector<std::string> paths_;
};

namespace {

// Go's strconv.ParseBool, which gitlab-runner reads its boolean variables with.
std::optional<bool> go_bool(std::string_view text) {
  for (std::string_view t : {"1", "t", "T", "TRUE", "true", "True"})
    if (text == t) return true;
  for (std::string_view f : {"0", "f", "F", "FALSE", "false", "False"})
    if (text == f) return false;
  return std::nullopt;
}

// One timeout variable: its value when it is a positive Go duration, else nullopt (unset, 0,
// or ignored with a warning).
std::optional<std::chrono::milliseconds> timeout_variable(const std::string& name,
                                                          const std::optional<std::string>& raw,
                                                          std::vector<std::string>& warnings) {
  if (!raw || str::trim(*raw).empty()) return std::nullopt;
  auto value = timefmt::parse_go_duration(str::trim(*raw));
  if (!value) {
    warnings.push_back("Ignoring malformed " + name + " timeout: " + *raw);
    return std::nullopt;
  }
  if (value->count() < 0) {
    warnings.push_back("Ignoring relative " + name + " timeout: " + *raw);
    return std::nullopt;
  }
  if (value->count() == 0) return std::nullopt;
  return value;
}

// after_script in a fresh bash, told how the job ended (CI_JOB_STATUS), for `limit` at most.
// Its failure is a warning, unless it fails the job (AFTER_SCRIPT_IGNORE_ERRORS=false after a
// script that passed); then that is said, and result takes its exit code.
void run_after_script(const ShellJob& job, std::string_view status, std::chrono::milliseconds limit,
                      const std::function<void(std::string_view)>& sink, ShellResult& result) {
  sink("Running after_script");
  std::vector<std::string> env;
  for (const auto& kv : job.env)
    if (!kv.starts_with("CI_JOB_STATUS=")) env.push_back(kv);
  env.push_back("CI_JOB_STATUS=" + std::string(status));
  std::filesystem::path after_file = job.script_file;
  after_file += ".after";
  process::Outcome a =
      run_bash(shell_script(job.after_script), after_file, env, job.cwd, limit, sink);
  if (a.ok()) return;
  result.after_script_failed = true;
  bool fails_job = !job.limits.after_script_ignore_errors && status == "success";
  std::string what = a.timed_out
                         ? "after_script exceeded " +
                               timefmt::format_duration(limit.count() / 1000.0) + " and was killed"
                         : "after_script failed with exit code " + std::to_string(a.exit_code);
  if (fails_job) {
    sink("ERROR: " + what + " (AFTER_SCRIPT_IGNORE_ERRORS is false: the job fails)");
    result.exit_code = a.exit_code != 0 ? a.exit_code : 1;
  } else {
    sink("WARNING: " + what + " (this does not change the job's result)");
  }
}

}  // namespace

ScriptLimits read_script_limits(
    const std::function<std::optional<std::string>(const std::string&)>& variable,
    std::optional<std::chrono::milliseconds> job_timeout, std::vector<std::string>& warnings) {
  ScriptLimits limits;
  limits.script_timeout =
      timeout_variable("RUNNER_SCRIPT_TIMEOUT", variable("RUNNER_SCRIPT_TIMEOUT"), warnings);
  if (limits.script_timeout && job_timeout && *limits.script_timeout >= *job_timeout) {
    warnings.push_back("RUNNER_SCRIPT_TIMEOUT timeout: " + *variable("RUNNER_SCRIPT_TIMEOUT") +
                       " is longer than job timeout. Setting to job timeout");
    limits.script_timeout.reset();
  }
  if (auto after = timeout_variable("RUNNER_AFTER_SCRIPT_TIMEOUT",
                                    variable("RUNNER_AFTER_SCRIPT_TIMEOUT"), warnings))
    limits.after_script_timeout = *after;
  if (auto raw = variable("AFTER_SCRIPT_IGNORE_ERRORS"); raw && !raw->empty()) {
    if (auto b = go_bool(*raw))
      limits.after_script_ignore_errors = *b;
    else
      warnings.push_back("Ignoring malformed AFTER_SCRIPT_IGNORE_ERRORS: " + *raw);
  }
  return limits;
}

std::string script_timeout_line(std::chrono::milliseconds limit) {
  return "ERROR: the script exceeded RUNNER_SCRIPT_TIMEOUT (" +
         timefmt::format_duration(limit.count() / 1000.0) + ") and was stopped";
}

ShellResult run_shell_job(const ShellJob& job, const std::function<void(std::string_view)>& sink) {
  VariableFiles files(job.files);
  std::vector<std::string> main = job.before_script;
  main.insert(main.end(), job.script.begin(), job.script.end());
  ShellResult result;
  auto started = std::chrono::steady_clock::now();
  // ScriptLimits::script_timeout is set only when it ends before the job's timeout.
  bool script_limited = job.limits.script_timeout.has_value();
  process::Outcome o =
      run_bash(shell_script(main), job.script_file, job.env, job.cwd,
               script_limited ? job.limits.script_timeout : job.timeout, sink, job.stop);
  result.exit_code = o.exit_code;
  result.timed_out = o.timed_out;
  result.script_timed_out = o.timed_out && script_limited;
  result.canceled = o.canceled || o.stopped;
  if (o.timed_out && !script_limited) {
    sink("ERROR: job exceeded its timeout and was killed");
    return result;
  }
  if (result.script_timed_out) sink(script_timeout_line(*job.limits.script_timeout));
  // Ctrl-C ends everything at once; a job the run cancels still runs its after_script.
  if (o.stopped && !o.canceled) sink(kCanceledScriptLine);
  if (job.after_script.empty() || o.canceled) return result;
  // after_script has its own limit, inside what is left of the job's.
  std::chrono::milliseconds limit = job.limits.after_script_timeout;
  if (job.timeout) {
    auto left = *job.timeout - std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - started);
    if (left.count() <= 0) return result;
    limit = std::min(limit, left);
  }
  std::string_view status = o.stopped                 ? "canceled"
                            : result.script_timed_out ? "timedout"
                            : o.exit_code == 0        ? "success"
                                                      : "failed";
  run_after_script(job, status, limit, sink, result);
  return result;
}

}  // namespace tollgate::runner
