#include "pipeline/loader.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/errors.h"
#include "util/files.h"

namespace tollgate::pipeline {
namespace {

Pipeline load(const std::string& text, const std::string& dir = "/nonexistent") {
  return load_pipeline_text(text, "ci.yml", dir);
}

std::string errors_of(const std::string& text) {
  return testing::error_messages([&] { load(text); });
}

TEST(Loader, StagesDefaultAndPrePost) {
  Pipeline p = load("a:\n  script: [x]\n");
  EXPECT_EQ(p.stages, (std::vector<std::string>{".pre", "build", "test", "deploy", ".post"}));
  EXPECT_EQ(p.jobs[0].stage, "test");
  Pipeline q = load("stages: [one, two]\na:\n  stage: .post\n  script: [x]\n");
  EXPECT_EQ(q.stages, (std::vector<std::string>{".pre", "one", "two", ".post"}));
}

TEST(Loader, HiddenJobsAnchorsExtendsAndDefault) {
  Pipeline p = load(R"(
default:
  before_script: [echo default]
  retry: 1
.base: &base
  variables: {A: "1", B: "2"}
  tags: [docker]
  script: [echo base]
.more:
  variables: {B: "3"}
job:
  extends: [.base, .more]
  variables: {C: "4"}
anchored:
  <<: *base
  before_script: [echo mine]
  script: [echo anchored]
  inherit:
    default: false
)");
  ASSERT_EQ(p.jobs.size(), 2u);
  const Job& job = p.jobs[0];
  EXPECT_EQ(job.name, "job");
  EXPECT_EQ(job.script, std::vector<std::string>{"echo base"});
  EXPECT_EQ(job.before_script, std::vector<std::string>{"echo default"});
  EXPECT_EQ(job.tags, std::vector<std::string>{"docker"});
  EXPECT_EQ(job.retry_max, 1);
  std::map<std::string, std::string> vars;
  for (const auto& v : job.variables)
    vars[v.name] = v.value;
  EXPECT_EQ(vars, (std::map<std::string, std::string>{{"A", "1"}, {"B", "3"}, {"C", "4"}}));
  const Job& anchored = p.jobs[1];
  EXPECT_EQ(anchored.before_script, std::vector<std::string>{"echo mine"});
  EXPECT_EQ(anchored.retry_max, 0) << "inherit: default: false";
}

TEST(Loader, ReferenceTagsSpliceIntoLists) {
  Pipeline p = load(R"(
.setup:
  script: [echo one, echo two]
job:
  script:
    - !reference [.setup, script]
    - echo three
)");
  EXPECT_EQ(p.jobs[0].script, (std::vector<std::string>{"echo one", "echo two", "echo three"}));
  EXPECT_NE(errors_of("job:\n  script: [!reference [.nope, script]]\n").find("points at nothing"),
            std::string::npos);
}

TEST(Loader, ExtendsCyclesAndMissingParents) {
  EXPECT_NE(
      errors_of(".a:\n  extends: .b\n.b:\n  extends: .a\njob:\n  extends: .a\n  script: [x]\n")
          .find("extends cycle"),
      std::string::npos);
  EXPECT_NE(errors_of("job:\n  extends: .tempalte\n  script: [x]\n.template:\n  tags: [a]\n")
                .find("(did you mean '.template'?)"),
            std::string::npos);
}

TEST(Loader, IncludeLocalMergesUnderTheIncludingFile) {
  files::TempDir dir;
  std::ofstream(dir.path() / "common.yml")
      << "variables:\n  FROM: common\n  KEEP: yes\nshared:\n  script: [echo shared]\n";
  Pipeline p =
      load("include: common.yml\nvariables:\n  FROM: main\nown:\n  script: [x]\n", dir.path());
  EXPECT_EQ(p.jobs.size(), 2u);
  std::map<std::string, std::string> vars;
  for (const auto& v : p.variables)
    vars[v.name] = v.value;
  EXPECT_EQ(vars["FROM"], "main");
  EXPECT_EQ(vars["KEEP"], "yes");
  // Without a fetcher, an include from outside the project is left out, with a warning.
  Pipeline remote = load("include:\n  - remote: https://x/y.yml\njob:\n  script: [x]\n");
  ASSERT_EQ(remote.warnings.size(), 1u);
  EXPECT_NE(remote.warnings[0].find("remote: https://x/y.yml"), std::string::npos);
}

TEST(Loader, ParallelNamesAndNodeVariables) {
  Pipeline p = load(
      "t:\n  parallel: 3\n  script: [x]\nm:\n  parallel:\n    matrix:\n      - OS: [linux, mac]\n  "
      "      ARCH: amd64\n      - OS: win\n  script: [x]\n");
  std::vector<std::string> names;
  for (const auto& j : p.jobs)
    names.push_back(j.name);
  EXPECT_EQ(names, (std::vector<std::string>{"t 1/3", "t 2/3", "t 3/3", "m: [linux, amd64]",
                                             "m: [mac, amd64]", "m: [win]"}));
  bool found = false;
  for (const auto& v : p.jobs[5].variables)
    if (v.name == "CI_NODE_INDEX") found = v.value == "3";
  EXPECT_TRUE(found);
}

// A 1,000 x 1,000 matrix was built whole (509 MB) before the 200-job limit refused it.
TEST(Loader, AMatrixPastTheLimitIsRefusedBeforeItIsBuilt) {
  std::string values = "[";
  for (int i = 0; i < 1000; ++i)
    values += (i ? ", v" : "v") + std::to_string(i);
  values += "]";
  std::string file = "m:\n  parallel:\n    matrix:\n      - A: " + values +
                     "\n        B: " + values + "\n  script: [x]\n";
  EXPECT_NE(errors_of(file).find("parallel:matrix gives more than 200 jobs; the limit is 200"),
            std::string::npos);
  // 200 is the limit itself: 2 entries of 10 x 10 make exactly 200 jobs.
  std::string ten = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]";
  Pipeline p = load("m:\n  parallel:\n    matrix:\n      - {A: " + ten + ", B: " + ten +
                    "}\n      - {C: " + ten + ", D: " + ten + "}\n  script: [x]\n");
  EXPECT_EQ(p.jobs.size(), 200u);
}

TEST(Loader, VariablesForms) {
  Pipeline p = load(
      "variables:\n  A: 1\n  B:\n    value: x\n    description: d\n  C:\n    value: $A\n    "
      "expand: false\njob:\n  script: [x]\n");
  ASSERT_EQ(p.variables.size(), 3u);
  EXPECT_EQ(p.variables[0].value, "1");
  EXPECT_EQ(p.variables[1].value, "x");
  EXPECT_FALSE(p.variables[2].expand);
  EXPECT_NE(errors_of("variables:\n  A:\n    valeu: x\njob:\n  script: [x]\n")
                .find("unknown key 'valeu'"),
            std::string::npos);
}

TEST(Loader, MisspeltTopLevelKeyword) {
  EXPECT_NE(errors_of("stagse: [a]\njob:\n  script: [x]\n")
                .find("unknown keyword 'stagse' (did you mean 'stages'?)"),
            std::string::npos);
  EXPECT_NE(
      errors_of("varaibles:\n  A: b\njob:\n  script: [x]\n").find("misspelt keyword 'variables'"),
      std::string::npos);
}

TEST(Loader, AllowFailureRetryTimeoutEnvironmentArtifacts) {
  Pipeline p = load(R"(
job:
  allow_failure: {exit_codes: [1, 3]}
  retry: {max: 2, when: [script_failure]}
  timeout: 1h 30m
  environment: {name: review/$CI_COMMIT_REF_SLUG, url: "https://x", action: start}
  artifacts:
    paths: [dist/]
    exclude: ["dist/*.tmp"]
    when: always
    reports: {dotenv: build.env, junit: [report.xml]}
  script: [x]
)");
  const Job& j = p.jobs[0];
  EXPECT_EQ(j.allow_failure->exit_codes, (std::vector<int>{1, 3}));
  EXPECT_EQ(j.retry_max, 2);
  EXPECT_EQ(j.timeout->count(), 5'400'000);
  EXPECT_EQ(j.environment->name, "review/$CI_COMMIT_REF_SLUG");
  EXPECT_EQ(j.artifacts->dotenv, std::vector<std::string>{"build.env"});
  EXPECT_EQ(j.artifacts->reports.at("junit"), std::vector<std::string>{"report.xml"});
  EXPECT_NE(errors_of("job:\n  retry: 5\n  script: [x]\n").find("retry must be 0, 1 or 2"),
            std::string::npos);
}

}  // namespace
}  // namespace tollgate::pipeline

