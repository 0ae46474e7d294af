// Whole-binary tests of `tollgate run`: real pipelines run by the built binary with bash.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "pipeline_project.h"
#include "util/timefmt.h"

namespace tollgate::testing {
namespace {

using timefmt::parse_iso8601;

bool process_alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string a, b, state;
  if (!(stat >> a >> b >> state)) return false;
  return state != "Z" && state != "X";
}

TEST(PipelineRun, StagesRunInOrderAndLogsEchoCommands) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
stages: [one, two]
first:
  stage: one
  script:
    - echo hello from first
second:
  stage: two
  script:
    - echo "second sees $CI_JOB_NAME in $CI_JOB_STAGE"
)yaml");
  auto run = p.run_json();
  EXPECT_EQ(run["status"], "success");
  ASSERT_EQ(run["jobs"].size(), 2u);
  auto first_end = parse_iso8601((*find_job(run, "first"))["finished_at"].get<std::string>());
  auto second_start = parse_iso8601((*find_job(run, "second"))["started_at"].get<std::string>());
  EXPECT_LE(*first_end, *second_start);
  std::string log = p.read((*find_job(run, "second"))["log"]);
  EXPECT_NE(log.find("$ echo \"second sees $CI_JOB_NAME in $CI_JOB_STAGE\"\n"), std::string::npos)
      << log;
  EXPECT_NE(log.find("second sees second in two\n"), std::string::npos) << log;
}

TEST(PipelineRun, NeedsStartTheMomentTheirNeedsAreDoneWithoutWaves) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
slow:
  stage: build
  script: [sleep 1.5]
fast:
  stage: build
  script: ["true"]
after_fast:
  stage: test
  needs: [fast]
  script: ["true"]
after_all:
  stage: deploy
  script: ["true"]
)yaml");
  auto run = p.run_json("-j 4");
  auto slow_end = parse_iso8601((*find_job(run, "slow"))["finished_at"].get<std::string>());
  auto dag_start = parse_iso8601((*find_job(run, "after_fast"))["started_at"].get<std::string>());
  auto dag_end = parse_iso8601((*find_job(run, "after_fast"))["finished_at"].get<std::string>());
  auto last_start = parse_iso8601((*find_job(run, "after_all"))["started_at"].get<std::string>());
  EXPECT_LT(*dag_end, *slow_end) << "after_fast waited for slow, a job it does not need";
  EXPECT_LT(*dag_start, *slow_end);
  EXPECT_GE(*last_start, *slow_end) << "a stage job started before the earlier stage finished";
}

TEST(PipelineRun, FailureSkipsLaterJobsRunsOnFailureAndAlways) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
stages: [build, test, cleanup]
broken:
  stage: build
  script:
    - echo before
    - exit 3
    - echo never printed
tests:
  stage: test
  script: ["true"]
report:
  stage: cleanup
  when: on_failure
  script: [echo reporting]
tidy:
  stage: cleanup
  when: always
  script: [echo tidying]
only_on_success:
  stage: cleanup
  script: ["true"]
)yaml");
  auto run = p.run_json("", 1);
  EXPECT_EQ(run["status"], "failed");
  EXPECT_EQ(run["exit_code"], 1);
  const auto& broken = *find_job(run, "broken");
  EXPECT_EQ(broken["status"], "failed");
  EXPECT_EQ(broken["exit_code"], 3);
  EXPECT_EQ(p.read(broken["log"]).find("never printed\n"), std::string::npos);
  EXPECT_EQ(job_status(run, "tests"), "skipped");
  EXPECT_NE((*find_job(run, "tests"))["reason"].get<std::string>().find("earlier stage failed"),
            std::string::npos);
  EXPECT_EQ(job_status(run, "report"), "success");
  EXPECT_EQ(job_status(run, "tidy"), "success");
  EXPECT_EQ(job_status(run, "only_on_success"), "skipped");
}

