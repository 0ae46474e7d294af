// Whole-binary tests of the container executor on this machine's real podman: jobs in their
// images, services, Docker-in-Docker, pull policies, and that nothing is left behind after a
// timeout, Ctrl-C or a killed tollgate. The images come from containers/build-test-images.sh
// (busybox-static and this machine's bash and docker CLI: no registry is reachable here).
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <thread>

#include "pipeline_project.h"
#include "util/hash.h"

namespace tollgate::testing {
namespace {

const std::string kBusybox = "localhost/tollgate-test/busybox:1";

// A job that says so once it runs, then sleeps, beside a service: something to interrupt.
const std::string kSleepingJobWithAService = R"yaml(
slow:
  image: localhost/tollgate-test/busybox:1
  services:
    - name: localhost/tollgate-test/busybox:1
      command: ["sh", "-c", "mkdir /w; exec httpd -f -p 80 -h /w"]
  script:
    - echo sleeping now
    - sleep 60
)yaml";

std::string source_dir() {
  const char* s = std::getenv("TOLLGATE_SOURCE_DIR");
  return s ? s : ".";
}

// How many objects of a kind the engine holds: "containers", "networks" and "pods" of the
// project's runs (their names start with tollgate-<hash of the project dir>-; other tests' pods
// come and go meanwhile), or "volumes" (all: nothing else here makes any).
int engine_objects(const std::string& kind, const std::filesystem::path& project) {
  std::string mine = "--filter name=^tollgate-" + hash::sha256_hex(project.string()).substr(0, 8);
  std::string list = kind == "containers" ? "podman ps -a -q " + mine
                     : kind == "networks" ? "podman network ls -q " + mine
                     : kind == "volumes"  ? "podman volume ls -q"
                                          : "podman pod ls -q " + mine;
  CommandResult r = shell(list + " | wc -l");
  if (r.exit_code != 0) throw std::runtime_error(list + ": " + r.out);
  return std::stoi(r.out);
}

struct EngineCensus {
  int containers, networks, volumes, pods;
  static EngineCensus take(const PipelineProject& p) {
    return {engine_objects("containers", p.path()), engine_objects("networks", p.path()),
            engine_objects("volumes", p.path()), engine_objects("pods", p.path())};
  }
  bool operator==(const EngineCensus&) const = default;
};

std::ostream& operator<<(std::ostream& os, const EngineCensus& c) {
  return os << c.containers << " containers, " << c.networks << " networks, " << c.volumes
            << " volumes, " << c.pods << " pods";
}

class ContainerExecutor : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    CommandResult r = shell(source_dir() + "/tests/e2e/containers/build-test-images.sh 2>&1");
    ASSERT_EQ(r.exit_code, 0) << "the test images could not be built (podman must work here: "
                                 "scripts/install-deps.sh sets it up):\n"
                              << r.out;
  }

  // Runs tollgate in the background, waits until the job's log shows `ready` (the log is
  // written line by line as the job prints), then sends the signal; returns the seconds from the
  // signal until tollgate exited, and its exit code.
  std::pair<double, int> signal_during_job(PipelineProject& p, const std::string& signal,
                                           const std::string& ready) {
    std::string script = tollgate_binary().string() + " run > out.txt 2> err.txt & pid=$!\n" +
                         "for i in $(seq 600); do grep -qs '" + ready +
                         "' .tollgate/runs/1/*.log && break; sleep 0.05; done\n" + "grep -qs '" +
                         ready + "' .tollgate/runs/1/*.log || exit 99\n" +
                         "start=$(date +%s.%N); kill -" + signal + " $pid; wait $pid; rc=$?\n" +
                         "end=$(date +%s.%N); echo \"$(echo \"$end - $start\" | bc -l) $rc\"";
    CommandResult r = p.sh(script);
    EXPECT_NE(r.exit_code, 99) << "the job never printed '" << ready << "'";
    double seconds = 0;
    int rc = -1;
    std::istringstream(r.out) >> seconds >> rc;
    return {seconds, rc};
  }
};