namespace tollgate::pipeline {
namespace {

TEST(Loader, IncludeInputsFillTheSpecAndKeepTypes) {
  files::TempDir dir;
  std::ofstream(dir.path() / "deploy.yml") << R"(spec:
  inputs:
    env:
      options: [staging, production]
    replicas:
      type: number
      default: 2
    stages:
      type: array
      default: [deploy]
---
deploy-$[[ inputs.env ]]:
  stage: deploy
  variables:
    REPLICAS: $[[ inputs.replicas ]]
  script:
    - echo "deploy to $[[ inputs.env ]] x$[[ inputs.replicas ]]"
)";
  Pipeline p =
      load("include:\n  - local: deploy.yml\n    inputs:\n      env: staging\n      replicas: 3\n",
           dir.path());
  ASSERT_EQ(p.jobs.size(), 1u);
  EXPECT_EQ(p.jobs[0].name, "deploy-staging");
  EXPECT_EQ(p.jobs[0].script[0], "echo \"deploy to staging x3\"");
  EXPECT_EQ(p.jobs[0].variables[0].value, "3");

  auto errors = [&](const std::string& text) {
    try {
      load(text, dir.path());
    } catch (const ErrorList& e) {
      std::string out;
      for (const auto& x : e.all())
        out += x.message() + "\n";
      return out;
    }
    return std::string();
  };
  EXPECT_NE(errors("include:\n  - local: deploy.yml\n").find("input 'env' is required"),
            std::string::npos);
  EXPECT_NE(errors("include:\n  - local: deploy.yml\n    inputs: {env: qa}\n")
                .find("must be one of staging, production"),
            std::string::npos);
  EXPECT_NE(errors("include:\n  - local: deploy.yml\n    inputs: {env: staging, replicas: many}\n")
                .find("input 'replicas' must be a number"),
            std::string::npos);
  EXPECT_NE(errors("include:\n  - local: deploy.yml\n    inputs: {env: staging, replica: 1}\n")
                .find("unknown input 'replica' (did you mean 'replicas'?)"),
            std::string::npos);
}

TEST(Loader, AKeywordWithoutAValueIsUnsetAndTakesTheDefault) {
  Pipeline p = load(R"(
default:
  after_script: [echo cleanup]
.upload: &upload
  artifacts: {paths: [dist/]}
  parallel: 3
  needs: [other]
report:
  <<: *upload
  parallel:
  artifacts:
  needs:
  after_script:
  rules:
  script: [echo report]
ruled:
  rules:
    - if:
      when: manual
  script: [x]
other:
  script: [x]
)");
  ASSERT_EQ(p.jobs.size(), 3u) << "parallel: with no value is no parallel";
  EXPECT_EQ(p.jobs[1].rules->at(0).if_expr, "") << "if: with no value is no condition";
  const Job& report = p.jobs[0];
  EXPECT_EQ(report.name, "report");
  EXPECT_FALSE(report.artifacts.has_value());
  EXPECT_FALSE(report.needs.has_value());
  EXPECT_FALSE(report.rules.has_value());
  EXPECT_EQ(report.after_script, std::vector<std::string>{"echo cleanup"});
}

TEST(Loader, NestedCacheListsFromAnchorsAreFlattened) {
  Pipeline p = load(R"(
.go: &go
  - {key: go, paths: [.go], policy: $POLICY}
  - {key: lint, paths: [.lint]}
.tools: &tools
  key: {files: [tools.lock], prefix: tools}
  paths: [.tools]
build:
  cache: [*go, *tools]
  script: [x]
)");
  const auto& cache = p.jobs[0].cache;
  ASSERT_EQ(cache.size(), 3u);
  EXPECT_EQ(cache[0].key, "go");
  EXPECT_EQ(cache[0].policy, "$POLICY") << "expanded when the job runs";
  EXPECT_EQ(cache[1].key, "lint");
  EXPECT_EQ(cache[2].key_files, std::vector<std::string>{"tools.lock"});
  EXPECT_EQ(cache[2].key_prefix, "tools");
  EXPECT_NE(errors_of("a:\n  cache: [{paths: [a]}, {paths: [b]}, {paths: [c]}, [{paths: [d]}, "
                      "{paths: [e]}]]\n  script: [x]\n")
                .find("ci.yml:2:10: a job has at most 4 caches, this one 5"),
            std::string::npos);
}

TEST(Loader, MatrixExpressionsPairEachCopyWithItsOwnNeed) {
  Pipeline p = load(R"(
build:
  parallel:
    matrix:
      - OS: [linux, darwin]
        ARCH: [amd64, arm64]
  script: [x]
test:
  parallel:
    matrix:
      - OS: [linux, darwin]
        ARCH: [amd64, arm64]
  needs:
    - job: build
      parallel:
        matrix:
          - OS: $[[ matrix.OS ]]
            ARCH: ['$[[ matrix.ARCH ]]']
  script: [x]
)");
  ASSERT_EQ(p.jobs.size(), 8u);
  const Job* test = p.find("test: [darwin, amd64]");
  ASSERT_NE(test, nullptr);
  ASSERT_EQ(test->needs->size(), 1u);
  EXPECT_EQ((*test->needs)[0].job, "build: [darwin, amd64]");
  EXPECT_NE(errors_of("b:\n  script: [x]\nt:\n  needs:\n    - job: b\n      parallel:\n"
                      "        matrix:\n          - OS: $[[ matrix.OS ]]\n  script: [x]\n")
                .find("ci.yml:5:7: job 't': $[[ matrix.NAME ]] in needs is filled only in a "
                      "parallel:matrix job"),
            std::string::npos);
}

TEST(Loader, MainFileSpecInputsTakeDefaultsAndTypedValues) {
  const std::string text = R"(spec:
  inputs:
    env:
      default: staging
    replicas:
      type: number
      default: 2
---
deploy:
  environment: $[[ inputs.env ]]
  parallel: $[[ inputs.replicas ]]
  script: ["echo $[[ inputs.env ]]"]
)";
  Pipeline p = load_pipeline_text(text, "ci.yml", "/nonexistent");
  ASSERT_EQ(p.jobs.size(), 2u) << "a number input keeps its type: parallel: 2";
  EXPECT_EQ(p.jobs[0].environment->name, "staging");
  Pipeline q = load_pipeline_text(text, "ci.yml", "/nonexistent",
                                  {.inputs = {{"env", "production"}, {"replicas", "3"}}});
  ASSERT_EQ(q.jobs.size(), 3u);
  EXPECT_EQ(q.jobs[0].script, std::vector<std::string>{"echo production"});
  try {
    load_pipeline_text(text, "ci.yml", "/nonexistent", {.inputs = {{"replicas", "[1, 2]"}}});
    FAIL() << "a list is not a number";
  } catch (const ErrorList& e) {
    EXPECT_EQ(e.all()[0].message(), "ci.yml:5:5: input 'replicas' must be a number, not a list");
  }
}

