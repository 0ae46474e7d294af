// `tollgate env list` and `tollgate env history`: the deployments runs recorded, the release in
// place per environment (the newest successful deployment, none after a stop), newest first.
#include <gtest/gtest.h>

#include "pipeline_project.h"

namespace tollgate::testing {
namespace {

// FAIL_DEPLOY=true makes the deployment fail; STOP=true runs the stop job instead.
const char* kPipeline = R"yaml(
stages: [deploy, stop]
deploy:
  stage: deploy
  rules:
    - if: $STOP != "true"
  environment: {name: staging, url: "http://staging.example/$RELEASE"}
  script:
    - echo "RELEASE=2.0.$CI_PIPELINE_ID" > deploy.env
    - echo "RELEASE_IMAGES=web=shop/web@sha256:0a1b,db=shop/db@sha256:2c3d" >> deploy.env
    - test "$FAIL_DEPLOY" != true
  artifacts:
    when: always
    reports: {dotenv: deploy.env}
production:
  stage: deploy
  rules:
    - if: $STOP != "true"
  environment: {name: production}
  script: ["true"]
stop:
  stage: stop
  rules:
    - if: $STOP == "true"
  environment: {name: staging, action: stop}
  script: ["true"]
)yaml";

TEST(EnvHistory, TheReleaseInPlaceIsTheNewestSuccessfulDeployment) {
  PipelineProject p;
  p.git_init();
  p.write(".gitlab-ci.yml", kPipeline);
  p.commit("shop");
  p.run_json();                             // run 1: 2.0.1 in staging
  p.run_json("--var FAIL_DEPLOY=true", 1);  // run 2: 2.0.2 failed, 2.0.1 stays
  auto list = p.tollgate("env list --format json");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto envs = list.json();
  ASSERT_EQ(envs.size(), 2u) << envs.dump(2);
  EXPECT_EQ(envs[1]["environment"], "staging");
  EXPECT_EQ(envs[1]["current"]["release"], "2.0.1");
  EXPECT_EQ(envs[1]["current"]["url"], "http://staging.example/2.0.1");
  EXPECT_EQ(envs[1]["current"]["run"], 1);
  EXPECT_EQ(envs[1]["deployments"], 2);
  // Without a RELEASE line the release is the commit.
  std::string sha = p.sh("git rev-parse HEAD").out;
  std::string release = envs[0]["current"]["release"];
  EXPECT_GE(release.size(), 7u) << envs.dump(2);
  EXPECT_EQ(sha.rfind(release, 0), 0u) << release << " is not the commit " << sha;

  auto history = p.tollgate("env history staging --format json");
  ASSERT_EQ(history.exit_code, 0) << history.err;
  auto h = history.json();
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0]["release"], "2.0.2");
  EXPECT_EQ(h[0]["status"], "failed");
  EXPECT_EQ(h[1]["release"], "2.0.1");
  EXPECT_EQ(h[1]["status"], "success");
  // The images the release is made of, from the same dotenv report.
  EXPECT_EQ(h[1]["images"], nlohmann::json({"web=shop/web@sha256:0a1b", "db=shop/db@sha256:2c3d"}));
  EXPECT_EQ(envs[0]["current"]["images"], nlohmann::json::array()) << "production names none";
}

TEST(EnvHistory, AStopLeavesNoReleaseInPlace) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", kPipeline);
  p.run_json();
  p.run_json("--var STOP=true");
  auto table = p.tollgate("env list");
  EXPECT_NE(table.out.find("staging      (none)"), std::string::npos) << table.out;
  auto history = p.tollgate("env history staging");
  size_t stop = history.out.find("stop    #2");
  size_t start = history.out.find("start   2.0.1");
  EXPECT_NE(stop, std::string::npos) << history.out;
  EXPECT_LT(stop, start) << "newest first: " << history.out;
}

TEST(EnvHistory, MistakesAreExit2WithAHint) {
  PipelineProject p;
  auto none = p.tollgate("env list");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("no run history here"), std::string::npos) << none.err;
  p.write(".gitlab-ci.yml", kPipeline);
  p.run_json();
  auto typo = p.tollgate("env history stagign");
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("no deployments to environment 'stagign' (did you mean 'staging'?)"),
            std::string::npos)
      << typo.err;
}

}  // namespace
}  // namespace tollgate::testing