TEST_F(ContainerExecutor, JobRunsInItsImageWithItsVariablesAndHandsOnArtifacts) {
  PipelineProject p;
  files::TempDir host_only("tollgate-host-only");
  p.write(".gitlab-ci.yml", R"yaml(
stages: [build, test]
variables:
  GREETING: hello
build:
  stage: build
  image: localhost/tollgate-test/busybox:1
  variables:
    TARGET: world
  script:
    - cat /etc/tollgate-test-image
    - test ! -e )yaml" + host_only.path().string() +
                                R"yaml( && echo "host dir absent"
    - echo "$GREETING $TARGET in $(pwd) = $CI_PROJECT_DIR under $CI_BUILDS_DIR"
    - echo "secret is $SECRET"
    - test -z "${BASH_VERSION:-}" && echo "shell is sh"
    - mkdir -p out && echo "made in build" > out/result.txt
  artifacts:
    paths: [out/]
test:
  stage: test
  image: localhost/tollgate-test/bash:1
  script:
    - cat out/result.txt
    - echo "bash ${BASH_VERSION%%.*}"
)yaml");
  auto r = p.tollgate("run --format json --executor podman --var-masked SECRET=hunter22");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto run = r.json();
  std::string build = p.read((*find_job(run, "build"))["log"]);
  std::string project = "/builds/local/" + p.path().filename().string();
  EXPECT_NE(build.find("Running with podman: localhost/tollgate-test/busybox:1"), std::string::npos)
      << build;
  EXPECT_NE(build.find("\nbusybox\n"), std::string::npos) << "the image's own file: " << build;
  EXPECT_NE(build.find("host dir absent"), std::string::npos) << build;
  EXPECT_NE(build.find("hello world in " + project + " = " + project + " under /builds"),
            std::string::npos)
      << build;
  EXPECT_NE(build.find("secret is [MASKED]"), std::string::npos) << build;
  EXPECT_EQ(build.find("hunter22"), std::string::npos) << build;
  EXPECT_NE(build.find("shell is sh"), std::string::npos) << build;
  std::string test = p.read((*find_job(run, "test"))["log"]);
  EXPECT_NE(test.find("made in build"), std::string::npos) << test;
  EXPECT_NE(test.find("bash 5"), std::string::npos) << "bash is picked when present: " << test;
  EXPECT_EQ(EngineCensus::take(p).containers, 0);
}

TEST_F(ContainerExecutor, FileTypeVariablesAreFilesBesideTheProjectInTheContainerAndOnTheShell) {
  PipelineProject p;
  p.write(".tollgate/variables", R"yaml(
DEPLOY_KEY:
  value: "line one\nit's line two"
  variable_type: file
)yaml");
  p.write(".gitlab-ci.yml", R"yaml(
in-container:
  image: localhost/tollgate-test/busybox:1
  script:
    - echo "path $DEPLOY_KEY"
    - cat "$DEPLOY_KEY"
    - stat -c 'mode %a' "$DEPLOY_KEY"
on-shell:
  script:
    - cat "$DEPLOY_KEY"
    - echo "next to the project $(test "$DEPLOY_KEY" = "$CI_PROJECT_DIR.tmp/DEPLOY_KEY" && echo yes)"
)yaml");
  auto run = p.run_json("--executor podman");
  std::string in = p.read((*find_job(run, "in-container"))["log"]);
  std::string project = "/builds/local/" + p.path().filename().string();
  EXPECT_NE(in.find("path " + project + ".tmp/DEPLOY_KEY\n"), std::string::npos) << in;
  EXPECT_NE(in.find("line one\nit's line two"), std::string::npos) << in;
  EXPECT_NE(in.find("mode 600"), std::string::npos) << in;
  std::string shell_log = p.read((*find_job(run, "on-shell"))["log"]);
  EXPECT_NE(shell_log.find("line one\nit's line two"), std::string::npos) << shell_log;
  EXPECT_NE(shell_log.find("next to the project yes"), std::string::npos) << shell_log;
}

