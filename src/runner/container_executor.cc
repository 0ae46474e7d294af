#include "runner/container_executor.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "runner/socket_relay.h"
#include "util/error.h"
#include "util/strings.h"

namespace tollgate::runner {
namespace {

using Sink = std::function<void(std::string_view)>;
using SteadyClock = std::chrono::steady_clock;

// gitlab-runner waits this long for a service's ports (wait_for_services_timeout).
constexpr std::chrono::seconds kServiceWait{30};
constexpr int kDindPort = 2375;

// Names that steer the engine's own client. A job variable of that name goes to the container
// on the command line; every other one is passed by name from the client's environment, so that
// values never show on a command line.
bool steers_engine_client(std::string_view name) {
  for (std::string_view exact :
       {"PATH", "HOME", "TMPDIR", "TMP", "TEMP", "USER", "LOGNAME", "SHELL", "NOTIFY_SOCKET",
        "REGISTRY_AUTH_FILE", "REGISTRIES_CONFIG_PATH", "SSL_CERT_FILE", "SSL_CERT_DIR"})
    if (name == exact) return true;
  for (std::string_view prefix :
       {"CONTAINER", "DOCKER_", "PODMAN_", "BUILDAH_", "STORAGE_", "XDG_", "LD_", "GO"})
    if (name.substr(0, prefix.size()) == prefix) return true;
  std::string lower = str::lower(name);
  return lower.size() > 6 && lower.substr(lower.size() - 6) == "_proxy";
}

// Adds `-e` arguments for the variables and returns the client environment that carries them.
std::vector<std::string> pass_variables(
    const std::vector<std::pair<std::string, std::string>>& variables,
    std::vector<std::string>& args) {
  std::vector<std::string> env = process::current_environment();
  std::vector<std::string> by_name;
  for (const auto& [name, value] : variables) {
    if (steers_engine_client(name)) {
      args.insert(args.end(), {"--env", name + "=" + value});
    } else {
      args.insert(args.end(), {"--env", name});
      by_name.push_back(name + "=" + value);
    }
  }
  // Later entries win in the client: the job's values over the host's of the same name.
  std::erase_if(env, [&](const std::string& kv) {
    std::string_view key = std::string_view(kv).substr(0, kv.find('='));
    for (const auto& [name, value] : variables)
      if (key == name) return true;
    return false;
  });
  env.insert(env.end(), by_name.begin(), by_name.end());
  return env;
}

void add_labels(const ContainerJob& job, std::vector<std::string>& args) {
  for (const auto& [k, v] : job.labels)
    args.insert(args.end(), {"--label", k + "=" + v});
}

// An entrypoint list as the CLI takes it: the first element as --entrypoint, the rest in front
// of the command (docker's --entrypoint takes one string; podman's the same form works).
void add_entrypoint(const pipeline::Image& image, std::vector<std::string>& args,
                    std::vector<std::string>& command) {
  if (!image.entrypoint) return;
  const auto& ep = *image.entrypoint;
  args.push_back("--entrypoint=" + (ep.empty() ? std::string() : ep.front()));
  if (ep.size() > 1) command.insert(command.begin(), ep.begin() + 1, ep.end());
}

// Makes sure the image is in the engine's store as its pull policy says; throws Error naming
// the image with the engine's message when it cannot be had.
void ensure_image(const Engine& engine, const pipeline::Image& image, const Sink& sink) {
  std::vector<std::string> policies = image.pull_policy;
  if (policies.empty()) policies = {"if-not-present"};
  std::string last_error;
  for (const auto& policy : policies) {
    if (policy != "always" && engine.has_image(image.name)) return;
    if (policy == "never") {
      last_error = "not in " + std::string(engine.name()) +
                   "'s local images and pull_policy is never (build or pull it first, e.g. `" +
                   std::string(engine.name()) + " pull " + image.name + "`)";
      continue;
    }
    sink("Pulling image " + image.name + " (pull_policy " + policy + ")");
    last_error = engine.pull(image.name);
    if (last_error.empty()) return;
  }
  throw Error("image '" + image.name + "': " + last_error);
}

bool tcp_accepts(const std::string& ip, int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) return false;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  if (!ok && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    ok = poll(&p, 1, 500) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
  }
  close(fd);
  return ok;
}

// A process that runs for the length of the job (service logs, the Docker API for dind).
class Companion {
 public:
  Companion(process::Command cmd, Sink sink) {
    cmd.stop = &stop_;
    thread_ = std::thread([this, cmd = std::move(cmd), sink = std::move(sink)] {
      try {
        process::run_streaming(cmd, sink);
      } catch (const Error& e) {
        sink("WARNING: " + e.message());
      }
    });
  }
  ~Companion() {
    stop_ = true;
    thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

struct RunningService {
  std::string container;  // empty for dind, which runs no container
  std::string label;      // the image name as written, for messages
  std::string ip;
  std::vector<int> ports;
  std::string unix_path;  // dind: ready once the engine's API socket accepts
};

// Everything made for one attempt; the destructor removes it, whatever happened.
class JobSandbox {
 public:
  JobSandbox(const Engine& engine, const ContainerJob& job, const Sink& sink)
      : engine_(engine), job_(job), sink_(sink) {}
  ~JobSandbox() {
    relay_.reset();
    companions_.clear();  // stops log followers and the API service first
    if (!api_socket_.empty()) std::filesystem::remove(api_socket_, ignored_);
    engine_.remove_containers(containers_);
    if (!network_.empty()) engine_.remove_network(network_);
  }

  // Starts the services on a network of the job's own and waits until they listen. Returns
  // the arguments that put the job container on that network.
  std::vector<std::string> start_services();
  void track(std::string container) { containers_.push_back(std::move(container)); }
  // The arguments that give the job container the host engine's API socket (the
  // --executor-build-socket option), unless the job names its own engine host.
  std::vector<std::string> build_socket_args();

 private:
  // The path of the host engine's API socket for this job: podman serves it on a socket of the
  // job's own (started on first use); docker's is its daemon's.
  std::string engine_api();
  void create_network();
  RunningService start_service(const pipeline::Service& svc, size_t index);
  RunningService serve_engine_api(const pipeline::Service& svc, std::vector<std::string>& job_args);
  std::vector<int> exposed_ports(const std::string& image) const;
  std::string container_ip(const std::string& container) const;
  void wait_for(const RunningService& s);

  const Engine& engine_;
  const ContainerJob& job_;
  const Sink& sink_;
  std::string network_;
  std::string gateway_;
  std::vector<std::string> containers_;
  std::vector<std::unique_ptr<Companion>> companions_;
  std::unique_ptr<SocketRelay> relay_;
  std::filesystem::path api_socket_;  // the podman API socket made for dind
  std::error_code ignored_;
};

void JobSandbox::create_network() {
  network_ = job_.name + "-net";
  std::vector<std::string> args = {"network", "create"};
  add_labels(job_, args);
  args.push_back(network_);
  try {
    engine_.run(args, "creating the job's network");
  } catch (...) {
    network_.clear();  // nothing to remove
    throw;
  }
  std::string gw = engine_.run(
      {"network", "inspect", "--format", "{{range .Subnets}}{{.Gateway}}{{end}}", network_},
      "reading the job network's gateway");
  gateway_ = std::string(str::trim(gw));
}

std::vector<std::string> JobSandbox::start_services() {
  if (job_.services.empty()) return {};
  create_network();
  std::vector<std::string> job_args = {"--network", network_};
  std::vector<RunningService> started;
  for (size_t i = 0; i < job_.services.size(); ++i) {
    const auto& svc = job_.services[i];
    if (is_dind_image(svc.image.name)) {
      started.push_back(serve_engine_api(svc, job_args));
    } else {
      started.push_back(start_service(svc, i));
    }
  }
  for (const auto& s : started)
    wait_for(s);
  return job_args;
}

RunningService JobSandbox::start_service(const pipeline::Service& svc, size_t index) {
  ensure_image(engine_, svc.image, sink_);
  RunningService s;
  s.label = svc.image.name;
  s.container = job_.name + "-svc" + std::to_string(index);
  std::vector<std::string> args = {"run",       "--detach", "--name",      s.container,
                                   "--network", network_,   "--pull=never"};
  std::vector<std::string> aliases = service_aliases(svc);
  for (const auto& a : aliases)
    args.insert(args.end(), {"--network-alias", a});
  add_labels(job_, args);
  // The job's variables reach the service; the service's own replace those of the same name.
  std::vector<std::pair<std::string, std::string>> vars = job_.variables;
  for (const auto& v : svc.variables) {
    std::erase_if(vars, [&](const auto& kv) { return kv.first == v.name; });
    vars.emplace_back(v.name, v.value);
  }
  process::Command cmd;
  std::vector<std::string> command = svc.command.value_or(std::vector<std::string>{});
  add_entrypoint(svc.image, args, command);
  if (!svc.image.user.empty()) args.insert(args.end(), {"--user", svc.image.user});
  if (!svc.image.platform.empty()) args.insert(args.end(), {"--platform", svc.image.platform});
  std::vector<std::string> env = pass_variables(vars, args);
  args.push_back(svc.image.name);
  args.insert(args.end(), command.begin(), command.end());
  track(s.container);
  cmd = engine_.command(args);
  cmd.env = env;
  process::CapturedApart c = process::run_capture_apart(cmd);
  if (!c.outcome.ok())
    throw Error("service '" + svc.image.name + "' did not start: " +
                std::string(str::trim(c.errors.empty() ? c.output : c.errors)));
  sink_("Started service " + svc.image.name + " as " + str::join(aliases, ", "));
  if (job_.debug_services) {
    std::string prefix = "[service:" + aliases.front() + "] ";
    companions_.push_back(std::make_unique<Companion>(
        engine_.command({"logs", "--follow", s.container}),
        [this, prefix](std::string_view line) { sink_(prefix + std::string(line)); }));
  }
  s.ports = exposed_ports(svc.image.name);
  if (!s.ports.empty()) s.ip = container_ip(s.container);
  return s;
}

// The Docker-in-Docker pattern without a privileged daemon: the host's engine API, relayed to
// the job network's gateway, and the service's names pointing there. podman serves its
// Docker-compatible API on a socket of this job's own; docker's daemon socket is relayed as is.
RunningService JobSandbox::serve_engine_api(const pipeline::Service& svc,
                                            std::vector<std::string>& job_args) {
  std::vector<std::string> aliases = service_aliases(svc);
  for (const auto& a : aliases)
    job_args.insert(job_args.end(), {"--add-host", a + ":" + gateway_});
  RunningService s;
  s.label = svc.image.name;
  s.unix_path = engine_api();
  relay_ = std::make_unique<SocketRelay>(gateway_, kDindPort, s.unix_path);
  sink_("Service " + svc.image.name + ": no daemon is started; the host's " +
        std::string(engine_.name()) + " serves the Docker API at tcp://" + aliases.front() + ":" +
        std::to_string(kDindPort) + " for this job, and the images it builds land in the " +
        "host's store");
  return s;
}

std::string JobSandbox::engine_api() {
  if (engine_.kind() != ExecutorKind::Podman) {
    const char* host = std::getenv("DOCKER_HOST");
    std::string_view h = host ? host : "";
    return h.substr(0, 7) == "unix://" ? std::string(h.substr(7)) : "/var/run/docker.sock";
  }
  if (!api_socket_.empty()) return api_socket_.string();
  api_socket_ = std::filesystem::temp_directory_path() / (job_.name + ".sock");
  std::filesystem::remove(api_socket_, ignored_);
  companions_.push_back(std::make_unique<Companion>(
      engine_.command({"system", "service", "--time=0", "unix://" + api_socket_.string()}),
      [this](std::string_view line) {
        if (job_.debug_services) sink_("[engine api] " + std::string(line));
      }));
  return api_socket_.string();
}

std::vector<std::string> JobSandbox::build_socket_args() {
  if (!job_.build_socket) return {};
  const std::string inside = "/run/tollgate/engine.sock";
  RunningService api;
  api.label = "the host engine's API";
  api.unix_path = engine_api();
  wait_for(api);
  std::vector<std::string> args = {"--volume", api.unix_path + ":" + inside};
  std::vector<std::string> set;
  for (const char* name : {"CONTAINER_HOST", "DOCKER_HOST"}) {
    bool own = std::any_of(job_.variables.begin(), job_.variables.end(),
                           [&](const auto& kv) { return kv.first == name; });
    if (own) continue;
    args.insert(args.end(), {"--env", std::string(name) + "=unix://" + inside});
    set.push_back(name);
  }
  sink_("The host's " + std::string(engine_.name()) + " API is at unix://" + inside +
        (set.empty() ? "" : " ($" + str::join(set, ", $") + ")") +
        ": podman and docker in this job build and run with the host's images");
  return args;
}

std::vector<int> JobSandbox::exposed_ports(const std::string& image) const {
  std::string text =
      engine_.run({"image", "inspect", "--format", "{{json .Config.ExposedPorts}}", image},
                  "reading the ports image " + image + " exposes");
  std::vector<int> ports;
  nlohmann::json j = nlohmann::json::parse(str::trim(text), nullptr, false);
  if (!j.is_object()) return ports;
  for (const auto& [key, value] : j.items()) {
    (void)value;
    if (key.size() > 4 && key.substr(key.size() - 4) == "/tcp")
      ports.push_back(std::atoi(key.c_str()));
  }
  return ports;
}

std::string JobSandbox::container_ip(const std::string& container) const {
  std::string text =
      engine_.run({"inspect", "--format", "{{json .NetworkSettings.Networks}}", container},
                  "reading the address of service container " + container);
  nlohmann::json j = nlohmann::json::parse(str::trim(text), nullptr, false);
  if (j.is_object() && j.contains(network_) && j[network_].contains("IPAddress"))
    return j[network_]["IPAddress"].get<std::string>();
  throw Error("service container " + container + " has no address on " + network_);
}

void JobSandbox::wait_for(const RunningService& s) {
  if (s.ports.empty() && s.unix_path.empty()) return;
  auto deadline = SteadyClock::now() + kServiceWait;
  auto next_state_check = SteadyClock::now();
  if (!s.unix_path.empty()) {
    while (!unix_socket_accepts(s.unix_path)) {
      if (SteadyClock::now() >= deadline)
        throw Error("service '" + s.label + "': the engine's API did not come up at " +
                    s.unix_path + " within " + std::to_string(kServiceWait.count()) + " s");
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return;
  }
  for (int port : s.ports) {
    while (!tcp_accepts(s.ip, port)) {
      if (process::canceled()) throw Error("the run was interrupted");
      std::string why;
      if (!s.container.empty() && SteadyClock::now() >= next_state_check) {
        std::string state(
            str::trim(engine_.run({"inspect", "--format", "{{.State.Status}}", s.container},
                                  "reading a service's state")));
        next_state_check = SteadyClock::now() + std::chrono::seconds(1);
        if (state != "running") why = "exited (" + state + ")";
      }
      if (why.empty() && SteadyClock::now() >= deadline)
        why = "did not listen on port " + std::to_string(port) + " within " +
              std::to_string(kServiceWait.count()) + " s";
      if (why.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      std::string logs;
      if (!s.container.empty()) {
        std::string err;
        logs = engine_.try_run({"logs", "--tail", "20", s.container}, &err).value_or(err);
      }
      throw Error("service '" + s.label + "' " + why +
                  (logs.empty() ? "" : "; its last log lines:\n" + std::string(str::trim(logs))));
    }
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
  out += part(main) + "tollgate_status=$?\n";
  if (!after_script.empty()) {
    out +=
        "if [ \"$tollgate_status\" -eq 0 ]; then CI_JOB_STATUS=success; else "
        "CI_JOB_STATUS=failed; fi\n"
        "export CI_JOB_STATUS\n"
        "echo 'Running after_script'\n" +
        part(after_script) +
        "tollgate_after=$?\n"
        "if [ \"$tollgate_after\" -ne 0 ]; then echo \"WARNING: after_script failed with exit "
        "code $tollgate_after (this does not change the job's result)\"; fi\n";
  }
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
  add_labels(job, args);
  args.insert(args.end(), {"--volume", job.workspace.string() + ":" + job.project_dir, "--workdir",
                           job.project_dir});
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
  // The engine keeps the container alive when its client is killed: remove it at once.
  cmd.on_stop = [&] { engine.remove_containers({job.name}); };
  process::Outcome o = process::run_streaming(cmd, [&](std::string_view line) {
    // netavark's complaint on a machine without syslog (no /dev/log): noise, not the job's.
    if (line != "failed to connect to syslog: Initialization") sink(line);
  });
  ShellResult result;
  result.exit_code = o.exit_code;
  result.timed_out = o.timed_out;
  result.canceled = o.canceled;
  if (o.timed_out) sink("ERROR: job exceeded its timeout and was killed");
  return result;
}

}  // namespace tollgate::runner
