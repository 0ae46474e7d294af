#include "runner/scheduler.h"

#include <gtest/gtest.h>

#include "pipeline/loader.h"

namespace tollgate::runner {
namespace {

using pipeline::make_plan;

struct Sim {
  pipeline::Pipeline pipeline;
  pipeline::Plan plan;
  Scheduler sched;
  std::vector<std::string> log;  // "start X", "skip X (why)", "manual X"

  explicit Sim(const std::string& yaml)
      : pipeline(pipeline::load_pipeline_text(yaml, "ci.yml", "/x")),
        plan(make_plan(pipeline, pipeline::PlanContext{})),
        sched(plan) {}

  std::vector<std::string> step() {
    std::vector<std::string> started;
    for (auto batch = sched.take_ready(); !batch.empty(); batch = sched.take_ready()) {
      for (const auto& s : batch) {
        const std::string& name = plan.jobs[s.job].job->name;
        if (s.run) started.push_back(name);
        log.push_back((s.run ? "start " : std::string(to_string(s.status)) + " ") + name +
                      (s.reason.empty() ? "" : " (" + s.reason + ")"));
      }
    }
    return started;
  }
  void finish(const std::string& name, JobStatus st, bool allowed = false) {
    sched.finish(plan.find(name), st, allowed);
  }
};

TEST(Scheduler, StageJobsWaitForEveryEarlierJobNeedsJobsOnlyForTheirNeeds) {
  Sim s(R"(
a: {stage: build, script: [x]}
b: {stage: build, script: [x]}
c: {stage: test, needs: [a], script: [x]}
d: {stage: test, script: [x]}
e: {stage: deploy, needs: [], script: [x]}
)");
  EXPECT_EQ(s.step(), (std::vector<std::string>{"a", "b", "e"}));
  s.finish("a", JobStatus::Success);
  EXPECT_EQ(s.step(), std::vector<std::string>{"c"}) << "c needs only a; d waits for b";
  s.finish("c", JobStatus::Success);
  EXPECT_TRUE(s.step().empty());
  s.finish("b", JobStatus::Success);
  EXPECT_EQ(s.step(), std::vector<std::string>{"d"});
  s.finish("d", JobStatus::Success);
  s.finish("e", JobStatus::Success);
  EXPECT_TRUE(s.sched.done());
}

TEST(Scheduler, FailurePropagatesThroughSkippedJobsToOnFailure) {
  Sim s(R"(
stages: [one, two, three, four]
a: {stage: one, script: [x]}
b: {stage: two, script: [x]}
c: {stage: three, needs: [b], script: [x]}
cleanup: {stage: four, when: on_failure, script: [x]}
always: {stage: four, when: always, script: [x]}
)");
  EXPECT_EQ(s.step(), std::vector<std::string>{"a"});
  s.finish("a", JobStatus::Failed);
  EXPECT_EQ(s.step(), (std::vector<std::string>{"cleanup", "always"}));
  EXPECT_EQ(s.sched.status(s.plan.find("b")), JobStatus::Skipped);
  EXPECT_EQ(s.sched.status(s.plan.find("c")), JobStatus::Skipped)
      << "c needs b, which was skipped by a failure";
  EXPECT_EQ(s.log[1], "skipped b (a job in an earlier stage failed)");
  EXPECT_EQ(s.log[2], "skipped c (needed job 'b' was skipped after a failure)");
}

TEST(Scheduler, OnFailureWithNeedsRunsOnlyWhenANeededJobItselfFailed) {
  // rollback needs deploy and check: it runs when check fails, and not when an earlier failure
  // skipped them both (GitLab judges a job with needs by the needed jobs' statuses alone).
  const std::string yaml = R"(
stages: [build, deploy, check, after]
build: {stage: build, script: [x]}
deploy: {stage: deploy, script: [x]}
check: {stage: check, needs: [deploy], script: [x]}
rollback: {stage: after, needs: [deploy, check], when: on_failure, script: [x]}
)";
  Sim failed_check(yaml);
  failed_check.step();
  failed_check.finish("build", JobStatus::Success);
  failed_check.step();
  failed_check.finish("deploy", JobStatus::Success);
  failed_check.step();
  failed_check.finish("check", JobStatus::Failed);
  EXPECT_EQ(failed_check.step(), std::vector<std::string>{"rollback"});