TEST_F(ContainerExecutor, ServicesAnswerByDerivedNameAndAliasAndALateOneIsWaitedFor) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
job:
  image: localhost/tollgate-test/busybox:1
  variables:
    WHO: the job
  services:
    - name: localhost/tollgate-test/busybox:1
      alias: web,www
      command: ["sh", "-c", "mkdir /w && echo \"served for $WHO\" > /w/index.html && exec httpd -f -p 80 -h /w"]
    - name: localhost/tollgate-test/busybox:1
      alias: late
      variables:
        WHO: the late service
      command: ["sh", "-c", "sleep 2; mkdir /w && echo \"late for $WHO\" > /w/index.html && exec httpd -f -p 80 -h /w"]
  script:
    - wget -q -O- http://web/
    - wget -q -O- http://www/
    - wget -q -O- http://localhost__tollgate-test__busybox/ | grep -q . && echo "derived __ name answers"
    - wget -q -O- http://localhost-tollgate-test-busybox/ | grep -q . && echo "derived - name answers"
    - wget -q -O- http://late/
)yaml");
  EngineCensus before = EngineCensus::take(p);
  auto r = p.tollgate("run --format json --executor podman");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string log = p.read((*find_job(r.json(), "job"))["log"]);
  size_t web = log.find("$ wget -q -O- http://web/\nserved for the job\n");
  EXPECT_NE(web, std::string::npos) << log;
  EXPECT_NE(log.find("$ wget -q -O- http://www/\nserved for the job\n", web), std::string::npos)
      << log;
  EXPECT_NE(log.find("derived __ name answers"), std::string::npos) << log;
  EXPECT_NE(log.find("derived - name answers"), std::string::npos) << log;
  EXPECT_NE(log.find("late for the late service"), std::string::npos) << log;
  EXPECT_EQ(EngineCensus::take(p), before);
}

TEST_F(ContainerExecutor, AServiceThatExitsFailsTheJobWithItsLastLogLines) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
job:
  image: localhost/tollgate-test/busybox:1
  services:
    - name: localhost/tollgate-test/busybox:1
      alias: db
      command: ["sh", "-c", "echo 'db: bad config on line 7'; exit 1"]
  script: [echo never here]
)yaml");
  auto run = p.run_json("--executor podman", 1);
  const auto& job = *find_job(run, "job");
  EXPECT_EQ(job["status"], "failed");
  std::string reason = job["reason"];
  EXPECT_NE(reason.find("service 'localhost/tollgate-test/busybox:1' exited"), std::string::npos)
      << reason;
  EXPECT_NE(reason.find("db: bad config on line 7"), std::string::npos) << reason;
  EXPECT_EQ(p.read(job["log"]).find("never here"), std::string::npos);
}

TEST_F(ContainerExecutor, ServiceLogsGoIntoTheJobLogWithCiDebugServices) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
job:
  image: localhost/tollgate-test/busybox:1
  variables:
    CI_DEBUG_SERVICES: "true"
  services:
    - name: localhost/tollgate-test/busybox:1
      alias: chatty
      command: ["sh", "-c", "echo 'chatty is up'; mkdir /w; exec httpd -f -p 80 -h /w"]
  script:
    - sleep 1
)yaml");
  auto run = p.run_json("--executor podman");
  std::string log = p.read((*find_job(run, "job"))["log"]);
  EXPECT_NE(log.find("[service:localhost__tollgate-test__busybox] chatty is up"), std::string::npos)
      << log;
}

TEST_F(ContainerExecutor, EntrypointIsKeptUnlessClearedAndServiceCommandReplacesCmd) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
kept:
  image: localhost/tollgate-test/entrypoint:1
  script: [echo kept job ran]
cleared:
  image:
    name: localhost/tollgate-test/entrypoint:1
    entrypoint: [""]
  script: [echo cleared job ran]
)yaml");
  auto run = p.run_json("--executor podman");
  std::string kept = p.read((*find_job(run, "kept"))["log"]);
  EXPECT_NE(kept.find("the image entrypoint ran"), std::string::npos) << kept;
  EXPECT_NE(kept.find("kept job ran"), std::string::npos) << kept;
  std::string cleared = p.read((*find_job(run, "cleared"))["log"]);
  EXPECT_EQ(cleared.find("the image entrypoint ran"), std::string::npos) << cleared;
  EXPECT_NE(cleared.find("cleared job ran"), std::string::npos) << cleared;
}

TEST_F(ContainerExecutor, PullPolicyNeverWithAMissingImageFailsThatJobNotTheRun) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
missing:
  image:
    name: localhost/tollgate-test/absent:$TAG
    pull_policy: never
  variables:
    TAG: "0"
  script: [echo never here]
present:
  image: localhost/tollgate-test/busybox:1
  script: [echo present ran]
)yaml");
  auto run = p.run_json("--executor podman", 1);
  const auto& missing = *find_job(run, "missing");
  EXPECT_EQ(missing["status"], "failed");
  EXPECT_NE(missing["reason"].get<std::string>().find(
                "image 'localhost/tollgate-test/absent:0': not in podman's local images and "
                "pull_policy is never"),
            std::string::npos)
      << missing["reason"];
  EXPECT_EQ(job_status(run, "present"), "success");
}

