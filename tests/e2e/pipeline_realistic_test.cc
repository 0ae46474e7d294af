// Realistic pipelines, written the way teams write them, run end to end: the expected job set,
// order, statuses and hand-offs are asserted.
#include <gtest/gtest.h>

#include <set>

#include "pipeline_project.h"
#include "util/timefmt.h"

namespace tollgate::testing {
namespace {

std::set<std::string> job_names(const nlohmann::json& run) {
  std::set<std::string> out;
  for (const auto& j : run["jobs"]) out.insert(j["name"].get<std::string>());
  return out;
}

// The reference shop: six services built only when their files change, each image scanned,
// governance gates that fail unless they prove their condition, staging, a performance check,
// and a manual production deploy.
constexpr const char* kShopPipeline = R"yaml(
stages: [build, scanning, governance, staging, performance, production]

variables:
  REGISTRY: localhost:5000/shop

.build:
  stage: build
  script:
    - mkdir -p images
    - echo "$SERVICE:$CI_COMMIT_SHORT_SHA" > "images/$SERVICE.ref"
  artifacts:
    paths: [images/]

.scan:
  stage: scanning
  script:
    - test -f "images/$SERVICE.ref"
    - echo "scanned $(cat images/$SERVICE.ref)"

build:cart:
  extends: .build
  variables: {SERVICE: cart}
  only:
    changes: [cart/**/*]
build:catalog:
  extends: .build
  variables: {SERVICE: catalog}
  only:
    changes: [catalog/**/*]
build:front_end:
  extends: .build
  variables: {SERVICE: front_end}
  only:
    changes: [front_end/**/*]
build:order:
  extends: .build
  variables: {SERVICE: order}
  only:
    changes: [order/**/*]

scan:cart:
  extends: .scan
  variables: {SERVICE: cart}
  needs: [build:cart]
  only:
    changes: [cart/**/*]
scan:front_end:
  extends: .scan
  variables: {SERVICE: front_end}
  needs: [build:front_end]
  only:
    changes: [front_end/**/*]

budget:
  stage: governance
  needs: []
  script:
    - verdict=OVER
    - spent=$(cat governance/spent.txt)
    - if [ "$spent" -le "$BUDGET" ]; then verdict=UNDER; fi
    - echo "OVERAGE=$verdict" > budget.env
    - test "$verdict" = UNDER
  variables: {BUDGET: "1000"}
  artifacts:
    reports:
      dotenv: budget.env

posture:
  stage: governance
  needs: []
  script:
    - violations=unknown
    - violations=$(grep -c privileged governance/manifests.yaml || true)
    - test "$violations" = 0

deploy:staging:
  stage: staging
  environment: {name: staging, url: "http://staging.shop.local"}
  script:
    - echo "deploying with budget $OVERAGE"
    - test "$OVERAGE" = UNDER

locust:
  stage: performance
  script: [echo "driving traffic"]
cpu_check:
  stage: performance
  needs: [locust]
  script: [echo "front_end cpu ok"]

deploy:production:
  stage: production
  when: manual
  environment: {name: production}
  script: [echo "promoting"]
)yaml";

void write_shop(PipelineProject& p) {
  p.git_init();
  for (const char* s : {"cart", "catalog", "front_end", "order"}) p.write(std::string(s) + "/src/main.txt", "v1\n");
  p.write("governance/spent.txt", "640\n");
  p.write("governance/manifests.yaml", "kind: Deployment\n");
  p.write(".gitlab-ci.yml", kShopPipeline);
  p.commit("shop");
}

TEST(RealisticPipelines, ShopBuildsAndScansOnlyWhatChangedThenGatesAndStages) {
  PipelineProject p;
  write_shop(p);
  p.write("cart/src/main.txt", "v2\n");
  p.write("front_end/src/main.txt", "v2\n");
  p.commit("cart and front_end");
  auto run = p.run_json("-j 4");
  EXPECT_EQ(job_names(run), (std::set<std::string>{"build:cart", "build:front_end", "scan:cart", "scan:front_end",
                                                   "budget", "posture", "deploy:staging", "locust", "cpu_check",
                                                   "deploy:production"}));
  EXPECT_EQ(run["status"], "success");
  EXPECT_EQ(job_status(run, "deploy:production"), "manual");
  EXPECT_NE(p.read((*find_job(run, "scan:cart"))["log"]).find("scanned cart:"), std::string::npos);
  EXPECT_NE(p.read((*find_job(run, "deploy:staging"))["log"]).find("deploying with budget UNDER"),
            std::string::npos);
  auto staged = timefmt::parse_iso8601((*find_job(run, "deploy:staging"))["started_at"].get<std::string>());
  for (const char* before : {"scan:cart", "scan:front_end", "budget", "posture"})
    EXPECT_LE(*timefmt::parse_iso8601((*find_job(run, before))["finished_at"].get<std::string>()), *staged) << before;
}

TEST(RealisticPipelines, ShopGovernanceFailsClosedAndStopsTheDeploy) {
  PipelineProject p;
  write_shop(p);
  p.write("governance/spent.txt", "1200\n");
  p.write("governance/manifests.yaml", "kind: Deployment\nprivileged: true\n");
  p.commit("over budget");
  auto run = p.run_json("", 1);
  EXPECT_EQ(job_status(run, "budget"), "failed");
  EXPECT_EQ(job_status(run, "posture"), "failed");
  EXPECT_EQ(job_status(run, "deploy:staging"), "skipped");
  EXPECT_EQ(job_status(run, "cpu_check"), "skipped") << "a need skipped by a failure passes it on";
  EXPECT_EQ(job_status(run, "deploy:production"), "skipped");
  // A budget file that is missing is no data: the gate must fail, not pass.
  p.sh("git rm -q governance/spent.txt");
  p.commit("no data");
  auto missing = p.run_json("budget", 1);
  EXPECT_EQ(job_status(missing, "budget"), "failed");
}

TEST(RealisticPipelines, TemplatesReferencesMatrixAndDotenvHandOff) {
  PipelineProject p;
  p.write("lib/common.yml", R"yaml(
.defaults:
  before_script:
    - export GREETING=hello
  retry: 1
.notify:
  script:
    - echo "notify $CI_JOB_NAME"
)yaml");
  p.write(".gitlab-ci.yml", R"yaml(
include:
  - local: lib/*.yml
default:
  after_script:
    - echo "done $CI_JOB_NAME"
stages: [test, report]
unit:
  extends: .defaults
  stage: test
  parallel:
    matrix:
      - PY: ["3.10", "3.11"]
        DB: [sqlite]
  script:
    - echo "$GREETING py$PY db$DB node $CI_NODE_INDEX/$CI_NODE_TOTAL"
    - echo "RESULT_${CI_NODE_INDEX}=ok" > result.env
  artifacts:
    reports:
      dotenv: result.env
summary:
  stage: report
  script:
    - !reference [.notify, script]
    - echo "results $RESULT_1 $RESULT_2"
)yaml");
  auto run = p.run_json();
  EXPECT_EQ(job_names(run), (std::set<std::string>{"unit: [3.10, sqlite]", "unit: [3.11, sqlite]", "summary"}));
  std::string unit_log = p.read((*find_job(run, "unit: [3.11, sqlite]"))["log"]);
  EXPECT_NE(unit_log.find("hello py3.11 dbsqlite node 2/2"), std::string::npos) << unit_log;
  EXPECT_NE(unit_log.find("done unit: [3.11, sqlite]"), std::string::npos) << unit_log;
  std::string summary = p.read((*find_job(run, "summary"))["log"]);
  EXPECT_NE(summary.find("notify summary"), std::string::npos) << summary;
  EXPECT_NE(summary.find("results ok ok"), std::string::npos) << summary;
}

TEST(RealisticPipelines, BranchRulesPickDifferentJobs) {
  PipelineProject p;
  p.git_init();
  p.write(".gitlab-ci.yml", R"yaml(
.on_main: &on_main
  - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
lint:
  script: ["true"]
review:
  rules:
    - if: $CI_COMMIT_BRANCH =~ /^feature\//
  environment: {name: review/$CI_COMMIT_REF_SLUG}
  script: [echo "review app $CI_ENVIRONMENT_SLUG"]
release:
  rules: *on_main
  script: ["true"]
)yaml");
  p.commit("first");
  EXPECT_EQ(job_names(p.run_json()), (std::set<std::string>{"lint", "release"}));
  p.sh("git checkout -q -b feature/login");
  auto feature = p.run_json();
  EXPECT_EQ(job_names(feature), (std::set<std::string>{"lint", "review"}));
  EXPECT_NE(p.read((*find_job(feature, "review"))["log"]).find("review app review-feature-login"), std::string::npos);
}

}  // namespace
}  // namespace tollgate::testing
