#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/model.h"
#include "runner/engine.h"
#include "runner/executor.h"

namespace tollgate::runner {

// One attempt of a job in a container, as gitlab-runner's Docker executor runs it.
//
// The job's working copy on the host is bind-mounted at project_dir (GitLab's
// /builds/<namespace>/<project>) and is the working directory, so artifacts, dotenv reports and
// caches are read and written in place: nothing is copied in or out. The image keeps its
// entrypoint, whose command is a small `sh -c` that picks the shell as gitlab-runner does (bash
// when present, else sh) and reads the job's script from stdin. before_script + script run in one
// shell; after_script runs in a new shell in the same container with CI_JOB_STATUS, also when the
// run cancels the job (its script is killed inside the container first). All of it is one `run`
// of the engine: a per-job cost no higher than a bare `podman run`.
struct ContainerJob {
  pipeline::Image image;                    // name already expanded
  std::vector<pipeline::Service> services;  // names and variables already expanded
  std::vector<std::string> before_script;
  std::vector<std::string> script;
  std::vector<std::string> after_script;
  // The job's variables, which become the container's environment (the host's own environment
  // never does). Services get them too, under their own `variables`.
  std::vector<std::pair<std::string, std::string>> variables;
  // The files of file-type variables (path inside the container, content): written by the
  // script itself, so that no host path is mounted for them.
  std::vector<std::pair<std::string, std::string>> files;
  std::filesystem::path workspace;  // the job's working copy on the host
  std::string project_dir;          // where it is mounted in the container
  std::string name;                 // unique per attempt; containers and network derive from it
  std::vector<std::pair<std::string, std::string>> labels;
  std::optional<std::chrono::milliseconds> timeout;
  ScriptLimits limits;
  bool debug_services = false;  // CI_DEBUG_SERVICES: service logs go into the job log
  // --executor-build-socket: the host engine's API socket is mounted at
  // /run/tollgate/engine.sock, with $CONTAINER_HOST and $DOCKER_HOST naming it (unless the job
  // sets them), so podman (remote) or docker in the job's image build into the host's store.
  bool build_socket = false;
  const std::atomic<bool>* stop = nullptr;  // set: the run cancels the job (auto_cancel)
};

// Runs the attempt. A missing image whose pull fails, a service that exits or never listens,
// throw Error with the engine's message (the job fails; the run goes on). Every container and
// network made for it is removed before this returns, also on timeout and cancel.
ShellResult run_container_job(const Engine& engine, const ContainerJob& job,
                              const std::function<void(std::string_view)>& sink);

// The command a job container runs: finds bash, else sh, as gitlab-runner does, and hands it
// the script on stdin.
std::vector<std::string> shell_detection_command();

// The whole stdin script of a job container: the files of file-type variables (mode 600), then
// before_script + script in a subshell with `set -e` (and pipefail where the shell has it), then
// after_script in another with CI_JOB_STATUS, within limits.after_script_timeout; exits with the
// main part's status, or with after_script's when it failed after a script that passed and
// !limits.after_script_ignore_errors. SIGUSR1 to the shell means the run canceled the job,
// SIGUSR2 that its script timed out.
std::string container_script(const std::vector<std::string>& main,
                             const std::vector<std::string>& after_script,
                             const std::vector<std::pair<std::string, std::string>>& files = {},
                             const ScriptLimits& limits = {});

// GitLab's host names for a service: the image name without tag or digest, with '/' as "__"
// and as "-" (one name when there is no '/'), then each alias.
std::vector<std::string> service_aliases(const pipeline::Service& service);

// True for an image of the Docker-in-Docker pattern (docker:dind, docker:24-dind, ...).
bool is_dind_image(std::string_view image);

}  // namespace tollgate::runner