TEST(PipelineRun, OnFailureJobIsSkippedWhenNothingFailed) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
ok:
  stage: build
  script: ["true"]
report:
  stage: test
  when: on_failure
  script: ["true"]
)yaml");
  auto run = p.run_json();
  EXPECT_EQ(job_status(run, "report"), "skipped");
}

TEST(PipelineRun, AllowFailureWithAndWithoutExitCodes) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
flaky:
  stage: build
  allow_failure: true
  script: [exit 1]
known_code:
  stage: build
  allow_failure:
    exit_codes: [42]
  script: [exit 42]
next:
  stage: test
  script: ["true"]
)yaml");
  auto run = p.run_json();
  EXPECT_EQ(run["status"], "success");
  EXPECT_EQ((*find_job(run, "flaky"))["allow_failure"], true);
  EXPECT_EQ((*find_job(run, "known_code"))["allow_failure"], true);
  EXPECT_EQ(job_status(run, "next"), "success");

  p.write(".gitlab-ci.yml", R"yaml(
other_code:
  stage: build
  allow_failure:
    exit_codes: [42]
  script: [exit 7]
next:
  stage: test
  script: ["true"]
)yaml");
  auto failed = p.run_json("", 1);
  EXPECT_EQ((*find_job(failed, "other_code"))["allow_failure"], false);
  EXPECT_EQ(job_status(failed, "next"), "skipped");
}

TEST(PipelineRun, TimeoutKillsTheWholeProcessGroup) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
hang:
  timeout: 1s
  script:
    - sleep 60 &
    - echo $! > "$TOLLGATE_SOURCE_DIR/child.pid"
    - sleep 60
  after_script:
    - echo after > "$TOLLGATE_SOURCE_DIR/after.txt"
)yaml");
  auto start = std::chrono::steady_clock::now();
  auto run = p.run_json("", 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(job_status(run, "hang"), "timeout");
  pid_t child = std::stoi(p.read("child.pid"));
  for (int i = 0; i < 50 && process_alive(child); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(process_alive(child)) << "the timed-out job's background child survived";
  EXPECT_FALSE(std::filesystem::exists(p.path() / "after.txt"))
      << "after_script ran after a timeout";
}

TEST(PipelineRun, AfterScriptRunsInANewShellWithTheJobStatusAndCannotFailTheJob) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
fails:
  script:
    - export FROM_SCRIPT=1
    - cd /
    - exit 2
  after_script:
    - echo "status=$CI_JOB_STATUS exported=${FROM_SCRIPT:-unset}"
    - if [ "$(pwd)" = "$CI_PROJECT_DIR" ]; then echo "back in the project dir"; fi
passes:
  script: ["true"]
  after_script:
    - echo "status=$CI_JOB_STATUS"
    - exit 9
)yaml");
  auto run = p.run_json("", 1);
  std::string fails_log = p.read((*find_job(run, "fails"))["log"]);
  EXPECT_NE(fails_log.find("status=failed exported=unset\n"), std::string::npos) << fails_log;
  EXPECT_NE(fails_log.find("\nback in the project dir\n"), std::string::npos) << fails_log;
  EXPECT_EQ(job_status(run, "passes"), "success");
  std::string passes_log = p.read((*find_job(run, "passes"))["log"]);
  EXPECT_NE(passes_log.find("status=success"), std::string::npos);
  EXPECT_NE(passes_log.find("after_script failed with exit code 9"), std::string::npos);
}

TEST(PipelineRun, PipefailAndErrexitAsGitLabRunsScripts) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
pipe:
  script:
    - false | true
    - echo not reached
)yaml");
  auto run = p.run_json("", 1);
  EXPECT_EQ(job_status(run, "pipe"), "failed");
  EXPECT_EQ(p.read((*find_job(run, "pipe"))["log"]).find("not reached\n"), std::string::npos);
}

