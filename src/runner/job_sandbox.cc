#include "runner/job_sandbox.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "runner/container_args.h"
#include "util/error.h"
#include "util/json_read.h"
#include "util/strings.h"

namespace tollgate::runner {
namespace {

using Sink = std::function<void(std::string_view)>;
using SteadyClock = std::chrono::steady_clock;

// gitlab-runner waits this long for a service's ports (wait_for_services_timeout).
constexpr std::chrono::seconds kServiceWait{30};
constexpr int kDindPort = 2375;

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

}  // namespace

// A process that runs for the length of the job (service logs, the engine's API).
class Companion {
 public:
  Companion(process::Command cmd, Sink sink) {
    cmd.stop = &stop_;
    thread_ = std::thread([cmd = std::move(cmd), sink = std::move(sink)] {
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

JobSandbox::JobSandbox(const Engine& engine, const ContainerJob& job, const Sink& sink)
    : engine_(engine), job_(job), sink_(sink) {}

JobSandbox::~JobSandbox() {
  relay_.reset();
  companions_.clear();  // stops log followers and the API service first
  if (!api_socket_.empty()) std::filesystem::remove(api_socket_, ignored_);
  engine_.remove_containers(containers_);
  if (!network_.empty()) engine_.remove_network(network_);
}

void JobSandbox::remove_now(const std::string& job_container) {
  std::vector<std::string> all = containers_;
  if (std::find(all.begin(), all.end(), job_container) == all.end()) all.push_back(job_container);
  engine_.remove_containers(all);
  containers_.clear();
}

void JobSandbox::create_network() {
  network_ = job_.name + "-net";
  std::vector<std::string> args = {"network", "create"};
  add_labels(job_.labels, args);
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
  add_labels(job_.labels, args);
  // The job's variables reach the service; the service's own replace those of the same name.
  std::vector<std::pair<std::string, std::string>> vars = job_.variables;
  for (const auto& v : svc.variables) {
    std::erase_if(vars, [&](const auto& kv) { return kv.first == v.name; });
    vars.emplace_back(v.name, v.value);
  }
  std::vector<std::string> command = svc.command.value_or(std::vector<std::string>{});
  add_entrypoint(svc.image, args, command);
  if (!svc.image.user.empty()) args.insert(args.end(), {"--user", svc.image.user});
  if (!svc.image.platform.empty()) args.insert(args.end(), {"--platform", svc.image.platform});
  std::vector<std::string> env = pass_variables(vars, args);
  args.push_back(svc.image.name);
  args.insert(args.end(), command.begin(), command.end());
  track(s.container);
  process::Command cmd = engine_.command(args);
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
  nlohmann::json j = json_read::parse_or_discarded(str::trim(text));
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
  nlohmann::json j = json_read::parse_or_discarded(str::trim(text));
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

}  // namespace tollgate::runner
