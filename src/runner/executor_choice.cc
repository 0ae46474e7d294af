#include "runner/executor_choice.h"

#include <cstdlib>
#include <filesystem>
#include <future>
#include <iostream>

#include "util/error.h"
#include "util/strings.h"
#include "util/yaml.h"

namespace tollgate::runner {
namespace {

ExecutorKind parse_or_throw(const std::string& value, const std::string& source) {
  if (auto k = parse_executor(value)) return *k;
  throw UsageError(source + ": executor '" + value + "' is not one of auto, shell, podman, docker");
}

// `executor:` from the project's .tollgate/config, if the file sets it.
std::optional<ExecutorSetting> config_setting(const std::string& state_dir) {
  std::string path = (std::filesystem::path(state_dir) / "config").string();
  if (!std::filesystem::exists(path)) return std::nullopt;
  yaml::Node root = yaml::load_file(path);
  if (root.is_null()) return std::nullopt;
  if (!root.is_mapping())
    throw Error(root.where, "the config file holds settings as 'name: value' lines");
  const yaml::Node* v = root.find("executor");
  if (!v) return std::nullopt;
  std::string where = v->where.str();
  return ExecutorSetting{parse_or_throw(v->as_string("auto, shell, podman or docker"), where),
                         where};
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

ExecutorSetting executor_setting(const std::string& flag, const std::string& state_dir) {
  if (!flag.empty()) return {parse_or_throw(flag, "--executor"), "--executor"};
  if (const char* env = std::getenv("TOLLGATE_EXECUTOR"); env && *env)
    return {parse_or_throw(env, "$TOLLGATE_EXECUTOR"), "$TOLLGATE_EXECUTOR"};
  if (auto from_config = config_setting(state_dir)) return *from_config;
  return {};
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

std::string executor_description(const ExecutorChoice& choice, const pipeline::Job& job) {
  const pipeline::Image* image = job_image(job);
  if (!image) return "shell";
  if (choice.engine) return std::string(choice.engine->name()) + ": " + image->name;
  if (choice.setting.kind == ExecutorKind::Shell) return "shell (image " + image->name + " unused)";
  return "shell (image " + image->name + " unused: " + choice.why_not + ")";
}

ExecutorChoice choose_run_executor(const RunOptions& opts, const Context& ctx,
                                   const pipeline::Plan& plan) {
  ExecutorSetting setting = executor_setting(opts.executor, ctx.state_dir);
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