TEST(PipelineRun, VariablesPrecedenceReferencesEscapesAndPredefined) {
  PipelineProject p;
  p.git_init();
  p.write(".gitlab-ci.yml", R"yaml(
variables:
  GREETING: hello
  TARGET: world
  MESSAGE: "$GREETING, ${TARGET}"
  PRICE: "$$5"
  RAW:
    value: "$GREETING"
    expand: false
show:
  variables:
    TARGET: job
  script:
    - echo "message=$MESSAGE price=$PRICE raw=$RAW cli=$FROM_CLI"
    - echo "ci=$CI gitlab=$GITLAB_CI branch=$CI_COMMIT_BRANCH ref=$CI_COMMIT_REF_NAME sha=$CI_COMMIT_SHA short=$CI_COMMIT_SHORT_SHA"
    - echo "pipeline=$CI_PIPELINE_ID project=$CI_PROJECT_NAME default=$CI_DEFAULT_BRANCH dir=$CI_PROJECT_DIR"
)yaml");
  p.commit("first");
  std::string sha = str::split_lines(p.sh("git rev-parse HEAD").out)[0];
  std::string short_sha = str::split_lines(p.sh("git rev-parse --short=8 HEAD").out)[0];
  auto run = p.run_json("--var FROM_CLI=cli --var TARGET=override");
  std::string log = p.read((*find_job(run, "show"))["log"]);
  EXPECT_NE(log.find("message=hello, override price=$5 raw=$GREETING cli=cli"), std::string::npos)
      << log;
  EXPECT_NE(log.find("ci=true gitlab=true branch=main ref=main sha=" + sha + " short=" + short_sha),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("pipeline=" + std::to_string(run["id"].get<int>()) +
                     " project=" + p.path().filename().string() + " default=main"),
            std::string::npos)
      << log;
  // The job ran in its own copy of the project, not in the working tree.
  EXPECT_EQ(log.find("dir=" + p.path().string() + "\n"), std::string::npos) << log;
}

// A job calls the gates of the tollgate that runs it, whatever PATH held before.
TEST(PipelineRun, JobsFindTheRunningTollgateFirstOnPath) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
gate:
  script:
    - echo "found=$(command -v tollgate) self=$TOLLGATE_BIN"
    - tollgate --version
)yaml");
  auto run = p.run_json();
  ASSERT_EQ(run["status"], "success") << run.dump();
  std::string log = p.read((*find_job(run, "gate"))["log"]);
  std::string self = std::filesystem::canonical(testing::tollgate_binary()).string();
  EXPECT_NE(log.find("found=" + self + " self=" + self + "\n"), std::string::npos) << log;
  EXPECT_NE(log.find("tollgate 0."), std::string::npos) << log;
}

TEST(PipelineRun, JobsRunInFreshCopiesAndOnlyArtifactsAndDotenvTravel) {
  PipelineProject p;
  p.write("src/app.txt", "source\n");
  p.write(".gitlab-ci.yml", R"yaml(
make:
  stage: build
  script:
    - echo built > out.bin
    - echo leftover > scratch.txt
    - echo changed >> src/app.txt
    - echo "VERSION=1.2.3" > build.env
    - echo "VERSION=1.2.4" >> build.env
  artifacts:
    paths: [out.bin]
    reports:
      dotenv: build.env
use:
  stage: test
  script:
    - cat out.bin
    - test ! -e scratch.txt
    - echo "version=$VERSION"
    - cat src/app.txt
no_artifacts:
  stage: test
  dependencies: []
  script:
    - test ! -e out.bin
    - echo "version=${VERSION:-none}"
)yaml");
  auto run = p.run_json();
  std::string log = p.read((*find_job(run, "use"))["log"]);
  EXPECT_NE(log.find("\nbuilt\n"), std::string::npos) << log;
  EXPECT_NE(log.find("version=1.2.4"), std::string::npos) << "last duplicate wins: " << log;
  EXPECT_EQ(log.find("changed"), std::string::npos) << "a job's edit leaked into the next job";
  EXPECT_EQ(p.read("src/app.txt"), "source\n") << "a job changed the working tree";
  EXPECT_FALSE(std::filesystem::exists(p.path() / "out.bin"));
  EXPECT_NE(p.read((*find_job(run, "no_artifacts"))["log"]).find("version=none"),
            std::string::npos);
  EXPECT_TRUE(
      std::filesystem::exists(p.path() / ".tollgate/runs" / std::to_string(run["id"].get<int>()) /
                              "artifacts/make/out.bin"));
}

