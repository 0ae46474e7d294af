#include "runner/engine.h"

#include <signal.h>
#include <unistd.h>

#include <filesystem>

#include "util/error.h"
#include "util/strings.h"

namespace tollgate::runner {
namespace {

// The engine's own words for what went wrong: its last "Error: ..." line (a pull prints a
// warning for every retry before it), else its last line.
std::string engine_message(const process::CapturedApart& c) {
  std::vector<std::string> lines = str::split_lines(c.errors.empty() ? c.output : c.errors);
  std::erase_if(lines, [](const std::string& l) { return str::trim(l).empty(); });
  for (auto it = lines.rbegin(); it != lines.rend(); ++it)
    if (it->rfind("Error: ", 0) == 0) return *it;
  if (!lines.empty()) return lines.back();
  return "exit code " + std::to_string(c.outcome.exit_code);
}

// The value of kLabelOwner in a label list as the engines print it: "k=v,k=v".
std::string owner_in(std::string_view labels) {
  std::string key = std::string(kLabelOwner) + "=";
  size_t at = labels.find(key);
  if (at == std::string_view::npos) return "";
  labels.remove_prefix(at + key.size());
  return std::string(labels.substr(0, labels.find(',')));
}

// The names of the engine's objects (containers or networks) that carry kLabelRun, each with
// its owner. podman prints a container's labels as a map, everything else as "k=v,k=v".
std::vector<std::pair<std::string, std::string>> labelled(const Engine& engine, bool containers) {
  bool podman_map = containers && engine.kind() == ExecutorKind::Podman;
  std::vector<std::string> args = containers ? std::vector<std::string>{"ps", "--all"}
                                             : std::vector<std::string>{"network", "ls"};
  args.insert(args.end(),
              {"--filter", "label=" + std::string(kLabelRun), "--format",
               std::string(containers ? "{{.Names}}" : "{{.Name}}") + " " +
                   (podman_map ? "{{index .Labels \"" + std::string(kLabelOwner) + "\"}}"
                               : "{{.Labels}}")});
  std::vector<std::pair<std::string, std::string>> out;
  std::optional<std::string> text = engine.try_run(args, nullptr);
  if (!text) return out;
  for (const auto& line : str::split_lines(*text)) {
    size_t space = line.find(' ');
    if (space == std::string::npos) continue;
    std::string rest = line.substr(space + 1);
    out.emplace_back(line.substr(0, space), podman_map ? rest : owner_in(rest));
  }
  return out;
}

// The registry host of an image reference is its first component when that has a '.' or ':' or
// is "localhost" (the reference grammar's rule).
bool on_loopback_registry(std::string_view image) {
  size_t slash = image.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view host = image.substr(0, slash);
  if (host.substr(0, 1) == "[") return host.substr(0, 5) == "[::1]";
  host = host.substr(0, host.find(':'));
  return host == "localhost" || host.substr(0, 4) == "127.";
}

}  // namespace

std::string_view to_string(ExecutorKind k) {
  switch (k) {
    case ExecutorKind::Auto:
      return "auto";
    case ExecutorKind::Shell:
      return "shell";
    case ExecutorKind::Podman:
      return "podman";
    case ExecutorKind::Docker:
      return "docker";
  }
  return "auto";
}

std::optional<ExecutorKind> parse_executor(std::string_view s) {
  for (ExecutorKind k :
       {ExecutorKind::Auto, ExecutorKind::Shell, ExecutorKind::Podman, ExecutorKind::Docker})
    if (s == to_string(k)) return k;
  return std::nullopt;
}

process::Command Engine::command(std::vector<std::string> args) const {
  args.insert(args.begin(), binary_);
  return process::Command(std::move(args));
}

std::optional<std::string> Engine::try_run(std::vector<std::string> args,
                                           std::string* error) const {
  process::CapturedApart c = process::run_capture_apart(command(std::move(args)));
  if (c.outcome.ok()) return std::move(c.output);
  if (error) *error = engine_message(c);
  return std::nullopt;
}

std::string Engine::run(std::vector<std::string> args, std::string_view what) const {
  std::string error;
  std::optional<std::string> out = try_run(std::move(args), &error);
  if (!out) throw Error(std::string(what) + ": " + binary_ + ": " + error);
  return *out;
}

bool Engine::has_image(const std::string& image) const {
  {
    std::lock_guard lock(present_->mu);
    if (present_->images.count(image)) return true;
  }
  if (!try_run({"image", "inspect", "--format", "{{.Id}}", image}, nullptr)) return false;
  std::lock_guard lock(present_->mu);
  present_->images.insert(image);
  return true;
}

std::string Engine::pull(const std::string& image) const {
  std::vector<std::string> args = {"pull", "--quiet"};
  if (kind_ == ExecutorKind::Podman && on_loopback_registry(image))
    args.push_back("--tls-verify=false");
  args.push_back(image);
  std::string error;
  if (!try_run(args, &error)) return error;
  std::lock_guard lock(present_->mu);
  present_->images.insert(image);
  return "";
}

void Engine::remove_containers(const std::vector<std::string>& names) const {
  if (names.empty()) return;
  // -v: the anonymous volumes an image's VOLUME lines made go with the container.
  std::vector<std::string> args = {"rm", "--force", "--volumes"};
  if (kind_ == ExecutorKind::Podman) args.insert(args.end(), {"--time", "0"});
  args.insert(args.end(), names.begin(), names.end());
  run_cleanup(std::move(args));
}

void Engine::remove_network(const std::string& name) const {
  run_cleanup({"network", "rm", "--force", name});
}

bool Engine::run_cleanup(std::vector<std::string> args) const {
  process::Command cmd = command(std::move(args));
  cmd.cleanup = true;
  cmd.timeout = std::chrono::seconds(60);
  try {
    return process::run_capture_apart(cmd).outcome.ok();
  } catch (const Error&) {
    return false;  // the engine's program is gone: nothing more to do here
  }
}

std::optional<Engine> find_engine(ExecutorKind kind, std::string* why) {
  std::vector<ExecutorKind> candidates;
  if (kind == ExecutorKind::Auto)
    candidates = {ExecutorKind::Podman, ExecutorKind::Docker};
  else if (kind != ExecutorKind::Shell)
    candidates = {kind};
  for (ExecutorKind k : candidates) {
    std::string program = process::which(to_string(k));
    if (program.empty()) continue;
    Engine engine(k, program);
    if (k == ExecutorKind::Podman && (!process::which("slirp4netns").empty() ||
                                      std::filesystem::exists("/usr/libexec/podman/slirp4netns")))
      engine.set_job_network("slirp4netns");
    return engine;
  }
  if (why) {
    *why = kind == ExecutorKind::Auto ? "neither podman nor docker is on PATH"
                                      : std::string(to_string(kind)) + " is not on PATH";
  }
  return std::nullopt;
}

std::string probe_engine(const Engine& engine, const std::string& image) {
  std::string error;
  try {
    if (!image.empty() && engine.has_image(image)) {
      // On the network a job gets, so that a broken network stack shows here, once.
      std::vector<std::string> args = {"run", "--rm", "--pull=never"};
      if (!engine.job_network().empty())
        args.insert(args.end(), {"--network", engine.job_network()});
      args.insert(args.end(), {"--entrypoint", "sh", image, "-c", ":"});
      if (engine.try_run(args, &error)) return "";
      return error;
    }
    if (engine.try_run({"version", "--format", "{{.Client.Version}}"}, &error)) return "";
  } catch (const Error& e) {
    return e.message();
  }
  return error;
}

size_t sweep_orphans(const Engine& engine) {
  size_t removed = 0;
  std::vector<std::string> containers;
  for (const auto& [name, owner] : labelled(engine, true))
    if (!process::owner_alive(owner)) containers.push_back(name);
  engine.remove_containers(containers);
  removed += containers.size();
  for (const auto& [name, owner] : labelled(engine, false)) {
    if (process::owner_alive(owner)) continue;
    engine.remove_network(name);
    ++removed;
  }
  return removed;
}

}  // namespace tollgate::runner
