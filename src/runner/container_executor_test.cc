#include "runner/container_executor.h"

#include <gtest/gtest.h>

#include "pipeline/loader.h"
#include "runner/container_args.h"
#include "util/files.h"
#include "util/process.h"

namespace tollgate::runner {
namespace {

pipeline::Service service(const std::string& yaml) {
  pipeline::Pipeline p = pipeline::load_pipeline_text(
      "job:\n  script: [\"true\"]\n  services:\n    - " + yaml + "\n", "ci.yml", "/x");
  return p.jobs.at(0).services.at(0);
}

TEST(ServiceAliases, TagDroppedAndSlashesAsDoubleUnderscoreAndDash) {
  EXPECT_EQ(service_aliases(service("registry.example.com/group/redis:7")),
            (std::vector<std::string>{"registry.example.com__group__redis",
                                      "registry.example.com-group-redis"}));
  EXPECT_EQ(service_aliases(service("postgres:15")), (std::vector<std::string>{"postgres"}));
}

TEST(ServiceAliases, APortIsNotATagAndADigestGoes) {
  EXPECT_EQ(service_aliases(service("localhost:5000/db@sha256:0123abcd")),
            (std::vector<std::string>{"localhost:5000__db", "localhost:5000-db"}));
  EXPECT_EQ(service_aliases(service("localhost:5000/db")),
            (std::vector<std::string>{"localhost:5000__db", "localhost:5000-db"}));
}

TEST(ServiceAliases, EveryCommaSeparatedAliasFollowsOnce) {
  EXPECT_EQ(service_aliases(service("{name: 'mysql:8', alias: 'db, mysql ,cache'}")),
            (std::vector<std::string>{"mysql", "db", "cache"}));
}

TEST(ServiceKeywords, EntrypointCommandVariablesAndPullPolicyAreRead) {
  pipeline::Service s = service(
      "{name: 'x:1', entrypoint: [''], command: [a, b], variables: {K: v}, pull_policy: never}");
  ASSERT_TRUE(s.image.entrypoint.has_value());
  EXPECT_EQ(*s.image.entrypoint, std::vector<std::string>{""});
  EXPECT_EQ(*s.command, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.variables.at(0).name, "K");
  EXPECT_EQ(s.image.pull_policy, std::vector<std::string>{"never"});
}

TEST(ServiceKeywords, WrongShapesAreErrorsAtTheirLine) {
  try {
    pipeline::load_pipeline_text(
        "job:\n  script: [\"true\"]\n  image: {name: a, pull_policy: sometimes}\n", "ci.yml", "/x");
    FAIL() << "a pull_policy that does not exist was accepted";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("ci.yml:3:"), std::string::npos) << e.message();
    EXPECT_NE(e.message().find("image:pull_policy 'sometimes' is not always, if-not-present or "
                               "never"),
              std::string::npos)
        << e.message();
  }
}

TEST(DindImage, DockerImagesWithDindInTheTagOnly) {
  EXPECT_TRUE(is_dind_image("docker:dind"));
  EXPECT_TRUE(is_dind_image("docker:24.0.5-dind"));
  EXPECT_TRUE(is_dind_image("docker.io/library/docker:dind-rootless"));
  EXPECT_FALSE(is_dind_image("docker:24"));
  EXPECT_FALSE(is_dind_image("example.com/mirror/docker:dind"));
  EXPECT_FALSE(is_dind_image("dind:latest"));
}

// Runs a job script the way a job container does: the detected shell reading it on stdin.
process::Captured run_script(const std::string& shell, const std::string& script) {
  process::Command cmd({shell});
  cmd.input = script;
  return process::run_capture(cmd);
}

TEST(ContainerScript, ExitCodeIsTheScriptsAndAfterScriptSeesTheStatusInANewShell) {
  for (const char* shell : {"sh", "bash"}) {
    std::string script =
        container_script({"export ONLY_MAIN=1", "cd /", "exit 3", "echo never"},
                         {"echo \"after: $CI_JOB_STATUS ${ONLY_MAIN:-unset}\"", "exit 4"});
    process::Captured c = run_script(shell, script);
    EXPECT_EQ(c.outcome.exit_code, 3) << shell << "\n" << c.output;
    EXPECT_NE(c.output.find("$ exit 3\nRunning after_script\n"), std::string::npos) << c.output;
    EXPECT_EQ(c.output.find("never"), std::string::npos) << c.output;
    EXPECT_NE(c.output.find("after: failed unset"), std::string::npos) << c.output;
    EXPECT_NE(c.output.find("WARNING: after_script failed with exit code 4"), std::string::npos)
        << c.output;
  }
}

// RUNNER_AFTER_SCRIPT_TIMEOUT and AFTER_SCRIPT_IGNORE_ERRORS=false, inside the container.
TEST(ContainerScript, AfterScriptHasItsLimitAndFailsThePassedJobWhenErrorsAreNotIgnored) {
  ScriptLimits limits;
  limits.after_script_timeout = std::chrono::seconds(1);
  for (const char* shell : {"sh", "bash"}) {
    auto start = std::chrono::steady_clock::now();
    process::Captured c = run_script(shell, container_script({"true"}, {"sleep 30"}, {}, limits));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20)) << shell;
    EXPECT_EQ(c.outcome.exit_code, 0) << shell << "\n" << c.output;
    EXPECT_NE(c.output.find("WARNING: after_script exceeded 1.0s and was killed (this does not "
                            "change the job's result)"),
              std::string::npos)
        << shell << "\n"
        << c.output;
  }
  limits.after_script_ignore_errors = false;
  for (const char* shell : {"sh", "bash"}) {
    process::Captured c = run_script(shell, container_script({"true"}, {"exit 4"}, {}, limits));
    EXPECT_EQ(c.outcome.exit_code, 4) << shell << "\n" << c.output;
    EXPECT_NE(c.output.find("ERROR: after_script failed with exit code 4 "
                            "(AFTER_SCRIPT_IGNORE_ERRORS is false: the job fails)"),
              std::string::npos)
        << shell << "\n"
        << c.output;
    // A job that already failed keeps its own exit code.
    c = run_script(shell, container_script({"exit 3"}, {"exit 4"}, {}, limits));
    EXPECT_EQ(c.outcome.exit_code, 3) << shell << "\n" << c.output;
  }
}

