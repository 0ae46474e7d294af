#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "runner/container_executor.h"
#include "runner/engine.h"
#include "runner/socket_relay.h"

namespace tollgate::runner {

class Companion;
struct RunningService;

// Everything made for one attempt; the destructor removes it, whatever happened.
class JobSandbox {
 public:
  JobSandbox(const Engine& engine, const ContainerJob& job,
             const std::function<void(std::string_view)>& sink);
  ~JobSandbox();
  JobSandbox(const JobSandbox&) = delete;
  JobSandbox& operator=(const JobSandbox&) = delete;

  // Starts the services on a network of the job's own and waits until they listen. Returns
  // the arguments that put the job container on that network.
  std::vector<std::string> start_services();
  void track(std::string container) { containers_.push_back(std::move(container)); }
  // On a timeout or a cancel: removes the job's container and every service container at once,
  // in one engine call.
  void remove_now(const std::string& job_container);
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
  const std::function<void(std::string_view)>& sink_;
  std::string network_;
  std::string gateway_;
  std::vector<std::string> containers_;
  std::vector<std::unique_ptr<Companion>> companions_;
  std::unique_ptr<SocketRelay> relay_;
  std::filesystem::path api_socket_;  // the podman API socket made for dind
  std::error_code ignored_;
};

}  // namespace tollgate::runner
