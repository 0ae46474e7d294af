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
  for (const auto& j : run["jobs"])
    out.insert(j["name"].get<std::string>());
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
  for (const char* s : {"cart", "catalog", "front_end", "order"})
    p.write(std::string(s) + "/src/main.txt", "v1\n");
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
  EXPECT_EQ(job_names(run),
            (std::set<std::string>{"build:cart", "build:front_end", "scan:cart", "scan:front_end",
                                   "budget", "posture", "deploy:staging", "locust", "cpu_check",
                                   "deploy:production"}));
  EXPECT_EQ(run["status"], "success");
  EXPECT_EQ(job_status(run, "deploy:production"), "manual");
  EXPECT_NE(p.read((*find_job(run, "scan:cart"))["log"]).find("scanned cart:"), std::string::npos);
  EXPECT_NE(p.read((*find_job(run, "deploy:staging"))["log"]).find("deploying with budget UNDER"),
            std::string::npos);
  auto staged =
      timefmt::parse_iso8601((*find_job(run, "deploy:staging"))["started_at"].get<std::string>());
  for (const char* before : {"scan:cart", "scan:front_end", "budget", "posture"})
    EXPECT_LE(*timefmt::parse_iso8601((*find_job(run, before))["finished_at"].get<std::string>()),
              *staged)
        << before;
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
  EXPECT_EQ(job_names(run),
            (std::set<std::string>{"unit: [3.10, sqlite]", "unit: [3.11, sqlite]", "summary"}));
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
  EXPECT_NE(
      p.read((*find_job(feature, "review"))["log"]).find("review app review-feature-lo-qiv329"),
      std::string::npos);
}

TEST(RealisticPipelines, MonorepoRulesChangesWithCompareTo) {
  PipelineProject p;
  p.git_init();
  p.write("api/server.go", "v1\n");
  p.write("web/app.js", "v1\n");
  p.write(".gitlab-ci.yml", R"yaml(
.service_rules: &service_rules
  - changes:
      paths: ["$SERVICE/**/*"]
      compare_to: main
api:
  variables: {SERVICE: api}
  rules: *service_rules
  script: [echo api]
web:
  variables: {SERVICE: web}
  rules: *service_rules
  script: [echo web]
)yaml");
  p.commit("base");
  p.sh("git checkout -q -b feature/web");
  p.write("web/app.js", "v2\n");
  p.commit("web one");
  p.write("README", "x\n");
  p.commit("docs");
  // HEAD~1 changed only README; compared with main, web changed.
  EXPECT_EQ(job_names(p.run_json()), (std::set<std::string>{"web"}));
}

TEST(RealisticPipelines, FlakyTestsRetriesNotificationsAndCleanup) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
stages: [test, notify, cleanup]
flaky:
  stage: test
  retry:
    max: 2
    when: [script_failure]
  script:
    - echo x >> "$TOLLGATE_SOURCE_DIR/tries"
    - test "$(wc -l < "$TOLLGATE_SOURCE_DIR/tries")" -ge 2
lint:
  stage: test
  allow_failure: true
  script: [exit 1]
broken:
  stage: test
  retry: 1
  script: [exit 4]
notify:
  stage: notify
  when: on_failure
  script:
    - echo "pipeline failed, paging"
cleanup:
  stage: cleanup
  when: always
  script: [echo cleaning]
)yaml");
  auto run = p.run_json("", 1);
  EXPECT_EQ((*find_job(run, "flaky"))["attempts"], 2);
  EXPECT_EQ(job_status(run, "flaky"), "success");
  EXPECT_EQ((*find_job(run, "lint"))["allow_failure"], true);
  EXPECT_EQ((*find_job(run, "broken"))["attempts"], 2);
  EXPECT_EQ(job_status(run, "broken"), "failed");
  EXPECT_EQ(job_status(run, "notify"), "success");
  EXPECT_EQ(job_status(run, "cleanup"), "success");
}

