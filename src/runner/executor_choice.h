#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pipeline/model.h"
#include "pipeline/planner.h"
#include "runner/context.h"
#include "runner/engine.h"

namespace tollgate::runner {

// The executor a run asked for, and where that came from.
struct ExecutorSetting {
  ExecutorKind kind = ExecutorKind::Auto;
  std::string source = "the default";  // "--executor", "$TOLLGATE_EXECUTOR", ".tollgate/config:3"
  // gitlab-runner's `network_mode`: the network of a container job without services ("host",
  // or a network's name). Empty: the engine's choice (Engine::job_network).
  std::string network;
};

// --executor (when given) beats $TOLLGATE_EXECUTOR, which beats `executor:` in
// <state_dir>/config; --executor-network, $TOLLGATE_EXECUTOR_NETWORK and `network_mode:` the
// same way. Throws UsageError (exit 2) on an executor that is not auto, shell, podman or docker
// or a network that is no network name, naming where it was set.
ExecutorSetting executor_setting(const RunOptions& opts, const std::string& state_dir);

// Where a run's jobs go, decided once per run.
struct ExecutorChoice {
  ExecutorSetting setting;
  std::optional<Engine> engine;  // set: jobs that name an image run in a container
  std::string why_not;           // auto without an engine: why, for the one warning

  bool containers() const { return engine.has_value(); }
};

// Finds the engine the setting asks for and, when probe_image is not empty, tries it once with
// a trivial container of that image. A named engine (podman, docker) that is missing or fails
// throws Error (exit 2, before any job starts) with the engine's own message and what to do;
// auto falls back to the shell and says why in why_not.
ExecutorChoice choose_executor(const ExecutorSetting& setting, const std::string& probe_image,
                               bool probe = true);

// For a run: decides once where its image jobs go, probing the engine with the first image the
// plan names; says once on stderr which jobs' images go unused and why, and removes what runs
// killed earlier left behind.
ExecutorChoice choose_run_executor(const RunOptions& opts, const Context& ctx,
                                   const pipeline::Plan& plan);

// The image a job names, its own or from `default:` (already merged by the resolver).
inline const pipeline::Image* job_image(const pipeline::Job& job) {
  return job.image ? &*job.image : nullptr;
}

// What runs the job, for `plan`: "podman: IMAGE", "shell", "shell (IMAGE not used: why)".
std::string executor_description(const ExecutorChoice& choice, const Context& ctx,
                                 const pipeline::Plan& plan, const pipeline::PlannedJob& pj);

}  // namespace tollgate::runner
