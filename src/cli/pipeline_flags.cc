#include "cli/pipeline_flags.h"

#include "util/error.h"

namespace tollgate::cli {

std::vector<std::pair<std::string, std::string>> parse_assignments(
    const std::vector<std::string>& raw, const std::string& flag) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& kv : raw) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError(flag + " " + kv + ": expected NAME=VALUE");
    out.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return out;
}

void PipelineFlags::add(CLI::App& cmd, const std::string& job_help) {
  cmd.add_option("--file", opts.file, "The pipeline file")->capture_default_str();
  cmd.add_option("--changes-since", changes_since,
                 "Compare 'changes:' with this revision (default: the merge base with the "
                 "default branch, else HEAD~1)");
  // One value per --var, so a job name after it is a job (`run --var K=V deploy`), not a
  // second value.
  cmd.add_option("--var", vars, "Set a variable, NAME=VALUE; beats every other definition")
      ->allow_extra_args(false);
  cmd.add_option("--input", inputs,
                 "Set an input of the file's spec:inputs header, NAME=VALUE (read as the type "
                 "the input declares: a number, true/false, [a, b] for an array)")
      ->allow_extra_args(false);
  cmd.add_option("--executor", opts.executor,
                 "Where jobs that name an image run: auto (a container when podman or docker "
                 "works, else the shell), shell, podman or docker. Default: $TOLLGATE_EXECUTOR, "
                 "else 'executor:' in .tollgate/config, else auto")
      ->check(CLI::IsMember({"auto", "shell", "podman", "docker"}));
  cmd.add_option("--executor-network", opts.executor_network,
                 "The network of container jobs without services, as gitlab-runner's "
                 "network_mode: 'host' shares this machine's (its loopback services too), or a "
                 "network's name. Default: $TOLLGATE_EXECUTOR_NETWORK, else 'network_mode:' in "
                 ".tollgate/config, else slirp4netns (podman) or the engine's default");
  cmd.add_flag("--offline", opts.offline,
               "Fetch no include from outside the project (remote, template, project, "
               "component): use the copies cached under $XDG_CACHE_HOME/tollgate/includes; "
               "what is not cached is left out, with a warning");
  cmd.add_option("JOB", opts.jobs, job_help);
}

void PipelineFlags::resolve() {
  opts.vars = parse_assignments(vars, "--var");
  opts.inputs = parse_assignments(inputs, "--input");
  if (!changes_since.empty()) opts.changes_since = changes_since;
}

nlohmann::json errors_json(const Error& e) {
  std::vector<Error> one = {e};
  const auto* list = dynamic_cast<const ErrorList*>(&e);
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& each : list ? list->all() : one) {
    const SourceLocation& w = each.where();
    errors.push_back(
        {{"file", w.file}, {"line", w.line}, {"column", w.column}, {"message", each.what()}});
  }
  return {{"errors", errors}};
}

}  // namespace tollgate::cli