TEST(RealisticPipelines, DeployTemplateWithInputsToTwoEnvironments) {
  PipelineProject p;
  p.write("templates/deploy.yml", R"yaml(
spec:
  inputs:
    environment:
      options: [staging, production]
    when:
      default: on_success
---
deploy:$[[ inputs.environment ]]:
  stage: deploy
  when: $[[ inputs.when ]]
  resource_group: $[[ inputs.environment ]]
  environment:
    name: $[[ inputs.environment ]]
  script:
    - echo "deploying to $CI_ENVIRONMENT_NAME ($CI_ENVIRONMENT_TIER)"
)yaml");
  p.write(".gitlab-ci.yml", R"yaml(
include:
  - local: templates/deploy.yml
    inputs: {environment: staging}
  - local: templates/deploy.yml
    inputs: {environment: production, when: manual}
build:
  stage: build
  script: ["true"]
)yaml");
  auto run = p.run_json();
  EXPECT_EQ(job_names(run),
            (std::set<std::string>{"build", "deploy:staging", "deploy:production"}));
  EXPECT_EQ(job_status(run, "deploy:production"), "manual");
  EXPECT_NE(
      p.read((*find_job(run, "deploy:staging"))["log"]).find("deploying to staging (staging)"),
      std::string::npos);
  auto promoted = p.run_json("deploy:production");
  EXPECT_NE(p.read((*find_job(promoted, "deploy:production"))["log"])
                .find("deploying to production (production)"),
            std::string::npos);
}

TEST(RealisticPipelines, BuildTestWithCacheArtifactsAndShardedJunit) {
  PipelineProject p;
  p.write("package.lock", "left-pad 1.3.0\n");
  p.write(".gitlab-ci.yml", R"yaml(
default:
  cache:
    key:
      files: [package.lock]
    paths: [node_modules/]
    policy: pull
install:
  stage: .pre
  cache:
    key:
      files: [package.lock]
    paths: [node_modules/]
    policy: pull-push
  script:
    - mkdir -p node_modules && cp package.lock node_modules/installed
build:
  stage: build
  script:
    - test -f node_modules/installed
    - mkdir -p dist && echo bundle > dist/app.js
  artifacts:
    paths: [dist/]
test:
  stage: test
  parallel: 3
  script:
    - test -f dist/app.js
    - echo "<testsuite name=\"shard$CI_NODE_INDEX\" tests=\"1\"/>" > "junit-$CI_NODE_INDEX.xml"
  artifacts:
    reports:
      junit: "junit-*.xml"
)yaml");
  auto run = p.run_json();
  EXPECT_EQ(run["status"], "success");
  EXPECT_EQ(job_names(run),
            (std::set<std::string>{"install", "build", "test 1/3", "test 2/3", "test 3/3"}));
  const auto& reports = (*find_job(run, "test 2/3"))["reports"];
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_NE(reports[0]["path"].get<std::string>().find("junit-2.xml"), std::string::npos);
}

TEST(RealisticPipelines, SkipCiWorkflowAndReferencesInVariablesAndRules) {
  PipelineProject p;
  p.git_init();
  p.write(".gitlab-ci.yml", R"yaml(
workflow:
  rules:
    - if: $CI_COMMIT_MESSAGE =~ /\[skip ci\]/
      when: never
    - when: always
.shared:
  variables:
    TARGET: eu-west-1
  rules:
    - if: $CI_COMMIT_BRANCH
publish:
  variables:
    REGION: !reference [.shared, variables, TARGET]
  rules:
    - !reference [.shared, rules]
  script: [echo "region=$REGION"]
)yaml");
  p.commit("normal");
  auto run = p.run_json();
  EXPECT_NE(p.read((*find_job(run, "publish"))["log"]).find("region=eu-west-1"), std::string::npos);
  p.write("x", "1\n");
  p.commit("docs [skip ci]");
  auto skipped = p.tollgate("run --format json");
  EXPECT_EQ(skipped.exit_code, 0);
  EXPECT_NE(skipped.err.find("no pipeline created"), std::string::npos) << skipped.err;
}