TEST_F(ContainerExecutor, ImagesArePulledFromALoopbackRegistryAsThePolicySays) {
  ASSERT_TRUE(have_program("docker-registry"))
      << "docker-registry is not installed (scripts/install-deps.sh installs it)";
  files::TempDir dir("tollgate-registry");
  int port = free_port();
  std::string host = "127.0.0.1:" + std::to_string(port);
  std::ofstream(dir.path() / "config.yml")
      << "version: 0.1\nlog: {level: warn}\nstorage:\n  filesystem: {rootdirectory: "
      << (dir.path() / "data").string() << "}\nhttp:\n  addr: " << host << "\n";
  ServerProcess registry({"docker-registry", "serve", (dir.path() / "config.yml").string()},
                         dir.path() / "registry.log");
  registry.wait_for_port(port);
  std::string image = host + "/tollgate-test/pulled:1";
  CommandResult push = shell("podman push --quiet --tls-verify=false " + kBusybox + " " + image +
                             " 2>&1 && podman rmi -f " + image + " >/dev/null 2>&1; true");
  ASSERT_EQ(shell("podman image exists " + image).exit_code, 1) << "only the registry has it";
  PipelineProject p;
  p.write(".gitlab-ci.yml", "pulled:\n  image:\n    name: " + image +
                                "\n    pull_policy: [always]\n    docker:\n      user: nobody\n"
                                "  script:\n    - echo \"pulled image runs as $(id -u)\"\n");
  auto r = p.tollgate("run --format json --executor podman");
  shell("podman rmi -f " + image + " >/dev/null 2>&1");
  ASSERT_EQ(r.exit_code, 0) << push.out << r.out << r.err;
  std::string log = p.read((*find_job(r.json(), "pulled"))["log"]);
  EXPECT_NE(log.find("Pulling image " + image + " (pull_policy always)"), std::string::npos) << log;
  EXPECT_NE(log.find("pulled image runs as 65534"), std::string::npos) << log;
}

TEST_F(ContainerExecutor, ExitCodesAllowFailureAndAfterScriptInANewShellWithJobStatus) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
allowed:
  image: localhost/tollgate-test/busybox:1
  script:
    - export MAIN_ONLY=set
    - cd /tmp
    - exit 3
  allow_failure:
    exit_codes: [3]
  after_script:
    - echo "after sees $CI_JOB_STATUS, MAIN_ONLY=${MAIN_ONLY:-unset}, in $(pwd)"
    - exit 9
not-allowed:
  image: localhost/tollgate-test/bash:1
  script:
    - echo "a pipe that ends well" | cat
    - false | true
    - echo never here
  allow_failure:
    exit_codes: [3]
)yaml");
  auto run = p.run_json("--executor podman", 1);
  const auto& allowed = *find_job(run, "allowed");
  EXPECT_EQ(allowed["status"], "failed");
  EXPECT_EQ(allowed["exit_code"], 3);
  EXPECT_EQ(allowed["allow_failure"], true);
  std::string log = p.read(allowed["log"]);
  std::string project = "/builds/local/" + p.path().filename().string();
  EXPECT_NE(log.find("after sees failed, MAIN_ONLY=unset, in " + project), std::string::npos)
      << log;
  EXPECT_NE(log.find("WARNING: after_script failed with exit code 9"), std::string::npos) << log;
  const auto& other = *find_job(run, "not-allowed");
  EXPECT_EQ(other["exit_code"], 1);
  EXPECT_EQ(other["allow_failure"], false);
  std::string other_log = p.read(other["log"]);
  EXPECT_NE(other_log.find("\na pipe that ends well\n"), std::string::npos) << other_log;
  EXPECT_EQ(other_log.find("never here"), std::string::npos) << other_log;
}

// GitLab's runner says `running` while the script runs, and how it ended in after_script.
TEST_F(ContainerExecutor, JobStatusIsRunningInTheScriptAndSuccessInAfterScript) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
status:
  image: localhost/tollgate-test/busybox:1
  script:
    - echo "script sees $CI_JOB_STATUS"
  after_script:
    - echo "after sees $CI_JOB_STATUS"
)yaml");
  auto run = p.run_json("--executor podman");
  std::string log = p.read((*find_job(run, "status"))["log"]);
  EXPECT_NE(log.find("script sees running\n"), std::string::npos) << log;
  EXPECT_NE(log.find("after sees success\n"), std::string::npos) << log;
}