TEST(PipelineRun, InPlaceRunsInTheWorkingTree) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", "touch:\n  script: [touch made-here]\n");
  p.run_json("--in-place");
  EXPECT_TRUE(std::filesystem::exists(p.path() / "made-here"));
}

TEST(PipelineRun, ManualJobsWaitUntilNamedAndCountAsDone) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
build:
  stage: build
  script: [echo build]
deploy:
  stage: deploy
  when: manual
  script: [echo deploying]
after:
  stage: .post
  script: [echo after]
)yaml");
  auto run = p.run_json();
  EXPECT_EQ(job_status(run, "deploy"), "manual");
  EXPECT_EQ(job_status(run, "after"), "success") << "a manual job must count as done";
  auto named = p.run_json("deploy");
  EXPECT_EQ(job_status(named, "deploy"), "success");
  EXPECT_EQ(job_status(named, "build"), "success") << "what deploy waits for runs too";
  EXPECT_EQ(find_job(named, "after"), nullptr) << "jobs after the named one are not run";
}

TEST(PipelineRun, OnlyChangesFollowsGitChangesAndChangesSince) {
  PipelineProject p;
  p.git_init();
  p.write("cart/main.go", "package main\n");
  p.write("catalog/app.py", "print(1)\n");
  p.write(".gitlab-ci.yml", R"yaml(
build:cart:
  only:
    changes: [cart/**/*]
  script: [echo cart]
build:catalog:
  only:
    changes:
      - catalog/**/*
  script: [echo catalog]
docs:
  except:
    changes: ["**/*.md"]
  script: [echo docs]
)yaml");
  p.commit("first");
  p.write("cart/main.go", "package main // edit\n");
  p.write("README.md", "readme\n");
  p.commit("edit cart");
  auto run = p.run_json();
  EXPECT_EQ(job_status(run, "build:cart"), "success");
  EXPECT_EQ(find_job(run, "build:catalog"), nullptr) << "catalog did not change";
  EXPECT_EQ(find_job(run, "docs"), nullptr) << "except:changes matched README.md";
  auto since_first = p.run_json("--changes-since HEAD~1 build:cart");
  EXPECT_EQ(since_first["jobs"].size(), 1u);
  // An untracked file counts as a change too.
  p.write("catalog/new.py", "x\n");
  auto untracked = p.run_json();
  EXPECT_EQ(job_status(untracked, "build:catalog"), "success");
  auto bad = p.tollgate("run --changes-since no-such-rev");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("no-such-rev"), std::string::npos);
}

TEST(PipelineRun, RulesDecideWhenAndVariables) {
  PipelineProject p;
  p.git_init();
  p.write(".gitlab-ci.yml", R"yaml(
deploy:
  rules:
    - if: $CI_COMMIT_BRANCH == "main" && $DEPLOY != "no"
      variables:
        TARGET: production
    - when: never
  script: [echo "target=$TARGET"]
feature:
  rules:
    - if: $CI_COMMIT_BRANCH =~ /^feature\//
  script: ["true"]
)yaml");
  p.commit("first");
  auto run = p.run_json();
  EXPECT_NE(p.read((*find_job(run, "deploy"))["log"]).find("target=production"), std::string::npos);
  EXPECT_EQ(find_job(run, "feature"), nullptr);
  auto vetoed = p.run_json("--var DEPLOY=no", 0);
  EXPECT_EQ(find_job(vetoed, "deploy"), nullptr);
}