TEST(RealisticPipelines, ThreeLevelExtendsWithDefaultsAndInheritance) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
default:
  before_script: [echo "default before"]
variables:
  LEVEL: global
.base:
  variables: {A: base, B: base}
  script:
    - echo "A=$A B=$B C=$C level=${LEVEL:-none}"
.middle:
  extends: .base
  variables: {B: middle}
.top:
  extends: .middle
  variables: {C: top}
job:
  extends: .top
  inherit:
    default: false
    variables: false
plain:
  extends: .top
)yaml");
  auto run = p.run_json();
  std::string job_log = p.read((*find_job(run, "job"))["log"]);
  EXPECT_NE(job_log.find("A=base B=middle C=top level=none"), std::string::npos) << job_log;
  EXPECT_EQ(job_log.find("default before"), std::string::npos);
  std::string plain_log = p.read((*find_job(run, "plain"))["log"]);
  EXPECT_NE(plain_log.find("default before"), std::string::npos);
  EXPECT_NE(plain_log.find("level=global"), std::string::npos);
}

TEST(RealisticPipelines, DotenvChainIsNotTransitive) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
stages: [build, deploy, verify]
build:
  stage: build
  script: [echo "IMAGE_TAG=1.4.2" > build.env]
  artifacts: {reports: {dotenv: build.env}}
deploy:
  stage: deploy
  needs: [build]
  script:
    - echo "deploying $IMAGE_TAG"
    - echo "DEPLOY_URL=http://staging/$IMAGE_TAG" > deploy.env
  artifacts: {reports: {dotenv: deploy.env}}
verify:
  stage: verify
  needs: [deploy]
  script:
    - echo "url=$DEPLOY_URL tag=${IMAGE_TAG:-unset}"
)yaml");
  auto run = p.run_json();
  EXPECT_NE(p.read((*find_job(run, "deploy"))["log"]).find("deploying 1.4.2"), std::string::npos);
  EXPECT_NE(p.read((*find_job(run, "verify"))["log"]).find("url=http://staging/1.4.2 tag=unset"),
            std::string::npos);
}

TEST(RealisticPipelines, DiamondDagWithAnOptionalNeedAndATimeout) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
stages: [build, test, deploy]
compile:
  stage: build
  script: [echo compiled]
unit:
  stage: test
  needs: [compile]
  script: ["true"]
integration:
  stage: test
  needs: [compile, {job: docs, optional: true}]
  script: ["true"]
slow_smoke:
  stage: test
  needs: [compile]
  timeout: 1s
  allow_failure: true
  script: [sleep 30]
ship:
  stage: deploy
  needs: [unit, integration]
  script: [echo shipped]
)yaml");
  auto run = p.run_json();
  EXPECT_EQ(run["status"], "success");
  EXPECT_EQ(job_status(run, "slow_smoke"), "timeout");
  EXPECT_EQ((*find_job(run, "slow_smoke"))["allow_failure"], true);
  EXPECT_EQ(job_status(run, "ship"), "success");
}

TEST(RealisticPipelines, ManualApprovalGateBeforeProduction) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
stages: [deploy, approve, production]
staging:
  stage: deploy
  environment: {name: staging}
  script: [echo staged]
approve:
  stage: approve
  when: manual
  allow_failure: false
  script: [echo approved]
production:
  stage: production
  needs: [approve]
  environment: {name: production}
  script: [echo live]
)yaml");
  auto waiting = p.run_json("", 1);
  EXPECT_EQ(waiting["status"], "blocked");
  EXPECT_EQ(job_status(waiting, "approve"), "manual");
  EXPECT_EQ(job_status(waiting, "production"), "skipped")
      << "a blocking manual job holds back what needs it";
  EXPECT_NE((*find_job(waiting, "production"))["reason"].get<std::string>().find(
                "waits for the manual job 'approve'"),
            std::string::npos);
  auto approved = p.run_json("approve production");
  EXPECT_EQ(job_status(approved, "approve"), "success");
  EXPECT_EQ(job_status(approved, "production"), "success");
  auto db = p.sh(
      "sqlite3 .tollgate/history.db \"select count(*) from jobs where environment_name = "
      "'production' and status = 'success'\"");
  EXPECT_EQ(db.out, "1\n");
}