TEST_F(ContainerExecutor, DockerInDockerBuildsAnImageThatALaterJobRunsIn) {
  PipelineProject p;
  std::string tag = "localhost/tollgate-test/dind-built:" + p.path().filename().string();
  for (auto& c : tag)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  p.write(".gitlab-ci.yml", R"yaml(
stages: [build, use]
build-image:
  stage: build
  image: localhost/tollgate-test/docker-cli:1
  services: [docker:24-dind]
  variables:
    DOCKER_HOST: tcp://docker:2375
    DOCKER_TLS_CERTDIR: ""
  script:
    - printf 'FROM localhost/tollgate-test/busybox:1\nRUN echo built by the job > /etc/marker\n' > Containerfile
    - docker build -q -t $BUILT -f Containerfile .
use-image:
  stage: use
  image: $BUILT
  script:
    - cat /etc/marker
    - echo "CI_JOB_IMAGE is $CI_JOB_IMAGE"
)yaml");
  auto r = p.tollgate("run --format json --executor podman --var BUILT=" + tag);
  shell("podman rmi -f " + tag + " >/dev/null 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto run = r.json();
  std::string build = p.read((*find_job(run, "build-image"))["log"]);
  EXPECT_NE(build.find("serves the Docker API at tcp://docker:2375"), std::string::npos) << build;
  std::string use = p.read((*find_job(run, "use-image"))["log"]);
  EXPECT_NE(use.find("built by the job"), std::string::npos) << use;
  EXPECT_NE(use.find("CI_JOB_IMAGE is " + tag), std::string::npos) << use;
}

TEST_F(ContainerExecutor, BuildSocketLetsPodmanInAJobBuildIntoTheHostsImages) {
  PipelineProject p;
  std::string tag = "localhost/tollgate-test/socket-built:" + p.path().filename().string();
  for (auto& c : tag)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  p.write(".gitlab-ci.yml", R"yaml(
stages: [build, use]
build-image:
  stage: build
  image: localhost/tollgate-test/podman-cli:1
  script:
    - printf 'FROM localhost/tollgate-test/busybox:1\nRUN echo built with podman > /etc/marker\n' > Containerfile
    - podman build -q -t $BUILT .
use-image:
  stage: use
  image: $BUILT
  script:
    - cat /etc/marker
    - echo "engine host ${CONTAINER_HOST:-unset}"
)yaml");
  auto r =
      p.tollgate("run --format json --executor podman --executor-build-socket --var BUILT=" + tag);
  shell("podman rmi -f " + tag + " >/dev/null 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto run = r.json();
  std::string use = p.read((*find_job(run, "use-image"))["log"]);
  EXPECT_NE(use.find("built with podman"), std::string::npos) << use;
  EXPECT_NE(use.find("engine host unix:///run/tollgate/engine.sock"), std::string::npos) << use;
  // Without the option a job has no engine: the same build fails.
  auto without = p.tollgate("run --format json --executor podman --var BUILT=" + tag);
  EXPECT_EQ(without.exit_code, 1) << without.out;
}

TEST_F(ContainerExecutor, TimeoutStopsTheJobContainerAtOnceAndLeavesNothing) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
slow:
  image: localhost/tollgate-test/busybox:1
  timeout: 3s
  script: [sleep 60]
)yaml");
  EngineCensus before = EngineCensus::take(p);
  auto run = p.run_json("--executor podman", 1);
  const auto& slow = *find_job(run, "slow");
  EXPECT_EQ(slow["status"], "timeout");
  // The 3 s timeout, plus the time to start and then remove the container: about 1 s on a
  // quiet machine, 5.6 s seen on a loaded CI box. A container left to the engine's 10 s stop
  // grace takes 13 s or more however quiet the machine, so the bound sits just under that.
  EXPECT_LT(slow["duration_s"].get<double>(), 12.0) << slow;
  EXPECT_EQ(EngineCensus::take(p), before);
}