TEST(PipelineRun, RetryRerunsAndMarksAttempts) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
flaky:
  retry: 2
  script:
    - n=$(cat "$TOLLGATE_SOURCE_DIR/count" 2>/dev/null || echo 0)
    - echo $((n + 1)) > "$TOLLGATE_SOURCE_DIR/count"
    - test "$n" -ge 1
)yaml");
  auto run = p.run_json();
  const auto& j = *find_job(run, "flaky");
  EXPECT_EQ(j["status"], "success");
  EXPECT_EQ(j["attempts"], 2);
  std::string log = p.read(j["log"]);
  EXPECT_NE(log.find("--- attempt 1 of 3 ---"), std::string::npos);
  EXPECT_NE(log.find("--- attempt 2 of 3 ---"), std::string::npos);
  EXPECT_EQ(log.find("--- attempt 3 of 3 ---"), std::string::npos);
}

TEST(PipelineRun, EnvironmentIsExposedAndRecordedInHistory) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
deploy:staging:
  stage: deploy
  environment:
    name: staging/$CI_JOB_STAGE
    url: https://staging.example.com
  script:
    - echo "env=$CI_ENVIRONMENT_NAME slug=$CI_ENVIRONMENT_SLUG url=$CI_ENVIRONMENT_URL tier=$CI_ENVIRONMENT_TIER"
# A URL known only once deployed comes from the job's own dotenv report, as on GitLab.
review:
  stage: deploy
  environment:
    name: review
    url: $DYNAMIC_URL
  script:
    - echo "DYNAMIC_URL=http://127.0.0.1:4242" > deploy.env
  artifacts:
    reports:
      dotenv: deploy.env
)yaml");
  auto run = p.run_json();
  std::string log = p.read((*find_job(run, "deploy:staging"))["log"]);
  EXPECT_NE(log.find("env=staging/deploy slug=staging-deploy-i0gd3r "
                     "url=https://staging.example.com tier=staging"),
            std::string::npos)
      << log;
  auto db = p.sh(
      "sqlite3 .tollgate/history.db \"select r.status, j.name, j.environment_name, "
      "j.environment_url "
      "from runs r join jobs j on j.run_id = r.id order by j.name\"");
  EXPECT_EQ(db.out,
            "success|deploy:staging|staging/deploy|https://staging.example.com\n"
            "success|review|review|http://127.0.0.1:4242\n");
}

// `tollgate run ARGS` in p's directory, output discarded, for a test to signal: its pid.
pid_t start_run_in_background(const PipelineProject& p, const std::vector<std::string>& args) {
  std::string bin = tollgate_binary().string();
  std::vector<std::string> argv = {"tollgate", "run"};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> raw;
    for (auto& a : argv)
      raw.push_back(a.data());
    raw.push_back(nullptr);
    if (chdir(p.path().c_str()) != 0) _exit(126);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execv(bin.c_str(), raw.data());
    _exit(127);
  }
  return pid;
}

