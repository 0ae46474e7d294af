// The pipeline loader (include, !reference, extends, default, keywords) and the planner (rules,
// only/except, variables, needs) on a .gitlab-ci.yml, as `tollgate plan` reads one. Includes
// resolve inside an empty project directory.
#include "fuzz_support.h"
#include "pipeline/loader.h"
#include "pipeline/planner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tollgate;
  static const std::string project = (fuzz::scratch_dir() / "project").string();
  static const bool made = std::filesystem::create_directories(project);
  (void)made;
  fuzz::expect_errors([&] {
    pipeline::Pipeline p = pipeline::load_pipeline_text(std::string(fuzz::text(data, size)),
                                                        ".gitlab-ci.yml", project);
    pipeline::PlanContext ctx;
    ctx.ref = "main";
    ctx.changes.known = true;
    ctx.changes.files = {"src/a.cc", "docs/x.md"};
    ctx.variables.set("CI_COMMIT_BRANCH", "main");
    ctx.variables.set("CI_PIPELINE_SOURCE", "push");
    ctx.project_files = {"Dockerfile", "src/a.cc"};
    pipeline::make_plan(p, ctx);
  });
  return 0;
}
