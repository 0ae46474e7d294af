#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/model.h"

namespace tollgate::runner {

// How the parent run starts a child: where its history goes and what it runs on.
struct ChildRunSettings {
  std::string state_dir;  // the parent's .tollgate: the child's run is recorded beside it
  std::string executor;   // the parent's --executor, if given
  int parallelism = 0;    // the parent's -j, if given
  int64_t run_id = 0;     // the parent's run, which the child's record names with the job
  std::string job;        // the trigger job
};

// What a child pipeline's trigger job runs, as a script: the child's configuration written into
// the job's workspace (a copy of the project with the artifacts the job receives, so
// `include: artifact:` finds the generated file), then this same tollgate running it there, its
// board in the job's log. `variables` (name, value) reach the child as --var, above its own, as
// GitLab's trigger variables do; CI_PIPELINE_SOURCE is parent_pipeline. Without
// `strategy: depend` the trigger job passes whether the child passes or fails (GitLab does not
// wait for it); a child that cannot start (an invalid configuration, exit 2) fails it always.
std::vector<std::string> child_pipeline_script(
    const pipeline::ChildPipeline& child,
    const std::vector<std::pair<std::string, std::string>>& variables,
    const ChildRunSettings& settings);

}  // namespace tollgate::runner
