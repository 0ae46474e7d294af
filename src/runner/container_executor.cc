#include "runner/container_executor.h"

#include <filesystem>

#include "runner/container_args.h"
#include "runner/job_sandbox.h"
#include "util/error.h"
#include "util/strings.h"

namespace tollgate::runner {

using Sink = std::function<void(std::string_view)>;

namespace {

// Run inside a job's container (as root, to reach every process) when the run cancels the job:
// the script's shell (PID 1) learns it was canceled, and everything else in the container, the
// main part and what it started, is killed. The shell then runs after_script. `kill -9 -1`
// skips PID 1 and the caller, and is spelled so that bash, dash and busybox all take it.
const char kCancelScript[] = "kill -USR1 1; kill -9 -1";
// GitLab's after_script limit, which a canceled job's after_script has too.
constexpr std::chrono::minutes kAfterScriptGrace{5};

// False when the container could not be asked (no sh in it, the engine failed): the caller then
// stops it the hard way.
bool cancel_script(const Engine& engine, const std::string& container) {
  process::Command exec =
      engine.command({"exec", "--user", "0", container, "sh", "-c", kCancelScript});
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

std::string container_script(const std::vector<std::string>& main,
                             const std::vector<std::string>& after_script,
                             const std::vector<std::pair<std::string, std::string>>& files) {
  // Each part runs in a subshell: a new shell's state (cd, exports, functions) does not carry
  // over, `exit N` ends only that part, and its stdin is /dev/null so that a command reading
  // stdin cannot eat the rest of this script.
  auto part = [](const std::vector<std::string>& commands) {
    return "(\nset -e\n(set -o pipefail) 2>/dev/null && set -o pipefail\n" +
           echoed_commands(commands) + ") </dev/null\n";
  };
  std::string out;
  for (const auto& [path, content] : files) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    out += "(umask 077 && mkdir -p " + str::shell_quote(dir) + " && printf '%s' " +
           str::shell_quote(content) + " > " + str::shell_quote(path) + ")\n";
  }
  if (after_script.empty()) return out + part(main) + "exit $?\n";
  // The run cancels a job by signalling this shell and killing the main part (kCancelScript).
  out += "tollgate_canceled=\ntrap 'tollgate_canceled=1' USR1\n";
  out += part(main) + "tollgate_status=$?\n";
  out +=
      "if [ -n \"$tollgate_canceled\" ]; then CI_JOB_STATUS=canceled; "
      "elif [ \"$tollgate_status\" -eq 0 ]; then CI_JOB_STATUS=success; else "
      "CI_JOB_STATUS=failed; fi\n"
      "export CI_JOB_STATUS\n"
      "echo 'Running after_script'\n" +
      part(after_script) +
      "tollgate_after=$?\n"
      "if [ \"$tollgate_after\" -ne 0 ]; then echo \"WARNING: after_script failed with exit "
      "code $tollgate_after (this does not change the job's result)\"; fi\n";
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
  cmd.input = container_script(main, job.after_script, job.files);
  if (job.timeout) cmd.timeout = *job.timeout;
  cmd.stop = job.stop;
  // The engine keeps the container alive when its client is killed: remove it at once.
  cmd.on_stop = [&] { sandbox.remove_now(job.name); };
  if (!job.after_script.empty()) {
    // Canceled by the run, the job still runs its after_script, as GitLab 17 does.
    auto ask = [&] {
      sink(kCanceledScriptLine);
      if (!cancel_script(engine, job.name)) sandbox.remove_now(job.name);
    };
    cmd.graceful_stop = process::Command::GracefulStop{ask, kAfterScriptGrace};
  }
  process::Outcome o = process::run_streaming(cmd, [&](std::string_view line) {
    // netavark's complaint on a machine without syslog (no /dev/log): noise, not the job's.
    if (line != "failed to connect to syslog: Initialization") sink(line);
  });
  ShellResult result;
  result.exit_code = o.exit_code;
  result.timed_out = o.timed_out;
  result.canceled = o.canceled || o.stopped;
  if (o.timed_out) sink("ERROR: job exceeded its timeout and was killed");
  if (o.stopped && !o.canceled && job.after_script.empty()) sink(kCanceledScriptLine);
  return result;
}

}  // namespace tollgate::runner