TEST(PipelineRun, InterruptKillsRunningJobsAndLeavesNoOrphans) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
long:
  script:
    - sleep 120 &
    - echo $! > "$TOLLGATE_SOURCE_DIR/child.pid"
    - sleep 120
)yaml");
  pid_t pid = start_run_in_background(p, {});
  for (int i = 0; i < 200 && !std::filesystem::exists(p.path() / "child.pid"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(std::filesystem::exists(p.path() / "child.pid"));
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  pid_t child = std::stoi(p.read("child.pid"));
  for (int i = 0; i < 50 && process_alive(child); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(process_alive(child)) << "a job's child outlived tollgate";
  auto db = p.sh(
      "sqlite3 .tollgate/history.db \"select r.status, j.status from runs r join jobs j on "
      "j.run_id = r.id\"");
  EXPECT_EQ(db.out, "canceled|canceled\n");
}

// kill -9 of tollgate used to leave every job process running, the run 'running' in the history
// forever and its workspaces on disk.
TEST(PipelineRun, AfterKill9TheJobsDieAndTheNextRunClosesTheKilledOne) {
  namespace fs = std::filesystem;
  PipelineProject p;
  const std::string job = R"yaml(
  script:
    - sleep 120 &
    - echo $! > "$TOLLGATE_SOURCE_DIR/$CI_JOB_NAME-child.pid"
    - echo $$ > "$TOLLGATE_SOURCE_DIR/$CI_JOB_NAME.pid"
    - sleep 120
)yaml";
  p.write(".gitlab-ci.yml", "a:" + job + "b:" + job + "c:\n  needs: [a]\n  script: [echo]\n");
  pid_t pid = start_run_in_background(p, {"-j", "2"});
  const std::vector<std::string> files = {"a.pid", "a-child.pid", "b.pid", "b-child.pid"};
  auto all_written = [&] {
    return std::all_of(files.begin(), files.end(),
                       [&](const std::string& f) { return fs::exists(p.path() / f); });
  };
  for (int i = 0; i < 400 && !all_written(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_TRUE(all_written());
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);

  for (const auto& f : files) {
    pid_t job_process = std::stoi(p.read(f));
    for (int i = 0; i < 100 && process_alive(job_process); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_FALSE(process_alive(job_process)) << f << " outlived a killed tollgate";
  }
  EXPECT_EQ(p.sh("sqlite3 .tollgate/history.db \"select status from runs\"").out, "running\n");
  EXPECT_TRUE(fs::exists(p.path() / ".tollgate/builds/1"));

  // The next run closes the killed one: canceled, its unfinished jobs too, workspaces gone.
  p.write(".gitlab-ci.yml", "quick:\n  script: [echo]\n");
  p.run_json();
  auto db = p.sh(
      "sqlite3 .tollgate/history.db \"select r.id, r.status, j.name, j.status from runs r join "
      "jobs j on j.run_id = r.id order by r.id, j.name; pragma integrity_check\"");
  EXPECT_EQ(db.out,
            "1|canceled|a|canceled\n1|canceled|b|canceled\n1|canceled|c|canceled\n"
            "2|success|quick|success\nok\n");
  EXPECT_EQ(p.sh("sqlite3 .tollgate/history.db \"select distinct reason from jobs where run_id "
                 "= 1\"")
                .out,
            "tollgate ended before this job did (killed or crashed); the next run marked it "
            "canceled\n");
  EXPECT_FALSE(fs::exists(p.path() / ".tollgate/builds/1"));
}

TEST(PipelineRun, LiveBoardOnATerminal) {
  ASSERT_TRUE(have_program("script")) << "script(1) from util-linux is needed for a pty";
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
stages: [build, test]
compile:
  stage: build
  script: [sleep 0.4]
unit:
  stage: test
  script: [exit 3]
)yaml");
  auto r = p.sh("script -qec '" + tollgate_binary().string() + " run' /dev/null");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("build 0/1"), std::string::npos)
      << "per-stage progress while running: " << r.out;
  EXPECT_NE(r.out.find("compile"), std::string::npos);
  EXPECT_NE(r.out.find("\033[J"), std::string::npos) << "the live area is redrawn in place";
  EXPECT_NE(r.out.find("unit"), std::string::npos);
  EXPECT_NE(r.out.find("failed with exit code 3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("full log: .tollgate/runs/1/unit.log"), std::string::npos) << r.out;
}

TEST(PipelineRun, PlainOutputPrefixesLinesAndEndsWithATable) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", "build:cart:\n  stage: build\n  script: [echo compiled]\n");
  auto r = p.tollgate("run");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("build:cart | $ echo compiled\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("build:cart | compiled\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("JOB"), std::string::npos);
  EXPECT_NE(r.out.find("pipeline #1 passed"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\033["), std::string::npos) << "colour off a terminal";
}

}  // namespace
}  // namespace tollgate::testing
