// Whole-binary tests of the GitLab CI semantics beyond the basics: secrets, inheritance,
// workflow rules, resource groups, caches, rule needs, matrix needs and report listing.
#include <gtest/gtest.h>

#include <set>

#include "pipeline_project.h"
#include "util/timefmt.h"

namespace tollgate::testing {
namespace {

using timefmt::parse_iso8601;

TEST(PipelineSemantics, MaskedVariablesNeverReachLogsOrReports) {
  PipelineProject p;
  p.write(".tollgate/variables",
          "DEPLOY_TOKEN:\n  value: tok-5ecret-value\n  masked: true\nREGION: eu-west-1\n");
  p.write(".gitlab-ci.yml", R"yaml(
leak:
  environment:
    name: review
    url: https://deploy:$DEPLOY_TOKEN@review.example.com/
  script:
    - echo "token=$DEPLOY_TOKEN region=$REGION cli=$CLI_SECRET"
    - echo "$CLI_SECRET" > secret.txt
  artifacts:
    paths: [secret.txt]
)yaml");
  auto r = p.tollgate("run --var-masked CLI_SECRET=hunter2-long");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The environment's URL names the secret: masked in the table, the JSON and the history.
  auto j = p.tollgate("run --format json --var-masked CLI_SECRET=hunter2-long");
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_EQ(j.out.find("tok-5ecret-value"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("https://deploy:[MASKED]@review.example.com/"), std::string::npos) << j.out;
  EXPECT_EQ(p.tollgate("env list").out.find("tok-5ecret-value"), std::string::npos);
  EXPECT_EQ(r.out.find("tok-5ecret-value"), std::string::npos);
  EXPECT_EQ(r.out.find("hunter2-long"), std::string::npos);
  EXPECT_NE(r.out.find("token=[MASKED] region=eu-west-1 cli=[MASKED]"), std::string::npos) << r.out;
  std::string log = p.read(".tollgate/runs/1/leak.log");
  EXPECT_EQ(log.find("hunter2-long"), std::string::npos);
  EXPECT_EQ(log.find("tok-5ecret-value"), std::string::npos);
  auto db = p.sh("sqlite3 .tollgate/history.db .dump");
  EXPECT_EQ(db.out.find("hunter2-long"), std::string::npos);
  EXPECT_EQ(db.out.find("tok-5ecret-value"), std::string::npos);
}

// GitLab's rule for what can be masked: masking works line by line in what a job prints, so a
// value across lines would show, and a short one would mask every such pair in the log.
TEST(PipelineSemantics, AValueThatCannotBeMaskedIsRefusedNotPrinted) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", "job: {script: [echo hi]}\n");
  p.write(".tollgate/variables", "PIN:\n  value: '42'\n  masked: true\n");
  auto r = p.tollgate("run");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(".tollgate/variables:1:1: variable PIN cannot be masked: it has 2 "
                       "characters, fewer than 8"),
            std::string::npos)
      << r.err;
  p.write(".tollgate/variables", "KEY:\n  value: \"line one\\nline two\"\n  masked: true\n");
  r = p.tollgate("run");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("holds a space, a line break"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("line one"), std::string::npos) << "the value itself is never shown";
  p.write(".tollgate/variables", "KEY:\n  value: 'pa$$w0rd!x'\n  masked: true\n  expand: false\n");
  EXPECT_EQ(p.tollgate("run").exit_code, 0) << "a raw value may hold any non-space characters";
  r = p.tollgate("run --var-masked TOKEN=abc");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--var-masked TOKEN cannot be masked"), std::string::npos) << r.err;
}

// A job name longer than a file name may be: its log and workspace get a shortened name.
TEST(PipelineSemantics, AJobNameLongerThanAFileNameRuns) {
  PipelineProject p;
  // GitLab's longest job name, 255 characters: with ".log" it is too long for a file name.
  std::string name = "verify " + std::string(248, 'x');
  p.write(".gitlab-ci.yml", name + ":\n  script: [echo long-name-ran]\n");
  auto r = p.tollgate("run --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json run = r.json();
  EXPECT_EQ(job_status(run, name), "success");
  EXPECT_NE(p.read((*find_job(run, name))["log"].get<std::string>()).find("long-name-ran"),
            std::string::npos);
}

TEST(PipelineSemantics, InheritVariablesAndWorkflowRuleVariables) {
  PipelineProject p;
  p.git_init();
  p.write(".gitlab-ci.yml", R"yaml(
workflow:
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
      variables:
        DEPLOY_ENV: production
    - when: always
variables:
  A: a
  B: b
all:
  script:
    - echo "A=$A B=${B:-none} env=$DEPLOY_ENV"
some:
  inherit:
    variables: [A]
  script:
    - echo "A=$A B=${B:-none}"
none:
  inherit:
    variables: false
  script:
    - echo "A=${A:-none} B=${B:-none}"
)yaml");
  p.commit("first");
  auto run = p.run_json();
  EXPECT_NE(p.read((*find_job(run, "all"))["log"]).find("A=a B=b env=production"),
            std::string::npos);
  EXPECT_NE(p.read((*find_job(run, "some"))["log"]).find("A=a B=none"), std::string::npos);
  EXPECT_NE(p.read((*find_job(run, "none"))["log"]).find("A=none B=none"), std::string::npos);
}

TEST(PipelineSemantics, WorkflowRulesCanPreventThePipeline) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", "workflow:\n  rules:\n    - if: $RUN_IT\njob:\n  script: [\"true\"]\n");
  auto r = p.tollgate("run --format json");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.err.find("no pipeline created"), std::string::npos) << r.err;
  EXPECT_EQ(p.run_json("--var RUN_IT=1")["jobs"].size(), 1u);
}