TEST(Loader, CoverageAutoCancelAndNullWorkflowKeys) {
  Pipeline p = load(R"(
workflow:
  name:
  auto_cancel: {on_new_commit: interruptible, on_job_failure: all}
  rules:
    - if: $CI_COMMIT_BRANCH =~ $PATTERN
      auto_cancel: {on_new_commit: none}
    - when: always
unit:
  coverage: '/total: (\d+\.\d+)%/'
  script: [x]
)");
  ASSERT_TRUE(p.auto_cancel.has_value());
  EXPECT_EQ(p.auto_cancel->on_job_failure, "all");
  EXPECT_EQ((*p.workflow_rules)[0].auto_cancel->on_new_commit, "none");
  EXPECT_EQ(p.jobs[0].coverage, "/total: (\\d+\\.\\d+)%/");
  EXPECT_NE(errors_of("a:\n  coverage: '/total: (\\d+/'\n  script: [x]\n")
                .find("ci.yml:2:13: coverage /total: (\\d+/ is not a valid RE2 pattern"),
            std::string::npos);
  EXPECT_NE(errors_of("a:\n  rules:\n    - auto_cancel: {on_new_commit: none}\n  script: [x]\n")
                .find("unknown rule keyword 'auto_cancel'"),
            std::string::npos)
      << "auto_cancel is a workflow rule's";
}

}  // namespace
}  // namespace tollgate::pipeline