// Runs a pipeline whose job 'broken' fails after 2 s and so cancels the running job 'slow'
// (auto_cancel), slow's keywords being `slow_job` (lines indented under it). Checks what every
// such run must show, and returns slow's record.
nlohmann::json run_canceled_slow_job(PipelineProject& p, const std::string& slow_job) {
  p.write(".gitlab-ci.yml",
          "workflow:\n  auto_cancel: {on_job_failure: all}\nslow:\n  image: " + kBusybox + "\n" +
              slow_job + "broken:\n  script: [sleep 2, exit 1]\n");
  EngineCensus before = EngineCensus::take(p);
  auto run = p.run_json("--executor podman -j 2", 1);
  nlohmann::json slow = *find_job(run, "slow");
  EXPECT_EQ(slow["status"], "canceled");
  EXPECT_EQ(slow["reason"], "job 'broken' failed (auto_cancel:on_job_failure: all)");
  // broken's 2 s and the container's start and removal. The engine's 10 s stop grace would make
  // it 12 s or more however quiet the machine, so the bound sits just under that.
  EXPECT_LT(slow["duration_s"].get<double>(), 11.0) << slow;
  EXPECT_EQ(EngineCensus::take(p), before);
  return slow;
}

TEST_F(ContainerExecutor, AutoCancelOnJobFailureRemovesTheRunningJobsContainerAtOnce) {
  PipelineProject p;
  run_canceled_slow_job(p, "  script: [sleep 60]\n");
}

// GitLab 17: a running job that is canceled runs its after_script, told so by CI_JOB_STATUS.
// The script and all it started are gone by then; after_script runs in the same container.
TEST_F(ContainerExecutor, ACanceledJobRunsItsAfterScriptInItsContainerWithStatusCanceled) {
  PipelineProject p;
  nlohmann::json slow = run_canceled_slow_job(p, R"yaml(  script:
    - touch /tmp/made-by-script
    - sleep 301 &
    - sleep 302
  after_script:
    - echo "after_script sees $CI_JOB_STATUS"
    - ls /tmp/made-by-script
    - echo "script sleeps left $(ps -o args | grep -c '[s]leep 30[12]')"
)yaml");
  std::string log = p.read(slow["log"]);
  EXPECT_NE(log.find("after_script sees canceled"), std::string::npos) << log;
  EXPECT_NE(log.find("\n/tmp/made-by-script\n"), std::string::npos) << log;
  EXPECT_NE(log.find("script sleeps left 0"), std::string::npos) << log;
}

// GitLabRuntime.RunnerScriptLimitsBoundAndJudgeTheScripts's pipeline in an image: the script
// timeout stops the script inside the container and after_script runs there, told why.
TEST_F(ContainerExecutor, RunnerLimitsHoldInAContainerToo) {
  PipelineProject p;
  p.write(".gitlab-ci.yml",
          files::read(source_dir() + "/tests/pipelines/gitlab_runtime/runner_limits.yml"));
  EngineCensus before = EngineCensus::take(p);
  auto run = p.run_json("-j 3 --executor podman --var IMAGE=localhost/tollgate-test/busybox:1", 1);
  const auto& timed = *find_job(run, "script-timeout");
  EXPECT_EQ(timed["status"], "timeout");
  EXPECT_EQ(timed["reason"], "its script exceeded RUNNER_SCRIPT_TIMEOUT of 1.0s");
  std::string log = p.read(timed["log"]);
  EXPECT_NE(log.find("Running with podman"), std::string::npos) << log;
  EXPECT_NE(log.find("after_script sees timedout"), std::string::npos) << log;
  EXPECT_EQ(log.find("never"), std::string::npos) << log;
  EXPECT_EQ(job_status(run, "script-timeout-alone"), "timeout");
  const auto& late = *find_job(run, "after-script-timeout");
  EXPECT_EQ(late["status"], "success");
  EXPECT_NE(p.read(late["log"]).find("WARNING: after_script exceeded 1.0s and was killed"),
            std::string::npos)
      << p.read(late["log"]);
  EXPECT_LT(late["duration_s"].get<double>(), 12.0) << "not the after_script's 30 s";
  const auto& fails = *find_job(run, "after-script-fails-job");
  EXPECT_EQ(fails["status"], "failed");
  EXPECT_EQ(fails["exit_code"], 4);
  EXPECT_EQ(job_status(run, "after-script-ignored"), "success");
  EXPECT_EQ(job_status(run, "malformed"), "success");
  EXPECT_LT(timed["duration_s"].get<double>(), 12.0) << "not the script's 30 s";
  EXPECT_EQ(EngineCensus::take(p), before);
}

