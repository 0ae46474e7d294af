#include "runner/executor.h"

#include "util/files.h"
#include "util/process.h"
#include "util/strings.h"

namespace tollgate::runner {
namespace {

constexpr std::chrono::minutes kAfterScriptTimeout{5};

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

// after_script in a fresh bash, told how the job ended (CI_JOB_STATUS), for five minutes at
// most, its failure only a warning.
void run_after_script(const ShellJob& job, std::string_view status,
                      const std::function<void(std::string_view)>& sink, ShellResult& result) {
  sink("Running after_script");
  std::vector<std::string> env;
  for (const auto& kv : job.env)
    if (!kv.starts_with("CI_JOB_STATUS=")) env.push_back(kv);
  env.push_back("CI_JOB_STATUS=" + std::string(status));
  std::filesystem::path after_file = job.script_file;
  after_file += ".after";
  process::Outcome a =
      run_bash(shell_script(job.after_script), after_file, env, job.cwd, kAfterScriptTimeout, sink);
  if (!a.ok()) {
    result.after_script_failed = true;
    sink(a.timed_out
             ? "WARNING: after_script exceeded 5 minutes and was killed"
             : "WARNING: after_script failed with exit code " + std::to_string(a.exit_code) +
                   " (this does not change the job's result)");
  }
}

}  // namespace

ShellResult run_shell_job(const ShellJob& job, const std::function<void(std::string_view)>& sink) {
  VariableFiles files(job.files);
  std::vector<std::string> main = job.before_script;
  main.insert(main.end(), job.script.begin(), job.script.end());
  ShellResult result;
  process::Outcome o =
      run_bash(shell_script(main), job.script_file, job.env, job.cwd, job.timeout, sink, job.stop);
  result.exit_code = o.exit_code;
  result.timed_out = o.timed_out;
  result.canceled = o.canceled || o.stopped;
  if (o.timed_out) {
    sink("ERROR: job exceeded its timeout and was killed");
    return result;
  }
  // Ctrl-C ends everything at once; a job the run cancels still runs its after_script.
  if (o.stopped && !o.canceled) sink(kCanceledScriptLine);
  if (job.after_script.empty() || o.canceled) return result;
  run_after_script(job,
                   o.stopped          ? "canceled"
                   : o.exit_code == 0 ? "success"
                                      : "failed",
                   sink, result);
  return result;
}

}  // namespace tollgate::runner
