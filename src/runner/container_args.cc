#include "runner/container_args.h"

#include <algorithm>

#include "util/error.h"
#include "util/process.h"
#include "util/strings.h"

namespace tollgate::runner {
namespace {

// Names that steer the engine's own client. A job variable of that name goes to the container
// on the command line; every other one is passed by name from the client's environment, so that
// values never show on a command line.
bool steers_engine_client(std::string_view name) {
  // DOCKER_AUTH_CONFIG is gitlab-runner's, read by neither client: often a masked secret, it
  // stays off the command line.
  if (name == "DOCKER_AUTH_CONFIG") return false;
  for (std::string_view exact : {"PATH",
                                 "HOME",
                                 "TMPDIR",
                                 "TMP",
                                 "TEMP",
                                 "USER",
                                 "LOGNAME",
                                 "SHELL",
                                 "NOTIFY_SOCKET",
                                 "REGISTRY_AUTH_FILE",
                                 "REGISTRIES_CONFIG_PATH",
                                 "SSL_CERT_FILE",
                                 "SSL_CERT_DIR",
                                 "CONTAINER_HOST",
                                 "CONTAINER_CONNECTION",
                                 "CONTAINER_SSHKEY",
                                 "STORAGE_DRIVER",
                                 "STORAGE_OPTS",
                                 "GODEBUG",
                                 "GOGC",
                                 "GOMAXPROCS",
                                 "GOMEMLIMIT",
                                 "GOTRACEBACK"})
    if (name == exact) return true;
  for (std::string_view prefix : {"CONTAINERS_", "DOCKER_", "PODMAN_", "BUILDAH_", "XDG_", "LD_"})
    if (name.substr(0, prefix.size()) == prefix) return true;
  std::string lower = str::lower(name);
  return lower.size() > 6 && lower.substr(lower.size() - 6) == "_proxy";
}

}  // namespace

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

void add_labels(const std::vector<std::pair<std::string, std::string>>& labels,
                std::vector<std::string>& args) {
  for (const auto& [k, v] : labels)
    args.insert(args.end(), {"--label", k + "=" + v});
}

void add_entrypoint(const pipeline::Image& image, std::vector<std::string>& args,
                    std::vector<std::string>& command) {
  if (!image.entrypoint) return;
  const auto& ep = *image.entrypoint;
  args.push_back("--entrypoint=" + (ep.empty() ? std::string() : ep.front()));
  if (ep.size() > 1) command.insert(command.begin(), ep.begin() + 1, ep.end());
}

void ensure_image(const Engine& engine, const pipeline::Image& image,
                  const std::function<void(std::string_view)>& sink) {
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

}  // namespace tollgate::runner