TEST_F(ContainerExecutor, CtrlCEndsTheRunAtOnceAndLeavesNothing) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", kSleepingJobWithAService);
  EngineCensus before = EngineCensus::take(p);
  auto [seconds, rc] = signal_during_job(p, "INT", "sleeping now");
  EXPECT_EQ(rc, 130) << "128 + SIGINT";
  // 0.86 s on a quiet machine; 4.3 s seen in a CI run while the acme pipeline test ran beside it
  // (the containers' removal is what takes the time, and the cancel watchdog waits for it). A
  // container left to the engine's 10 s stop grace would take 10 s or more, so the bound sits
  // just under that.
  EXPECT_LT(seconds, 9.0);
  EXPECT_EQ(EngineCensus::take(p), before);
}

TEST_F(ContainerExecutor, AfterSigkillTheNextRunRemovesWhatTheKilledOneLeft) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", kSleepingJobWithAService);
  EngineCensus before = EngineCensus::take(p);
  signal_during_job(p, "KILL", "sleeping now");
  EngineCensus left = EngineCensus::take(p);
  EXPECT_EQ(left.containers, before.containers + 2) << left;
  EXPECT_EQ(left.networks, before.networks + 1) << left;
  p.write(".gitlab-ci.yml", "quick:\n  image: " + kBusybox + "\n  script: [\"true\"]\n");
  auto r = p.tollgate("run --executor podman");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // The job container was started with --rm: podman may remove it on its own once the guardian
  // has killed its process, before the next run looks (a race seen under load). The service
  // container and the network stay until tollgate removes them.
  EXPECT_TRUE(std::regex_search(
      r.err, std::regex("tollgate: removed [1-3] container\\(s\\) and network\\(s\\) left "
                        "by an earlier run")))
      << r.err;
  EXPECT_EQ(EngineCensus::take(p), before);
}

TEST_F(ContainerExecutor, AutoWithoutAnEngineRunsOnTheShellWithOneWarning) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", "image: " + kBusybox +
                                "\na:\n  script: [\"test -e /usr/bin/env && echo on the host\"]\n"
                                "b:\n  script: [\"true\"]\n");
  PathWithoutEngines path;
  process::Command cmd(
      {"bash", "-c", path.env() + tollgate_binary().string() + " run --format json 2>err.txt"});
  cmd.cwd = p.path().string();
  auto c = process::run_capture(cmd);
  ASSERT_EQ(c.outcome.exit_code, 0) << c.output;
  std::string err = p.read("err.txt");
  std::string warning =
      "tollgate: warning: jobs a, b name an image, but neither podman nor docker is on PATH; "
      "their scripts run on this machine's shell";
  size_t first = err.find(warning);
  EXPECT_NE(first, std::string::npos) << err;
  EXPECT_EQ(err.find("tollgate: warning", first + 1), std::string::npos) << "one warning: " << err;
  auto run = nlohmann::json::parse(c.output);
  EXPECT_NE(p.read((*find_job(run, "a"))["log"]).find("on the host"), std::string::npos);
}

TEST_F(ContainerExecutor, NamedEngineThatIsMissingIsExit2BeforeAnyJob) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", "a:\n  image: " + kBusybox + "\n  script: [\"touch ran\"]\n");
  PathWithoutEngines path;
  process::Command cmd(
      {"bash", "-c", path.env() + tollgate_binary().string() + " run --executor docker 2>&1"});
  cmd.cwd = p.path().string();
  auto c = process::run_capture(cmd);
  EXPECT_EQ(c.outcome.exit_code, 2) << c.output;
  EXPECT_NE(c.output.find("tollgate: error: executor docker (--executor): docker is not on PATH; "
                          "install it"),
            std::string::npos)
      << c.output;
  EXPECT_FALSE(std::filesystem::exists(p.path() / "ran"));
}

TEST_F(ContainerExecutor, BrokenEngineIsExit2WithItsOwnMessageWhenNamed) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", "a:\n  image: " + kBusybox + "\n  script: [\"true\"]\n");
  // A podman that answers as this machine's does with its default ulimits.
  p.write("bin/podman",
          "#!/bin/sh\necho 'Error: runc: runc create failed: error setting rlimits for ready "
          "process: error setting rlimit type 7: operation not permitted' >&2\nexit 126\n");
  p.sh("chmod +x bin/podman");
  process::Command cmd(
      {"bash", "-c",
       "PATH=$PWD/bin:$PATH " + tollgate_binary().string() + " run --executor podman 2>&1"});
  cmd.cwd = p.path().string();
  auto c = process::run_capture(cmd);
  EXPECT_EQ(c.outcome.exit_code, 2) << c.output;
  EXPECT_NE(c.output.find("podman cannot run containers here: Error: runc: runc create failed"),
            std::string::npos)
      << c.output;
  EXPECT_NE(c.output.find("set default_ulimits in containers.conf"), std::string::npos) << c.output;
  process::Command auto_cmd(
      {"bash", "-c", "PATH=$PWD/bin:$PATH " + tollgate_binary().string() + " run 2>&1"});
  auto_cmd.cwd = p.path().string();
  auto a = process::run_capture(auto_cmd);
  EXPECT_EQ(a.outcome.exit_code, 0) << a.output;
  EXPECT_NE(a.output.find("tollgate: warning: job a names an image, but podman cannot run "
                          "containers here"),
            std::string::npos)
      << a.output;
}

