#include "pipeline/planner.h"

#include <gtest/gtest.h>

#include "pipeline/loader.h"

namespace tollgate::pipeline {
namespace {

struct Fixture {
  Pipeline pipeline;
  PlanContext ctx;
  explicit Fixture(const std::string& yaml)
      : pipeline(load_pipeline_text(yaml, "ci.yml", "/nonexistent")) {
    ctx.ref = "main";
    ctx.changes.known = true;
    ctx.variables.set("CI_COMMIT_BRANCH", "main");
  }
  Plan plan() { return make_plan(pipeline, ctx); }
};

std::vector<std::string> names(const Plan& p) {
  std::vector<std::string> out;
  for (const auto& j : p.jobs)
    out.push_back(j.job->name);
  return out;
}

TEST(Planner, FirstMatchingRuleDecides) {
  Fixture f(R"(
job:
  rules:
    - if: $CI_COMMIT_BRANCH == "dev"
    - if: $CI_COMMIT_BRANCH == "main"
      when: manual
      allow_failure: true
    - when: always
  script: [x]
)");
  Plan p = f.plan();
  ASSERT_EQ(p.jobs.size(), 1u);
  EXPECT_EQ(p.jobs[0].when, When::Manual);
  EXPECT_TRUE(p.jobs[0].allow_failure.allowed);
  EXPECT_EQ(p.jobs[0].decided_by, "rule 2: if $CI_COMMIT_BRANCH == \"main\"");
}

TEST(Planner, AutoCancelOnJobFailureComesFromTheWorkflowOrItsMatchingRule) {
  const std::string jobs = "job:\n  script: [x]\n";
  EXPECT_FALSE(Fixture(jobs).plan().cancel_on_job_failure);
  EXPECT_TRUE(Fixture("workflow:\n  auto_cancel: {on_job_failure: all}\n" + jobs)
                  .plan()
                  .cancel_on_job_failure);
  // The rule that matches overrides the workflow's setting; one that sets only on_new_commit
  // keeps it.
  const std::string workflow = R"(
workflow:
  auto_cancel: {on_job_failure: all}
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
      auto_cancel: {on_job_failure: none}
    - if: $CI_COMMIT_BRANCH == "dev"
      auto_cancel: {on_new_commit: interruptible}
    - when: always
)";
  Fixture on_main(workflow + jobs);
  EXPECT_FALSE(on_main.plan().cancel_on_job_failure);
  Fixture on_dev(workflow + jobs);
  on_dev.ctx.variables.set("CI_COMMIT_BRANCH", "dev");
  EXPECT_TRUE(on_dev.plan().cancel_on_job_failure);
  Fixture elsewhere(workflow + jobs);
  elsewhere.ctx.variables.set("CI_COMMIT_BRANCH", "feature");
  EXPECT_TRUE(elsewhere.plan().cancel_on_job_failure);
}

TEST(Planner, NoMatchingRuleLeavesTheJobOut) {
  Fixture f("job:\n  rules:\n    - if: $NOPE\n  script: [x]\n");
  Plan p = f.plan();
  EXPECT_TRUE(p.jobs.empty());
  ASSERT_EQ(p.excluded.size(), 1u);
  EXPECT_EQ(p.excluded[0].why, "no rule matched");
}

TEST(Planner, ChangesAndExists) {
  Fixture f(R"(
cart:
  rules:
    - changes: [cart/**/*]
  script: [x]
catalog:
  rules:
    - changes:
        paths: ["$SERVICE/**/*"]
  script: [x]
docker:
  rules:
    - exists: [Dockerfile]
  script: [x]
)");
  f.ctx.changes.files = {"cart/src/main.go", "README.md"};
  f.ctx.project_files = {"cart/src/main.go", "README.md"};
  f.ctx.variables.set("SERVICE", "catalog");
  EXPECT_EQ(names(f.plan()), std::vector<std::string>{"cart"});
  f.ctx.changes.files.push_back("catalog/app.py");
  f.ctx.project_files.push_back("Dockerfile");
  EXPECT_EQ(names(f.plan()), (std::vector<std::string>{"cart", "catalog", "docker"}));
  f.ctx.changes.known = false;  // no git: every changes is true
  f.ctx.changes.files.clear();
  EXPECT_EQ(names(f.plan()).size(), 3u);
}

TEST(Planner, OnlyExceptRefsAndVariables) {
  Fixture f(R"(
main_only:
  only: [main]
  script: [x]
tags_only:
  only: [tags]
  script: [x]
regex:
  only: [/^ma/]
  script: [x]
not_main:
  except: [main]
  script: [x]
vars:
  only:
    variables: [$DEPLOY == "yes"]
  script: [x]
)");
  EXPECT_EQ(names(f.plan()), (std::vector<std::string>{"main_only", "regex"}));
  f.ctx.variables.set("DEPLOY", "yes");
  EXPECT_EQ(names(f.plan()), (std::vector<std::string>{"main_only", "regex", "vars"}));
}

TEST(Planner, NeedsOnAJobThatRulesLeftOutIsAnError) {
  Fixture f(R"(
build:
  rules: [{if: $NOPE}]
  script: [x]
test:
  needs: [build]
  script: [x]
lint:
  needs: [{job: build, optional: true}]
  script: [x]
)");
  try {
    f.plan();
    FAIL();
  } catch (const ErrorList& e) {
    ASSERT_EQ(e.all().size(), 1u);
    EXPECT_NE(std::string(e.what()).find("rules or only/except left 'build' out"),
              std::string::npos);
  }
}

TEST(Planner, NeedsOnALaterStageIsAnError) {
  Fixture f(
      "a:\n  stage: build\n  needs: [b]\n  script: [x]\nb:\n  stage: deploy\n  script: [x]\n");
  EXPECT_THROW(f.plan(), ErrorList);
}

TEST(Planner, RequestedJobsKeepWhatTheyWaitFor) {
  Fixture f(R"(
stages: [build, test, deploy]
b1: {stage: build, script: [x]}
b2: {stage: build, script: [x]}
t1: {stage: test, needs: [b1], script: [x]}
t2: {stage: test, script: [x]}
d: {stage: deploy, when: manual, needs: [t1], script: [x]}
)");
  f.ctx.requested = {"d"};
  Plan p = f.plan();
  EXPECT_EQ(names(p), (std::vector<std::string>{"b1", "t1", "d"}));
  EXPECT_TRUE(p.jobs[2].run_manual);
  EXPECT_EQ(p.jobs[1].needs, std::vector<size_t>{0});
  f.ctx.requested = {"t2"};
  EXPECT_EQ(names(f.plan()), (std::vector<std::string>{"b1", "b2", "t2"}));
  f.ctx.requested = {"nope"};
  EXPECT_THROW(f.plan(), UsageError);
}

TEST(Planner, NeedsOnAParallelJobMeansEveryCopy) {
  Fixture f(
      "t:\n  stage: build\n  parallel: 2\n  script: [x]\nafter:\n  needs: [t]\n  script: [x]\n");
  Plan p = f.plan();
  ASSERT_EQ(p.jobs.size(), 3u);
  EXPECT_EQ(p.jobs[2].needs, (std::vector<size_t>{0, 1}));
}

}  // namespace
}  // namespace tollgate::pipeline
