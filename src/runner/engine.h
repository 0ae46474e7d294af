#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/process.h"

namespace tollgate::runner {

// Where jobs run: the host's shell, or a container engine. Auto takes an engine when one works
// and the job names an image.
enum class ExecutorKind { Auto, Shell, Podman, Docker };
std::string_view to_string(ExecutorKind k);
// "auto", "shell", "podman", "docker"; nullopt for anything else.
std::optional<ExecutorKind> parse_executor(std::string_view s);

// Labels on everything made for a job, so that what a killed run left behind can be found and
// removed by the next one. The owner names the tollgate process (pid and its start time), so a
// sweep never touches the containers of a run that is still going.
inline constexpr std::string_view kLabelRun = "io.tollgate.run";
inline constexpr std::string_view kLabelJob = "io.tollgate.job";
inline constexpr std::string_view kLabelOwner = "io.tollgate.owner";  // process::owner_id()

// A container engine driven through its command line: podman, or docker (the same verbs).
// tollgate calls the CLI rather than an API: through podman's Docker API, `docker run --rm`
// loses the container's exit code (podman #18889), and a CLI line is what a user can try by hand.
class Engine {
 public:
  Engine(ExecutorKind kind, std::string binary)
      : kind_(kind), binary_(std::move(binary)), present_(std::make_shared<Present>()) {}

  ExecutorKind kind() const { return kind_; }
  std::string_view name() const { return to_string(kind_); }
  const std::string& binary() const { return binary_; }
  // The network of a job container that has no services: podman's user-mode slirp4netns when
  // it is installed (outbound access as on the bridge, without the bridge's per-container setup:
  // 0.38 s against 0.59 s a container here), else the engine's default. A job with services
  // gets a bridge network of its own instead.
  const std::string& job_network() const { return job_network_; }
  void set_job_network(std::string network) { job_network_ = std::move(network); }

  process::Command command(std::vector<std::string> args) const;
  // Runs a short engine command and returns its stdout. Throws Error naming `what` with the
  // engine's own message when it fails.
  std::string run(std::vector<std::string> args, std::string_view what) const;
  // Like run, but returns nullopt on failure, with the engine's message in *error.
  std::optional<std::string> try_run(std::vector<std::string> args, std::string* error) const;
  // For cleanup: runs to its end even after tollgate was canceled; the output is dropped.
  bool run_cleanup(std::vector<std::string> args) const;

  // True when the image is in the engine's local store (names resolved as `run` resolves them).
  // An image found once is taken as present for the rest of the run: one query per image, not
  // one per job.
  bool has_image(const std::string& image) const;
  // Pulls the image; returns the engine's error message, or "" on success. A registry on the
  // loopback (localhost, 127.0.0.0/8, [::1]) is spoken to over plain HTTP, as Docker does.
  std::string pull(const std::string& image) const;
  // Removes containers at once (no stop grace); never throws: it is cleanup.
  void remove_containers(const std::vector<std::string>& names) const;
  void remove_network(const std::string& name) const;

 private:
  struct Present {
    std::mutex mu;
    std::set<std::string> images;
  };
  ExecutorKind kind_;
  std::string binary_;
  std::string job_network_;
  std::shared_ptr<Present> present_;  // shared by the copies of one engine
};

// The engine the executor kind asks for: podman or docker by name; for Auto, podman first, then
// docker. nullopt when its program is not on PATH, with the reason in *why.
std::optional<Engine> find_engine(ExecutorKind kind, std::string* why);

// Checks that the engine can run a container: a trivial one of `image` when the image is present
// (else the engine's version query). Returns "" when it works, else the engine's error message.
std::string probe_engine(const Engine& engine, const std::string& image);

// Removes the containers, pods and networks labelled kLabelRun whose owner process is gone
// (a tollgate killed with SIGKILL). Returns how many objects it removed.
size_t sweep_orphans(const Engine& engine);

}  // namespace tollgate::runner
