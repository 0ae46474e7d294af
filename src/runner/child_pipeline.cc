#include "runner/child_pipeline.h"

#include "util/strings.h"

namespace tollgate::runner {
namespace {

constexpr const char* kChildFile = ".tollgate-child-pipeline.yml";

}  // namespace

std::vector<std::string> child_pipeline_script(
    const pipeline::ChildPipeline& child,
    const std::vector<std::pair<std::string, std::string>>& variables,
    const ChildRunSettings& settings) {
  std::string write = std::string("cat > ") + kChildFile + " <<'TOLLGATE_CHILD_PIPELINE'\n" +
                      child.include_yaml + "TOLLGATE_CHILD_PIPELINE";
  std::string run = std::string("\"$TOLLGATE_BIN\" run --file ") + kChildFile + " --state-dir " +
                    str::shell_quote(settings.state_dir);
  if (!settings.executor.empty()) run += " --executor " + str::shell_quote(settings.executor);
  if (settings.parallelism > 0) run += " -j " + std::to_string(settings.parallelism);
  run += " --var CI_PIPELINE_SOURCE=parent_pipeline";
  if (settings.run_id > 0)
    run += " --parent " + str::shell_quote(std::to_string(settings.run_id) + ":" + settings.job);
  for (const auto& [name, value] : variables)
    run += " --var " + str::shell_quote(name + "=" + value);
  if (!child.depend)
    run +=
        " || { status=$?; [ \"$status\" -eq 1 ] || exit \"$status\"; "
        "echo 'The child pipeline failed; without strategy: depend its trigger job passes.'; }";
  return {write, run};
}

}  // namespace tollgate::runner