TEST(ContainerScript, AFailingCommandOrPipeStopsTheScriptWhereTheShellHasPipefail) {
  process::Captured c = run_script("bash", container_script({"false | true", "echo never"}, {}));
  EXPECT_EQ(c.outcome.exit_code, 1) << c.output;
  EXPECT_EQ(c.output.find("never"), std::string::npos) << c.output;
  c = run_script("sh", container_script({"false", "echo never"}, {"echo after"}));
  EXPECT_EQ(c.outcome.exit_code, 1) << c.output;
  EXPECT_NE(c.output.find("after"), std::string::npos) << c.output;
}

TEST(ContainerScript, ACommandReadingStdinCannotEatTheRestOfTheScript) {
  process::Captured c =
      run_script("bash", container_script({"cat", "echo still here"}, {"echo after too"}));
  EXPECT_EQ(c.outcome.exit_code, 0) << c.output;
  EXPECT_NE(c.output.find("still here"), std::string::npos) << c.output;
  EXPECT_NE(c.output.find("after too"), std::string::npos) << c.output;
}

TEST(ContainerScript, FileVariablesAreWrittenPrivatelyBeforeTheScript) {
  files::TempDir dir("tollgate-files");
  std::string path = (dir.path() / "proj.tmp" / "KEY").string();
  process::Captured c = run_script("sh", "F=" + path + "\nexport F\n" +
                                             container_script({"stat -c %a \"$F\"", "cat \"$F\""},
                                                              {}, {{path, "it's\nsecret"}}));
  EXPECT_EQ(c.outcome.exit_code, 0) << c.output;
  EXPECT_NE(c.output.find("\n600\n"), std::string::npos) << c.output;
  EXPECT_NE(c.output.find("it's\nsecret"), std::string::npos) << c.output;
}

TEST(PassVariables, ValuesGoByNameExceptWhatWouldSteerTheEnginesClient) {
  std::vector<std::string> args;
  std::vector<std::string> env = pass_variables({{"API_TOKEN", "s3cr3t"},
                                                 {"DOCKER_HOST", "tcp://docker:2375"},
                                                 {"DOCKER_AUTH_CONFIG", "{\"auths\":{}}"}},
                                                args);
  EXPECT_EQ(args, (std::vector<std::string>{"--env", "API_TOKEN", "--env",
                                            "DOCKER_HOST=tcp://docker:2375", "--env",
                                            "DOCKER_AUTH_CONFIG"}));
  auto has = [&](const std::string& kv) {
    return std::find(env.begin(), env.end(), kv) != env.end();
  };
  EXPECT_TRUE(has("API_TOKEN=s3cr3t"));
  EXPECT_TRUE(has("DOCKER_AUTH_CONFIG={\"auths\":{}}"));
  EXPECT_FALSE(has("DOCKER_HOST=tcp://docker:2375")) << "the client keeps its own engine";
}

TEST(ShellDetection, BashFirstThenSh) {
  std::vector<std::string> cmd = shell_detection_command();
  ASSERT_EQ(cmd.size(), 3u);
  EXPECT_EQ(cmd[0], "sh");
  process::Command run({"sh", "-c", cmd[2] + "\n", "sh"});
  run.input = "echo \"${BASH_VERSION:+bash}\"\n";
  // On this machine /usr/bin/bash exists, so the detection must hand the script to bash.
  EXPECT_EQ(process::run_capture(run).output, "bash\n");
}

}  // namespace
}  // namespace tollgate::runner
