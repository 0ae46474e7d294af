#include "runner/container_executor.h"

#include <filesystem>

#include "runner/container_args.h"
#include "runner/job_sandbox.h"
#include "util/error.h"
#include "util/strings.h"
#include "util/timefmt.h"

namespace tollgate::runner {

using Sink = std::function<void(std::string_view)>;

namespace {

// Run inside a job's container (as root, to reach every process) when the run cancels the job
// (USR1) or its script exceeds RUNNER_SCRIPT_TIMEOUT (USR2): the script's shell (PID 1) learns
// why, and everything else in the container, the main part and what it started, is killed. The
// shell then runs after_script. `kill -9 -1` skips PID 1 and the caller, and is spelled so that
// bash, dash and busybox all take it.
std::string stop_script_command(bool timed_out) {
  return std::string("kill -") + (timed_out ? "USR2" : "USR1") + " 1; kill -9 -1";
}

// False when the container could not be asked (no sh in it, the engine failed): the caller then
// stops it the hard way.
bool stop_script(const Engine& engine, const std::string& container, bool timed_out) {
  process::Command exec = engine.command(
      {"exec", "--user", "0", container, "sh", "-c", stop_script_command(timed_out)});
  exec.timeout = std::chrono::seconds(10);
  try {
    return process::run_capture_apart(exec).outcome.ok();
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

std::vector<std::string> shell_detection_command() {
  std::string detect;
  for (const char* shell : {"/usr/local/bin/bash", "/usr/bin/bash", "/bin/bash",
                            "/usr/local/bin/sh", "/usr/bin/sh", "/bin/sh", "/busybox/sh"})
    detect += std::string(detect.empty() ? "if" : "elif") + " [ -x " + shell + " ]; then exec " +
              shell + "; ";
  detect += "else echo 'tollgate: the image has no shell (bash or sh)' >&2; exit 1; fi";
  return {"sh", "-c", detect};
}

namespace {

// Each part runs in a subshell: a new shell's state (cd, exports, functions) does not carry
// over, `exit N` ends only that part, and its stdin is /dev/null so that a command reading
// stdin cannot eat the rest of this script.
std::string script_part(const std::vector<std::string>& commands) {
  return "(\nset -e\n(set -o pipefail) 2>/dev/null && set -o pipefail\n" +
         echoed_commands(commands) + ") </dev/null";
}

// after_script in the background with a timer: past the limit the timer's HUP ends the wait
// (a trapped signal does), and the part is killed; what it started dies with the container when
// the script's shell exits. Leaves its exit status in $tollgate_after, and
// $tollgate_after_late set when it was killed.
std::string bounded_after_script(const std::vector<std::string>& after_script,
                                 std::chrono::milliseconds limit) {
  long long seconds = (limit.count() + 999) / 1000;
  return "tollgate_after_late=\ntrap 'tollgate_after_late=1' HUP\n" + script_part(after_script) +
         " &\ntollgate_after_pid=$!\n(sleep " + std::to_string(seconds) +
         "; kill -HUP $$) </dev/null >/dev/null 2>&1 &\ntollgate_timer=$!\n"
         "wait \"$tollgate_after_pid\"\ntollgate_after=$?\n"
         "if [ -n \"$tollgate_after_late\" ]; then kill -9 \"$tollgate_after_pid\" 2>/dev/null; "
         "else kill \"$tollgate_timer\" 2>/dev/null; fi\n";
}

// What to say about a failed after_script, and whether the job fails by it.
std::string judged_after_script(const ScriptLimits& limits) {
  std::string what =
      "if [ -n \"$tollgate_after_late\" ]; then tollgate_what='after_script exceeded " +
      timefmt::format_duration(limits.after_script_timeout.count() / 1000.0) +
      " and was killed'; else tollgate_what=\"after_script failed with exit code "
      "$tollgate_after\"; fi\n";
  std::string warning = "echo \"WARNING: $tollgate_what (this does not change the job's result)\"";
  if (limits.after_script_ignore_errors)
    return what + "if [ \"$tollgate_after\" -ne 0 ]; then " + warning + "; fi\n";
  return what +
         "if [ \"$tollgate_after\" -ne 0 ] && [ \"$tollgate_status\" -eq 0 ]; then echo \"ERROR: "
         "$tollgate_what (AFTER_SCRIPT_IGNORE_ERRORS is false: the job fails)\"; "
         "tollgate_status=$tollgate_after; elif [ \"$tollgate_after\" -ne 0 ]; then " +
         warning + "; fi\n";
}

}  // namespace

std::string container_script(const std::vector<std::string>& main,
                             const std::vector<std::string>& after_script,
                             const std::vector<std::pair<std::string, std::string>>& files,
                             const ScriptLimits& limits) {
  std::string out;
  for (const auto& [path, content] : files) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    out += "(umask 077 && mkdir -p " + str::shell_quote(dir) + " && printf '%s' " +
           str::shell_quote(content) + " > " + str::shell_quote(path) + ")\n";
  }
  if (after_script.empty()) return out + script_part(main) + "\nexit $?\n";
  // The run stops the main part by signalling this shell and killing the rest
  // (stop_script_command): USR1 when it cancels the job, USR2 when the script timed out.
  out +=
      "tollgate_stopped=\ntrap 'tollgate_stopped=canceled' USR1\n"
      "trap 'tollgate_stopped=timedout' USR2\n";
  out += script_part(main) + "\ntollgate_status=$?\n";
  out +=
      "if [ -n \"$tollgate_stopped\" ]; then CI_JOB_STATUS=$tollgate_stopped; "
      "elif [ \"$tollgate_status\" -eq 0 ]; then CI_JOB_STATUS=success; else "
      "CI_JOB_STATUS=failed; fi\n"
      "export CI_JOB_STATUS\n"
      "echo 'Running after_script'\n";
  out += bounded_after_script(after_script, limits.after_script_timeout);
  out += judged_after_script(limits);
  return out + "exit \"$tollgate_status\"\n";
}

std::vector<std::string> service_aliases(const pipeline::Service& service) {
  std::string name = service.image.name;
  if (size_t at = name.find('@'); at != std::string::npos) name.resize(at);
  size_t slash = name.rfind('/');
  if (size_t colon = name.rfind(':');
      colon != std::string::npos && (slash == std::string::npos || colon > slash))
    name.resize(colon);
  std::vector<std::string> out;
  if (name.find('/') == std::string::npos) {
    out.push_back(name);
  } else {
    out.push_back(str::replace_all(name, "/", "__"));
    out.push_back(str::replace_all(name, "/", "-"));
  }
  for (const auto& a : service.aliases)
    if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  return out;
}

bool is_dind_image(std::string_view image) {
  size_t slash = image.rfind('/');
  std::string_view base = slash == std::string_view::npos ? image : image.substr(slash + 1);
  std::string_view prefix = image.substr(0, slash == std::string_view::npos ? 0 : slash);
  bool docker_repo = prefix.empty() || prefix == "library" || prefix == "docker.io/library" ||
                     prefix == "docker.io";
  return docker_repo && base.substr(0, 7) == "docker:" &&
         base.find("dind") != std::string_view::npos;
}

ShellResult run_container_job(const Engine& engine, const ContainerJob& job, const Sink& sink) {
  ensure_image(engine, job.image, sink);
  JobSandbox sandbox(engine, job, sink);
  std::vector<std::string> network_args = sandbox.start_services();
  std::vector<std::string> socket_args = sandbox.build_socket_args();

  std::vector<std::string> args = {"run", "--interactive", "--name", job.name, "--pull=never"};
  // podman removes the container itself; docker's --rm is skipped (through podman's Docker API
  // it loses the exit code) and the sandbox removes it.
  if (engine.kind() == ExecutorKind::Podman)
    args.push_back("--rm");
  else
    sandbox.track(job.name);
  add_labels(job.labels, args);
  args.insert(args.end(), {"--volume", job.workspace.string() + ":" + job.project_dir, "--workdir",
                           job.project_dir});
  if (network_args.empty() && !engine.job_network().empty())
    network_args = {"--network", engine.job_network()};
  args.insert(args.end(), network_args.begin(), network_args.end());
  args.insert(args.end(), socket_args.begin(), socket_args.end());
  std::vector<std::string> command = shell_detection_command();
  add_entrypoint(job.image, args, command);
  if (!job.image.user.empty()) args.insert(args.end(), {"--user", job.image.user});
  if (!job.image.platform.empty()) args.insert(args.end(), {"--platform", job.image.platform});
  std::vector<std::string> env = pass_variables(job.variables, args);
  args.push_back(job.image.name);
  args.insert(args.end(), command.begin(), command.end());

  std::vector<std::string> main = job.before_script;
  main.insert(main.end(), job.script.begin(), job.script.end());
  process::Command cmd = engine.command(args);
  cmd.env = env;
  cmd.input = container_script(main, job.after_script, job.files, job.limits);
  // ScriptLimits::script_timeout is set only when it ends before the job's timeout.
  const auto& script_timeout = job.limits.script_timeout;
  if (job.timeout) cmd.timeout = *job.timeout;
  // Without an after_script to run, a script timeout stops the container as the job's would.
  if (script_timeout && job.after_script.empty()) cmd.timeout = *script_timeout;
  cmd.stop = job.stop;
  // The engine keeps the container alive when its client is killed: remove it at once.
  cmd.on_stop = [&] { sandbox.remove_now(job.name); };
  if (!job.after_script.empty()) {
    // Canceled by the run, or past RUNNER_SCRIPT_TIMEOUT, the job still runs its after_script,
    // as GitLab 17 does.
    auto ask = [&](bool timed_out) {
      sink(timed_out ? script_timeout_line(*script_timeout) : std::string(kCanceledScriptLine));
      if (!stop_script(engine, job.name, timed_out)) sandbox.remove_now(job.name);
    };
    cmd.graceful_stop = process::Command::GracefulStop{
        ask, job.limits.after_script_timeout,
        script_timeout ? *script_timeout : std::chrono::milliseconds(0)};
  }
  process::Outcome o = process::run_streaming(cmd, [&](std::string_view line) {
    // netavark's complaint on a machine without syslog (no /dev/log): noise, not the job's.
    if (line != "failed to connect to syslog: Initialization") sink(line);
  });
  ShellResult result;
  result.exit_code = o.exit_code;
  result.timed_out = o.timed_out || o.soft_timed_out;
  result.script_timed_out =
      o.soft_timed_out || (o.timed_out && script_timeout && job.after_script.empty());
  result.canceled = o.canceled || o.stopped;
  if (result.script_timed_out && job.after_script.empty())
    sink(script_timeout_line(*script_timeout));
  else if (o.timed_out)
    sink("ERROR: job exceeded its timeout and was killed");
  if (o.stopped && !o.canceled && job.after_script.empty()) sink(kCanceledScriptLine);
  return result;
}

}  // namespace tollgate::runner