TEST_F(ContainerExecutor, PlanShowsWhatRunsEachJob) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", "variables:\n  TAG: \"0\"\na:\n  image: " + kBusybox +
                                "\n  script: [\"true\"]\nb:\n  script: [\"true\"]\n"
                                "c:\n  image: localhost/$NAME:$TAG\n  variables: {NAME: tool}\n"
                                "  script: [\"true\"]\nd:\n  image: $UNSET\n"
                                "  script: [\"true\"]\n");
  auto plan = p.tollgate("plan --format json --executor podman --var TAG=2");
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  auto jobs = plan.json()["jobs"];
  EXPECT_EQ(jobs[0]["executor"], "podman: " + kBusybox);
  EXPECT_EQ(jobs[1]["executor"], "shell");
  EXPECT_EQ(jobs[2]["executor"], "podman: localhost/tool:2") << "the name as the job will run it";
  EXPECT_EQ(jobs[3]["executor"], "shell (image '$UNSET' is empty)");
  auto table = p.tollgate("plan --executor shell");
  EXPECT_NE(table.out.find("RUNS IN"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("shell (image " + kBusybox + " unused)"), std::string::npos)
      << table.out;
}

TEST_F(ContainerExecutor, ExecutorComesFromTheEnvironmentThenTheConfigFile) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", "a:\n  image: " + kBusybox + "\n  script: [\"true\"]\n");
  p.write(".tollgate/config", "executor: shell\n");
  EXPECT_EQ(p.tollgate("plan --format json").json()["jobs"][0]["executor"],
            "shell (image " + kBusybox + " unused)");
  auto env = p.sh("TOLLGATE_EXECUTOR=podman " + tollgate_binary().string() +
                  " plan --format json 2>/dev/null");
  EXPECT_EQ(nlohmann::json::parse(env.out)["jobs"][0]["executor"], "podman: " + kBusybox);
  p.write(".tollgate/config", "executor: kubernetes\n");
  auto bad = p.tollgate("plan");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find(".tollgate/config:1:11: executor 'kubernetes' is not one of auto, "
                         "shell, podman, docker"),
            std::string::npos)
      << bad.err;
}

TEST_F(ContainerExecutor, NetworkModeHostReachesThisMachinesLoopbackAndABadOneIsExit2) {
  // A server on this machine's loopback only: a job on its own network cannot see it, a job
  // on network_mode host can (gitlab-runner's [runners.docker] network_mode = "host").
  files::TempDir dir("tollgate-loopback");
  std::ofstream(dir.path() / "index.html") << "from the host's loopback\n";
  int port = free_port();
  ServerProcess server({"busybox", "httpd", "-f", "-p", "127.0.0.1:" + std::to_string(port), "-h",
                        dir.path().string()},
                       dir.path() / "httpd.log");
  server.wait_for_port(port);
  PipelineProject p;
  p.write(".gitlab-ci.yml", "fetch:\n  image: " + kBusybox +
                                "\n  script:\n    - wget -q -O- http://127.0.0.1:" +
                                std::to_string(port) + "/index.html\n");
  auto own = p.run_json("--executor podman", 1);
  EXPECT_EQ(job_status(own, "fetch"), "failed");

  p.write(".tollgate/config", "network_mode: host\n");
  auto host = p.run_json("--executor podman", 0);
  EXPECT_NE(p.read((*find_job(host, "fetch"))["log"]).find("from the host's loopback"),
            std::string::npos);

  auto bad = p.tollgate("run --executor podman --executor-network 'no such/net'");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--executor-network: network 'no such/net' is not a network"),
            std::string::npos)
      << bad.err;
}

}  // namespace
}  // namespace tollgate::testing