TEST(PipelineSemantics, ResourceGroupSerialisesJobs) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
deploy_a:
  resource_group: staging
  script: [sleep 0.5]
deploy_b:
  resource_group: staging
  script: [sleep 0.5]
free:
  script: [sleep 0.5]
)yaml");
  auto run = p.run_json("-j 3");
  auto a = *find_job(run, "deploy_a");
  auto b = *find_job(run, "deploy_b");
  auto a_end = *parse_iso8601(a["finished_at"].get<std::string>());
  auto b_start = *parse_iso8601(b["started_at"].get<std::string>());
  EXPECT_LE(a_end, b_start) << "two jobs of one resource_group overlapped";
  auto free_start = *parse_iso8601((*find_job(run, "free"))["started_at"].get<std::string>());
  EXPECT_LT(free_start, a_end) << "a job without the group waited for it";
}

TEST(PipelineSemantics, CacheIsKeptBetweenRunsByKey) {
  PipelineProject p;
  p.write("deps.lock", "v1\n");
  p.write(".gitlab-ci.yml", R"yaml(
install:
  cache:
    key:
      files: [deps.lock]
      prefix: deps
    paths: [vendor/]
  script:
    - if [ -f vendor/lib.txt ]; then echo "cache hit $(cat vendor/lib.txt)"; else echo "cache miss"; fi
    - mkdir -p vendor && echo "built-$CI_PIPELINE_ID" > vendor/lib.txt
)yaml");
  auto first = p.run_json();
  EXPECT_NE(p.read((*find_job(first, "install"))["log"]).find("cache miss"), std::string::npos);
  auto second = p.run_json();
  EXPECT_NE(p.read((*find_job(second, "install"))["log"]).find("cache hit built-1"),
            std::string::npos);
  p.write("deps.lock", "v2\n");
  auto third = p.run_json();
  EXPECT_NE(p.read((*find_job(third, "install"))["log"]).find("cache miss"), std::string::npos)
      << "a new lock file must give a new cache key";
}

TEST(PipelineSemantics, RuleNeedsAndMatrixNeeds) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
stages: [build, test]
build:
  stage: build
  parallel:
    matrix:
      - OS: [linux, mac]
  script: [echo "built $OS" > "out-$OS.txt"]
  artifacts:
    paths: ["out-*.txt"]
slow:
  stage: build
  script: [sleep 1]
linux_test:
  stage: test
  needs:
    - job: build
      parallel:
        matrix:
          - OS: linux
  script:
    - cat out-linux.txt
    - test ! -e out-mac.txt
quick:
  stage: test
  rules:
    - if: $FAST
      needs: []
    - when: on_success
  script: ["true"]
)yaml");
  auto run = p.run_json("-j 4 --var FAST=1");
  std::string log = p.read((*find_job(run, "linux_test"))["log"]);
  EXPECT_NE(log.find("built linux"), std::string::npos) << log;
  auto quick_start = *parse_iso8601((*find_job(run, "quick"))["started_at"].get<std::string>());
  auto slow_end = *parse_iso8601((*find_job(run, "slow"))["finished_at"].get<std::string>());
  EXPECT_LT(quick_start, slow_end) << "rules:needs: [] must let quick start at once";
}

TEST(PipelineSemantics, ReportsAreListedPerJob) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
scan:
  script:
    - echo '<testsuites/>' > junit.xml
    - echo '{}' > gl-container-scanning-report.json
  artifacts:
    reports:
      junit: junit.xml
      container_scanning: gl-container-scanning-report.json
)yaml");
  auto run = p.run_json();
  const auto& reports = (*find_job(run, "scan"))["reports"];
  ASSERT_EQ(reports.size(), 2u) << run.dump(2);
  std::set<std::string> types;
  for (const auto& r : reports) {
    types.insert(r["type"].get<std::string>());
    EXPECT_TRUE(std::filesystem::exists(p.path() / r["path"].get<std::string>())) << r;
  }
  EXPECT_EQ(types, (std::set<std::string>{"junit", "container_scanning"}));
}

TEST(PipelineSemantics, DotenvReportsFollowGitLabsLimits) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
too_many:
  script:
    - for i in $(seq 1 21); do echo "V$i=x" >> vars.env; done
  artifacts:
    reports:
      dotenv: vars.env
commented:
  script:
    - printf '# a comment\nA=1\n' > vars.env
  artifacts:
    reports:
      dotenv: vars.env
fine:
  script:
    - for i in $(seq 1 20); do echo "V$i=x" >> vars.env; done
  artifacts:
    reports:
      dotenv: vars.env
)yaml");
  auto run = p.run_json("", 1);
  EXPECT_EQ(job_status(run, "too_many"), "failed");
  EXPECT_NE(p.read((*find_job(run, "too_many"))["log"]).find("at most 20"), std::string::npos);
  EXPECT_EQ(job_status(run, "commented"), "failed");
  EXPECT_NE((*find_job(run, "commented"))["reason"].get<std::string>().find("vars.env:1:1"),
            std::string::npos);
  EXPECT_EQ(job_status(run, "fine"), "success");
}

}  // namespace
}  // namespace tollgate::testing
