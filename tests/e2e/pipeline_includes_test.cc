// Whole-binary tests of includes from outside the project: a GitLab instance served on
// loopback (CI_SERVER_URL), the cache that makes them work offline, and what plan and run do
// when one cannot be had.
#include <gtest/gtest.h>

#include "pipeline_project.h"
#include "support/http_test_server.h"

namespace tollgate::testing {
namespace {

const char* kPipeline = R"(include:
  - template: Jobs/Lint.gitlab-ci.yml
stages: [build, test]
build:
  stage: build
  script: [echo built]
my-lint:
  extends: .lint
)";

const char* kTemplate = R"(.lint:
  stage: test
  script: [echo linted $CI_SERVER_FQDN]
)";

struct Instance {
  HttpTestServer gitlab;
  files::TempDir cache{"tollgate-e2e-cache"};
  std::string env() const {
    return "CI_SERVER_URL=" + gitlab.url() + " XDG_CACHE_HOME=" + cache.path().string();
  }
};

TEST(PipelineIncludes, ATemplateFromTheInstanceRunsAndIsThereOfflineAfterwards) {
  Instance i;
  i.gitlab.put("/api/v4/templates/gitlab_ci_ymls/Jobs%2FLint", 200,
               nlohmann::json{{"name", "Jobs/Lint"}, {"content", kTemplate}}.dump());
  PipelineProject p;
  p.write(".gitlab-ci.yml", kPipeline);
  auto run = p.tollgate("run --executor shell", i.env());
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("linted 127.0.0.1:" + std::to_string(i.gitlab.port())), std::string::npos)
      << "CI_SERVER_FQDN comes from CI_SERVER_URL\n"
      << run.out;
  EXPECT_EQ(run.err.find("warning"), std::string::npos) << run.err;
  auto offline = p.tollgate("plan --offline --format json", i.env());
  ASSERT_EQ(offline.exit_code, 0) << offline.err;
  EXPECT_EQ(i.gitlab.hits("/api/v4/templates/gitlab_ci_ymls/Jobs%2FLint"), 1u);
  EXPECT_EQ(offline.json()["warnings"], nlohmann::json::array());
  EXPECT_EQ(offline.json()["jobs"][1]["unrunnable"], nullptr);
}

// GitLab would refuse the file; tollgate says once what is missing, plans and runs the rest,
// and fails the job that needed it (it verified nothing) unless its failure is allowed.
TEST(PipelineIncludes, WithoutTheTemplateOnlyTheJobThatExtendsItCannotRun) {
  Instance i;  // nothing put: every API path answers 404
  PipelineProject p;
  p.write(".gitlab-ci.yml", kPipeline);
  auto plan = p.tollgate("plan --format json", i.env());
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.err.find("tollgate: warning: include template: Jobs/Lint.gitlab-ci.yml is left "
                          "out (HTTP 404"),
            std::string::npos)
      << plan.err;
  const nlohmann::json jobs = plan.json()["jobs"];
  EXPECT_EQ(jobs[0]["unrunnable"], nullptr);
  EXPECT_EQ(jobs[1]["unrunnable"],
            "extends '.lint', which is not defined; it may come from template: "
            "Jobs/Lint.gitlab-ci.yml, which could not be included");

  auto run = p.tollgate("run --executor shell --format json", i.env());
  EXPECT_EQ(run.exit_code, 1) << run.err;
  auto ran = run.json();
  EXPECT_EQ(ran["jobs"][0]["status"], "success");
  EXPECT_EQ(ran["jobs"][1]["status"], "failed");

  p.write(".gitlab-ci.yml", std::string(kPipeline) + "  allow_failure: true\n");
  EXPECT_EQ(p.tollgate("run --executor shell", i.env()).exit_code, 0);
}

// A child pipeline runs in its trigger job's place: made of local files and a file an earlier
// job generated, with the trigger job's variables, recorded beside its parent's runs.
TEST(ChildPipelines, RunInTheTriggerJobWithItsVariablesAndAGeneratedFile) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"(stages: [generate, trigger]
variables:
  GLOBAL: from-parent
generate:
  stage: generate
  script: ["printf 'generated:\\n  script: [echo generated runs]\\n' > gen.yml"]
  artifacts:
    paths: [gen.yml]
child:
  stage: trigger
  variables:
    GREETING: hello
  trigger:
    include:
      - local: ci/child.yml
      - artifact: gen.yml
        job: generate
    strategy: depend
)");
  p.write("ci/child.yml", R"(child-job:
  rules:
    - if: $CI_PIPELINE_SOURCE == "parent_pipeline"
  script: ['echo "child sees $GREETING $GLOBAL"']
)");
  auto run = p.tollgate("run --executor shell");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("child sees hello from-parent"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("generated runs"), std::string::npos) << run.out;
  EXPECT_TRUE(std::filesystem::exists(p.path() / ".tollgate/runs/2"))
      << "the child's run is recorded with its parent's";
  auto runs = p.sh(
      "sqlite3 .tollgate/history.db 'SELECT id, source, parent_run_id, parent_job FROM runs "
      "ORDER BY id'");
  EXPECT_EQ(runs.out, "1|push|0|\n2|parent_pipeline|1|child\n") << "the child names its parent";
}

// With strategy: depend the trigger job takes the child's status; without it the trigger job
// passes whatever the child does, as GitLab does not wait; a child that cannot start fails it.
TEST(ChildPipelines, StrategyDependTakesTheChildsStatus) {
  PipelineProject p;
  p.write("child.yml", "fails:\n  script: [exit 3]\n");
  p.write(".gitlab-ci.yml", "waits:\n  trigger:\n    include: child.yml\n    strategy: depend\n");
  EXPECT_EQ(p.tollgate("run --executor shell").exit_code, 1);
  p.write(".gitlab-ci.yml", "fire-and-forget:\n  trigger:\n    include: child.yml\n");
  auto run = p.tollgate("run --executor shell --format json");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.json()["jobs"][0]["status"], "success");
  p.write("child.yml", "broken:\n  scirpt: [x]\n");
  EXPECT_EQ(p.tollgate("run --executor shell").exit_code, 1) << "an invalid child fails it";
}

// GitLab hands a child its trigger job's variables (the globals too, unless inherit:variables
// says otherwise) and the run's own --var ones only with forward:pipeline_variables; a trigger
// job whose rules never match is just absent.
TEST(ChildPipelines, TriggerVariablesFollowInheritAndForward) {
  PipelineProject p;
  p.write("child.yml",
          "show:\n  script: ['echo \"GLOBAL=${GLOBAL:-unset} OWN=$OWN "
          "CLI=${CLI:-unset}\"']\n");
  p.write(".gitlab-ci.yml", R"(variables: {GLOBAL: g}
no-globals:
  inherit: {variables: false}
  variables: {OWN: o}
  trigger: {include: child.yml, strategy: depend}
never:
  rules: [{if: $NOPE}]
  trigger: {include: child.yml}
)");
  auto run = p.tollgate("run --executor shell --var CLI=c");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("GLOBAL=unset OWN=o CLI=unset"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("not in this pipeline: never (no rule matched)"), std::string::npos);
  p.write(".gitlab-ci.yml", R"(variables: {GLOBAL: g}
forwards:
  variables: {OWN: o}
  trigger:
    include: child.yml
    forward: {pipeline_variables: true}
)");
  run = p.tollgate("run --executor shell --var CLI=c");
  EXPECT_NE(run.out.find("GLOBAL=g OWN=o CLI=c"), std::string::npos) << run.out;
}

}  // namespace
}  // namespace tollgate::testing