TEST(RealisticPipelines, RegionalMatrixDeployNeedsOnePermutation) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
stages: [build, deploy]
package:
  stage: build
  parallel:
    matrix:
      - REGION: [eu, us]
  script:
    - echo "REGION_BUILD=$REGION-$CI_NODE_INDEX" > region.env
  artifacts:
    reports:
      dotenv: region.env
deploy_eu:
  stage: deploy
  needs: ["package: [eu]"]
  environment:
    name: prod/$REGION_BUILD
  script:
    - echo "deploying $REGION_BUILD to $CI_ENVIRONMENT_NAME"
)yaml");
  auto run = p.run_json();
  std::string log = p.read((*find_job(run, "deploy_eu"))["log"]);
  EXPECT_NE(log.find("deploying eu-1 to prod/eu-1"), std::string::npos) << log;
}

TEST(RealisticPipelines, NestedIncludesExtendsAcrossFilesAndImagesNoted) {
  PipelineProject p;
  p.write("ci/base.yml", R"yaml(
include: ci/jobs.yml
default:
  image: python:3.12
.python:
  variables:
    PIP_CACHE_DIR: .pip
  before_script:
    - echo "python job $CI_JOB_NAME"
)yaml");
  p.write("ci/jobs.yml", R"yaml(
.tests:
  extends: .python
  services: [postgres:16]
  script:
    - echo "tests against $DB_HOST"
)yaml");
  p.write(".gitlab-ci.yml", R"yaml(
include: ci/base.yml
variables:
  DB_HOST: localhost
pytest:
  extends: .tests
)yaml");
  // python:3.12 is in no local store here and no registry is reachable: the shell runs it.
  auto r = p.tollgate("run --format json --executor shell");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto run = r.json();
  std::string log = p.read((*find_job(run, "pytest"))["log"]);
  EXPECT_NE(log.find("python job pytest"), std::string::npos) << log;
  EXPECT_NE(log.find("tests against localhost"), std::string::npos) << log;
  EXPECT_EQ(r.err.find("warning"), std::string::npos) << "shell was asked for: " << r.err;
  auto plan = p.tollgate("plan --executor shell --format json");
  EXPECT_EQ(plan.json()["jobs"][0]["executor"], "shell (image python:3.12 unused)") << plan.out;
  auto config = p.tollgate("plan --show-config pytest");
  EXPECT_NE(config.out.find("image: python:3.12"), std::string::npos) << config.out;
  EXPECT_NE(config.out.find("PIP_CACHE_DIR: .pip"), std::string::npos) << config.out;
}

TEST(RealisticPipelines, ReleaseOnTagsWithOnlyAndExcept) {
  PipelineProject p;
  p.git_init();
  p.write(".gitlab-ci.yml", R"yaml(
test:
  except: [tags]
  script: ["true"]
release:
  only: [tags]
  script:
    - echo "releasing $CI_COMMIT_TAG from $CI_COMMIT_REF_NAME"
nightly:
  only:
    refs: [schedules]
  script: ["true"]
)yaml");
  p.commit("first");
  EXPECT_EQ(job_names(p.run_json()), (std::set<std::string>{"test"}));
  p.sh("git tag v1.2.0");
  auto tagged = p.run_json();
  EXPECT_EQ(job_names(tagged), (std::set<std::string>{"release"}));
  EXPECT_NE(p.read((*find_job(tagged, "release"))["log"]).find("releasing v1.2.0 from v1.2.0"),
            std::string::npos);
}

}  // namespace
}  // namespace tollgate::testing
