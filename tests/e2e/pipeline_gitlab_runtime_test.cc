// Whole-binary tests of what happens when jobs run, as on GitLab: predefined variables, the
// ref a pipeline runs for, variables in artifacts: and cache:, what later jobs receive, and
// coverage. The pipelines are tests/pipelines/gitlab_runtime/*.yml.
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "pipeline_project.h"

namespace tollgate::testing {
namespace {

// A git project whose .gitlab-ci.yml is the named file of tests/pipelines/gitlab_runtime.
class RuntimeProject : public PipelineProject {
 public:
  explicit RuntimeProject(const std::string& pipeline) {
    write(".gitlab-ci.yml",
          files::read(source_dir() / "tests/pipelines/gitlab_runtime" / pipeline));
    git_init();
    commit("first");
  }
  std::string log(const nlohmann::json& run, const std::string& job) const {
    const nlohmann::json* j = find_job(run, job);
    if (!j) throw std::runtime_error("no job " + job + " in the run");
    return read((*j)["log"].get<std::string>());
  }
};

TEST(GitLabRuntime, TheShortShaIsEightCharactersAndTheStatusIsRunningUntilAfterScript) {
  RuntimeProject p("predefined.yml");
  std::string sha(str::trim(p.sh("git rev-parse HEAD").out));
  auto run = p.run_json("unit");
  std::string log = p.log(run, "unit");
  EXPECT_NE(log.find("short=" + sha.substr(0, 8) + " status=running\n"), std::string::npos) << log;
  EXPECT_NE(log.find("after=success"), std::string::npos) << log;
  auto failed = p.run_json("unit --var FAIL=yes", 1);
  EXPECT_NE(p.log(failed, "unit").find("status=running\n"), std::string::npos);
  EXPECT_NE(p.log(failed, "unit").find("after=failed"), std::string::npos);
}

// RUNNER_SCRIPT_TIMEOUT, RUNNER_AFTER_SCRIPT_TIMEOUT and AFTER_SCRIPT_IGNORE_ERRORS on the shell;
// ContainerExecutor.RunnerLimitsHoldInAContainerToo runs the same file in an image.
TEST(GitLabRuntime, RunnerScriptLimitsBoundAndJudgeTheScripts) {
  RuntimeProject p("runner_limits.yml");
  auto run = p.run_json("-j 6 --executor podman", 1);
  const nlohmann::json& timed = *find_job(run, "script-timeout");
  // `image: $IMAGE` with IMAGE empty is no image: GitLab's runner default, the shell here.
  EXPECT_NE(p.log(run, "malformed").find("image '$IMAGE' is empty here: the job runs on the shell"),
            std::string::npos)
      << p.log(run, "malformed");
  EXPECT_EQ(timed["status"], "timeout");
  EXPECT_EQ(timed["reason"], "its script exceeded RUNNER_SCRIPT_TIMEOUT of 1.0s");
  std::string log = p.log(run, "script-timeout");
  EXPECT_NE(log.find("ERROR: the script exceeded RUNNER_SCRIPT_TIMEOUT (1.0s) and was stopped"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("after_script sees timedout"), std::string::npos) << log;
  EXPECT_EQ(log.find("never"), std::string::npos) << log;
  EXPECT_EQ(job_status(run, "script-timeout-alone"), "timeout");
  EXPECT_EQ(job_status(run, "after-script-timeout"), "success");
  EXPECT_NE(p.log(run, "after-script-timeout").find("WARNING: after_script exceeded 1.0s"),
            std::string::npos)
      << p.log(run, "after-script-timeout");
  const nlohmann::json& fails = *find_job(run, "after-script-fails-job");
  EXPECT_EQ(fails["status"], "failed");
  EXPECT_EQ(fails["exit_code"], 4);
  EXPECT_NE(p.log(run, "after-script-fails-job")
                .find("after_script failed with exit code 4 (AFTER_SCRIPT_IGNORE_ERRORS is false"),
            std::string::npos);
  EXPECT_EQ(job_status(run, "after-script-ignored"), "success");
  EXPECT_EQ(job_status(run, "malformed"), "success");
  EXPECT_NE(p.log(run, "malformed")
                .find("WARNING: Ignoring malformed RUNNER_SCRIPT_TIMEOUT "
                      "timeout: 90"),
            std::string::npos);
  // Both timeouts took about their second, not the 30 s of the sleeps.
  EXPECT_LT(timed["duration_s"].get<double>(), 10.0);
  EXPECT_LT((*find_job(run, "after-script-timeout"))["duration_s"].get<double>(), 10.0);
}

TEST(GitLabRuntime, ANonParallelJobHasNodeTotalOneAndNoNodeIndex) {
  RuntimeProject p("predefined.yml");
  auto run = p.run_json();
  EXPECT_NE(p.log(run, "unit").find("total=1 index=unset"), std::string::npos);
  EXPECT_NE(p.log(run, "shard 1/2").find("shard total=2 index=1"), std::string::npos);
  EXPECT_NE(p.log(run, "shard 2/2").find("shard total=2 index=2"), std::string::npos);
}

// GitLab's examples (spec/lib/gitlab/slug/environment_spec.rb) with the real digest.
TEST(GitLabRuntime, TheEnvironmentSlugIsGitLabsWithItsSuffix) {
  RuntimeProject p("predefined.yml");
  auto run = p.run_json("review");
  EXPECT_NE(p.log(run, "review").find("slug=review-main-"), std::string::npos)
      << p.log(run, "review");
  run = p.run_json("review --var CI_COMMIT_BRANCH=feature-login");
  EXPECT_NE(p.log(run, "review").find("slug=review-feature-lo-qiv329"), std::string::npos)
      << p.log(run, "review");
}

// The slow job sleeps 30 s (SLOW_SECONDS): a run that waited for it would take that long.
TEST(GitLabRuntime, AutoCancelOnJobFailureStopsTheRunningJobsAndCancelsTheRest) {
  RuntimeProject p("auto_cancel.yml");
  auto start = std::chrono::steady_clock::now();
  auto run = p.run_json("-j 4", 1);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 20) << run.dump(1);
  EXPECT_EQ(run["status"], "failed");
  EXPECT_EQ(job_status(run, "broken"), "failed");
  // An allowed failure cancels nothing (GitLab 17.0, merge request 149854).
  EXPECT_EQ(job_status(run, "allowed"), "failed");
  EXPECT_TRUE((*find_job(run, "allowed"))["allow_failure"].get<bool>());
  EXPECT_EQ(job_status(run, "slow"), "canceled");
  EXPECT_EQ(p.log(run, "slow").find("slow finished"), std::string::npos) << p.log(run, "slow");
  EXPECT_NE(p.log(run, "slow").find("after_script sees canceled"), std::string::npos)
      << p.log(run, "slow");
  EXPECT_EQ(job_status(run, "report"), "canceled");
  const nlohmann::json& report = *find_job(run, "report");
  EXPECT_NE(report["reason"].get<std::string>().find("job 'broken' failed"), std::string::npos)
      << report;
}

TEST(GitLabRuntime, AWorkflowRulesAutoCancelOverridesTheWorkflows) {
  RuntimeProject p("auto_cancel.yml");
  auto run = p.run_json("-j 4 --var CANCEL=none --var SLOW_SECONDS=2", 1);
  EXPECT_EQ(job_status(run, "slow"), "success");
  EXPECT_NE(p.log(run, "slow").find("slow finished"), std::string::npos);
  EXPECT_NE(p.log(run, "slow").find("after_script sees success"), std::string::npos)
      << p.log(run, "slow");
  EXPECT_EQ(job_status(run, "report"), "success");
}

std::set<std::string> job_names(const nlohmann::json& run) {
  std::set<std::string> out;
  for (const auto& j : run["jobs"])
    out.insert(j["name"].get<std::string>());
  return out;
}

TEST(GitLabRuntime, ABranchOrTagGivenWithVarChoosesOnlyAndExceptRefs) {
  RuntimeProject p("refs.yml");
  EXPECT_EQ(job_names(p.run_json()), (std::set<std::string>{"build", "on-main", "not-on-tags"}));
  EXPECT_EQ(job_names(p.run_json("--var CI_COMMIT_BRANCH=release/2.0")),
            (std::set<std::string>{"build", "on-release", "not-on-tags"}));
  EXPECT_EQ(job_names(p.run_json("--var CI_COMMIT_REF_NAME=release/2.1")),
            (std::set<std::string>{"build", "on-release", "not-on-tags"}));
  auto tag = p.run_json("--var CI_COMMIT_TAG=v2.0.0");
  EXPECT_EQ(job_names(tag), (std::set<std::string>{"build", "on-tags"}));
  // The other CI_COMMIT_* variables follow: a tag pipeline has no branch.
  EXPECT_NE(p.log(tag, "on-tags").find("tag v2.0.0 on no branch ref v2.0.0"), std::string::npos)
      << p.log(tag, "on-tags");
}

TEST(GitLabRuntime, ArtifactsAndCacheUseTheJobsVariables) {
  RuntimeProject p("expansion.yml");
  auto run = p.run_json();
  EXPECT_EQ(job_status(run, "check"), "success") << p.log(run, "check");
  EXPECT_NE(p.log(run, "compile").find("Saved 1 artifact file(s) as app-main"), std::string::npos)
      << p.log(run, "compile");
  EXPECT_EQ(p.read(".tollgate/cache/deps-v1/vendor/dep.txt"), "dependency\n");
}

TEST(GitLabRuntime, ADotenvReportArrivesAsVariablesAndNoReportAsAFile) {
  RuntimeProject p("handover.yml");
  auto run = p.run_json();
  std::string log = p.log(run, "use");
  EXPECT_NE(log.find("version=1.4.2\n"), std::string::npos) << log;
  EXPECT_NE(log.find("files=a.txt b.txt c.txt notes.txt \n"), std::string::npos) << log;
  // The reports are still kept, and listed with the job that left them.
  EXPECT_EQ(p.artifact(run, "version", "junit.xml"), "<testsuites/>\n");
}

TEST(GitLabRuntime, NeedsWithArtifactsAndDependenciesIntersect) {
  RuntimeProject p("handover.yml");
  auto run = p.run_json();
  std::string log = p.log(run, "pick");
  EXPECT_NE(log.find("version=1.4.2\n"), std::string::npos) << log;
  EXPECT_NE(log.find("files=a.txt notes.txt \n"), std::string::npos) << log;
}

TEST(GitLabRuntime, CoverageIsTheLastFigureInTheLogAndIsShownAndKept) {
  RuntimeProject p("coverage.yml");
  auto run = p.run_json();
  EXPECT_EQ((*find_job(run, "test"))["coverage"], 64.85);
  EXPECT_FALSE(find_job(run, "lint")->contains("coverage"));
  auto table = p.tollgate("run");
  EXPECT_NE(table.out.find("coverage 64.85%"), std::string::npos) << table.out;
  auto db = p.sh(
      "sqlite3 .tollgate/history.db \"select name, coverage from jobs where run_id = "
      "1 order by name\"");
  EXPECT_EQ(db.out, "lint|\ntest|64.85\n");
}

}  // namespace
}  // namespace tollgate::testing