  Sim failed_build(yaml);
  failed_build.step();
  failed_build.finish("build", JobStatus::Failed);
  EXPECT_TRUE(failed_build.step().empty());
  EXPECT_EQ(failed_build.log.back(),
            "skipped rollback (needed job 'deploy' was skipped after a failure; when: on_failure "
            "needs a failure)");
  EXPECT_TRUE(failed_build.sched.done());
}

TEST(Scheduler, AllowedFailureIsNotAFailure) {
  Sim s(
      "a: {stage: build, script: [x]}\nb: {stage: test, script: [x]}\nc: {stage: deploy, when: "
      "on_failure, script: [x]}\n");
  s.step();
  s.finish("a", JobStatus::Failed, /*allowed=*/true);
  EXPECT_EQ(s.step(), std::vector<std::string>{"b"});
  s.finish("b", JobStatus::Success);
  EXPECT_TRUE(s.step().empty());
  EXPECT_EQ(s.sched.status(s.plan.find("c")), JobStatus::Skipped);
}

TEST(Scheduler, ManualJobsCountAsDone) {
  Sim s(
      "m: {stage: build, when: manual, script: [x]}\nafter: {stage: test, needs: [m], script: "
      "[x]}\n");
  EXPECT_EQ(s.step(), std::vector<std::string>{"after"});
  EXPECT_EQ(s.sched.status(s.plan.find("m")), JobStatus::Manual);
}

TEST(Scheduler, BlockingManualJobHoldsBackLaterStagesAndNeeds) {
  Sim s(R"(
stages: [one, two, three]
gate: {stage: one, when: manual, allow_failure: false, script: [x]}
other: {stage: one, script: [x]}
later: {stage: two, script: [x]}
dag: {stage: three, needs: [other], script: [x]}
)");
  EXPECT_EQ(s.step(), std::vector<std::string>{"other"});
  s.finish("other", JobStatus::Success);
  EXPECT_EQ(s.step(), std::vector<std::string>{"dag"}) << "dag does not need the gate";
  EXPECT_EQ(s.sched.status(s.plan.find("later")), JobStatus::Skipped);
}

TEST(Scheduler, LinearInJobsAndEdgesOnALongChain) {
  std::string yaml = "stages: [";
  for (int i = 0; i < 2000; ++i)
    yaml += (i ? ", s" : "s") + std::to_string(i);
  yaml += "]\n";
  for (int i = 0; i < 2000; ++i)
    yaml += "j" + std::to_string(i) + ": {stage: s" + std::to_string(i) + ", script: [x]}\n";
  Sim s(yaml);
  for (int i = 0; i < 2000; ++i) {
    auto started = s.step();
    ASSERT_EQ(started.size(), 1u);
    s.finish(started[0], JobStatus::Success);
  }
  EXPECT_TRUE(s.sched.done());
}

// A job that cannot run here (another project's pipeline) fails without running and its
// failure reaches what comes after it; allow_failure makes it a warning; a trigger GitLab does
// not wait for is skipped and holds nothing back.
TEST(Scheduler, AJobThatCannotRunHereFailsUnlessGitLabWouldNotWaitForIt) {
  Sim s(R"(
stages: [one, two, three]
other:
  stage: one
  needs: [{project: g/lib, job: package}]
  script: [x]
after-other: {stage: two, needs: [other], script: [x]}
allowed:
  stage: one
  needs: [{project: g/lib, job: package}]
  allow_failure: true
  script: [x]
after-allowed: {stage: two, needs: [allowed], script: [x]}
downstream: {stage: one, trigger: g/deploy}
after-downstream: {stage: two, needs: [downstream], script: [x]}
last: {stage: three, script: [x]}
)");
  EXPECT_EQ(s.step(), (std::vector<std::string>{"after-allowed", "after-downstream"}));
  ASSERT_EQ(s.log.size(), 6u);
  EXPECT_EQ(s.log[0],
            "failed other (cannot run here: needs job 'package' of project g/lib, which runs on "
            "GitLab, not here)");
  EXPECT_EQ(s.log[1].rfind("failed allowed (cannot run here", 0), 0u) << s.log[1];
  EXPECT_EQ(s.log[2].rfind("skipped downstream (cannot run here: it triggers a pipeline of "
                           "project g/deploy",
                           0),
            0u)
      << s.log[2];
  EXPECT_EQ(s.log[3], "skipped after-other (needed job 'other' failed)");
  s.finish("after-allowed", JobStatus::Success);
  s.finish("after-downstream", JobStatus::Success);
  EXPECT_TRUE(s.step().empty());
  EXPECT_EQ(s.log.back(), "skipped last (a job in an earlier stage failed)");
}

}  // namespace
}  // namespace tollgate::runner
