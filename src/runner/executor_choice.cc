#include "runner/executor_choice.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <iostream>

#include "pipeline/variables.h"
#include "runner/settings.h"
#include "util/error.h"
#include "util/strings.h"
#include "util/yaml.h"

namespace tollgate::runner {
namespace {

ExecutorKind parse_or_throw(const std::string& value, const std::string& source) {
  if (auto k = parse_executor(value)) return *k;
  throw UsageError(source + ": executor '" + value + "' is not one of auto, shell, podman, docker");
}

std::string network_or_throw(const std::string& value, const std::string& source) {
  bool name = !value.empty() && std::isalnum(static_cast<unsigned char>(value[0]));
  for (char c : value)
    name = name && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                    c == '.' || c == ':' || c == '=' || c == ',');
  if (!name)
    throw UsageError(source + ": network '" + value +
                     "' is not a network: host, none, slirp4netns, bridge or a network's name");
  return value;
}

// What to do when the engine is there but cannot run a container: this machine kind's known
// failures first, then the general advice.
std::string engine_hint(const Engine& engine, const std::string& message) {
  if (message.find("rlimit") != std::string::npos)
    return "the engine's default ulimits exceed this machine's hard limits: set "
           "default_ulimits in containers.conf (docs/pipeline.md, \"Executors\")";
  if (message.find("cgroup") != std::string::npos)
    return "the OCI runtime cannot use this machine's cgroups: set runtime = \"runc\" in "
           "containers.conf (docs/pipeline.md, \"Executors\")";
  return "try `" + std::string(engine.name()) +
         " run --rm IMAGE true` by hand, or run on the shell with --executor shell";
}

}  // namespace

ExecutorSetting executor_setting(const RunOptions& opts, const std::string& state_dir) {
  yaml::Node config = load_config(state_dir);
  ExecutorSetting setting;
  if (auto kind =
          setting_from(opts.executor, "--executor", "TOLLGATE_EXECUTOR", config, "executor"))
    setting = {parse_or_throw(kind->value, kind->where), kind->where};
  if (auto network = setting_from(opts.executor_network, "--executor-network",
                                  "TOLLGATE_EXECUTOR_NETWORK", config, "network_mode")) {
    setting.network = network_or_throw(network->value, network->where);
  }
  return setting;
}

ExecutorChoice choose_executor(const ExecutorSetting& setting, const std::string& probe_image,
                               bool probe) {
  ExecutorChoice choice;
  choice.setting = setting;
  if (setting.kind == ExecutorKind::Shell) return choice;
  bool named = setting.kind != ExecutorKind::Auto;
  std::string why;
  std::optional<Engine> engine = find_engine(setting.kind, &why);
  if (!engine) {
    if (named)
      throw Error("executor " + std::string(to_string(setting.kind)) + " (" + setting.source +
                  "): " + why + "; install it (apt-get install " +
                  std::string(to_string(setting.kind)) + ") or use --executor shell");
    choice.why_not = why;
    return choice;
  }
  if (!setting.network.empty()) engine->set_job_network(setting.network);
  if (probe) {
    std::string failure = probe_engine(*engine, probe_image);
    if (!failure.empty()) {
      std::string what = std::string(engine->name()) +
                         " cannot run containers here: " + std::string(str::trim(failure));
      if (named)
        throw Error("executor " + std::string(engine->name()) + " (" + setting.source +
                    "): " + what + "\n  what to do: " + engine_hint(*engine, failure));
      choice.why_not = what + " (" + engine_hint(*engine, failure) + ")";
      return choice;
    }
  }
  choice.engine = std::move(engine);
  return choice;
}

// The image's name with the variables a plan knows expanded: the pipeline's and the job's,
// the rules', the project's and --var (a dotenv report's are known only when the job runs).
std::string planned_image_name(const pipeline::Image& image, const Context& ctx,
                               const pipeline::Plan& plan, const pipeline::PlannedJob& pj) {
  if (image.name.find('$') == std::string::npos) return image.name;
  pipeline::VariableSet vars;
  vars.set_all(predefined_variables(ctx, 0));
  set_pipeline_variables(vars, ctx, plan, pj, {});
  return pipeline::expand_variables(image.name, vars.lookup());
}

std::string executor_description(const ExecutorChoice& choice, const Context& ctx,
                                 const pipeline::Plan& plan, const pipeline::PlannedJob& pj) {
  const pipeline::Image* image = job_image(*pj.job);
  if (!image) return "shell";
  std::string name = planned_image_name(*image, ctx, plan, pj);
  // As the run does: an image that expands to nothing is none.
  if (name.empty()) return "shell (image '" + image->name + "' is empty)";
  if (choice.engine) return std::string(choice.engine->name()) + ": " + name;
  if (choice.setting.kind == ExecutorKind::Shell) return "shell (image " + name + " unused)";
  return "shell (image " + name + " unused: " + choice.why_not + ")";
}

ExecutorChoice choose_run_executor(const RunOptions& opts, const Context& ctx,
                                   const pipeline::Plan& plan) {
  ExecutorSetting setting = executor_setting(opts, ctx.state_dir);
  std::vector<std::string> image_jobs;
  std::string probe_image;
  for (const auto& pj : plan.jobs) {
    const pipeline::Image* image = job_image(*pj.job);
    if (!image) continue;
    image_jobs.push_back(pj.job->name);
    if (probe_image.empty() && image->name.find('$') == std::string::npos)
      probe_image = image->name;
  }
  bool needed = !image_jobs.empty() ||
                (setting.kind != ExecutorKind::Auto && setting.kind != ExecutorKind::Shell);
  if (!needed) return ExecutorChoice{setting, std::nullopt, ""};
  // The sweep for what killed runs left goes on while the probe's container runs.
  std::future<size_t> swept;
  if (std::optional<Engine> engine = find_engine(setting.kind, nullptr))
    swept = std::async(std::launch::async, [e = *engine] { return sweep_orphans(e); });
  ExecutorChoice choice = choose_executor(setting, probe_image);
  size_t removed = swept.valid() ? swept.get() : 0;
  if (!choice.containers() && setting.kind == ExecutorKind::Auto)
    std::cerr << "tollgate: warning: " << (image_jobs.size() == 1 ? "job " : "jobs ")
              << str::join(image_jobs, ", ") << (image_jobs.size() == 1 ? " names" : " name")
              << " an image, but " << choice.why_not
              << "; their scripts run on this machine's shell (--executor shell says that is "
                 "meant)\n";
  if (removed)
    std::cerr << "tollgate: removed " << removed
              << " container(s) and network(s) left by an earlier run that was killed\n";
  return choice;
}

}  // namespace tollgate::runner
