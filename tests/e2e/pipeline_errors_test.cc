// Whole-binary tests of how `tollgate plan` and `tollgate run` explain a broken pipeline and
// what they would run.
#include <gtest/gtest.h>

#include "pipeline_project.h"

namespace tollgate::testing {
namespace {

TEST(PipelineErrors, UnknownKeywordWithSuggestionAndLocation) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", "build:cart:\n  stage: build\n  scirpt:\n    - make\n");
  auto r = p.tollgate("plan");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(
      r.err.find("tollgate: error: .gitlab-ci.yml:3:3: job 'build:cart': unknown keyword 'scirpt' "
                 "(did you mean 'script'?)"),
      std::string::npos)
      << r.err;
  EXPECT_EQ(p.tollgate("run").exit_code, 2);
}

TEST(PipelineErrors, YamlTrapsAreExplained) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", "job:\n  script:\n    - echo \"a: b\"\n    - false\n");
  auto r = p.tollgate("plan");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(".gitlab-ci.yml:3:7: script line is read by YAML as a mapping"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("quote the whole line"), std::string::npos);
  EXPECT_NE(r.err.find(".gitlab-ci.yml:4:7: script line 'false' is read by YAML as a boolean"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("2 errors"), std::string::npos);
}

TEST(PipelineErrors, NeedsOnMissingJobAndCycles) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", "a:\n  needs: [biuld]\n  script: [x]\nbuild:\n  script: [x]\n");
  auto r = p.tollgate("plan");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(
      r.err.find(
          ".gitlab-ci.yml:2:11: job 'a' needs 'biuld', which is not a job (did you mean 'build'?)"),
      std::string::npos)
      << r.err;

  p.write(".gitlab-ci.yml", "a:\n  needs: [b]\n  script: [x]\nb:\n  needs: [a]\n  script: [x]\n");
  r = p.tollgate("plan");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("needs form a cycle: a -> b -> a"), std::string::npos) << r.err;
}

TEST(PipelineErrors, WrongTypesStagesAndBrokenYaml) {
  PipelineProject p;
  p.write(
      ".gitlab-ci.yml",
      "stages: [build]\njob:\n  stage: tset\n  when: sometimes\n  timeout: soon\n  script: [x]\n");
  auto r = p.tollgate("plan");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("stage 'tset' is not in stages"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(".gitlab-ci.yml:4:9: when must be one of"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(".gitlab-ci.yml:5:12: timeout 'soon' is not a duration"), std::string::npos)
      << r.err;

  p.write(".gitlab-ci.yml", "job:\n  script: [x\n");
  r = p.tollgate("plan");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("tollgate: error: .gitlab-ci.yml:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("invalid YAML"), std::string::npos) << r.err;

  r = p.tollgate("plan --file missing.yml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing.yml: no pipeline file here"), std::string::npos) << r.err;
}

TEST(PipelineErrors, WrongFlagsAreUsageErrors) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", "job:\n  script: [x]\n");
  EXPECT_EQ(p.tollgate("run --no-such-flag").exit_code, 2);
  EXPECT_EQ(p.tollgate("run -j 0").exit_code, 2);
  auto r = p.tollgate("run nosuchjob");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no job named 'nosuchjob'"), std::string::npos) << r.err;
  EXPECT_EQ(p.tollgate("run --help").exit_code, 0);
  // A wrong --parent (written by trigger jobs) says what it expects.
  r = p.tollgate("run --parent deploy");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--parent 'deploy': expected RUN:JOB"), std::string::npos) << r.err;
}

// Every command and group in the top-level help says what it is for.
TEST(PipelineErrors, TheTopLevelHelpDescribesEveryCommand) {
  PipelineProject p;
  auto r = p.tollgate("--help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.find(" commands\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("env                         Environments:"), std::string::npos) << r.out;
}

TEST(PipelinePlan, ShowsWhyAndTheGraph) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
build:
  stage: build
  script: [x]
test:
  stage: test
  rules:
    - if: $SKIP_TESTS
      when: never
    - when: on_success
  script: [x]
lint:
  stage: test
  needs: []
  script: [x]
deploy:
  stage: deploy
  when: manual
  script: [x]
)yaml");
  auto r = p.tollgate("plan --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto plan = r.json();
  ASSERT_EQ(plan["jobs"].size(), 4u);
  EXPECT_EQ(plan["jobs"][1]["why"], "rule 2");
  EXPECT_EQ(plan["jobs"][2]["needs"].size(), 0u);
  EXPECT_EQ(plan["jobs"][3]["when"], "manual");
  EXPECT_EQ(plan["jobs"][3]["allow_failure"], true);
  auto skipped = p.tollgate("plan --format json --var SKIP_TESTS=1").json();
  EXPECT_EQ(skipped["not_created"][0]["name"], "test");
  EXPECT_EQ(skipped["not_created"][0]["why"], "rule 1: if $SKIP_TESTS (when: never)");
  auto mermaid = p.tollgate("plan --graph mermaid");
  EXPECT_NE(mermaid.out.find("graph LR"), std::string::npos);
  EXPECT_NE(mermaid.out.find("j0 --> j1"), std::string::npos) << mermaid.out;
  EXPECT_EQ(mermaid.out.find("--> j2"), std::string::npos) << "lint needs nothing: " << mermaid.out;
  auto dot = p.tollgate("plan --graph dot");
  EXPECT_NE(dot.out.find("digraph pipeline"), std::string::npos);
  EXPECT_NE(dot.out.find("j1 -> j3;"), std::string::npos) << dot.out;
}

}  // namespace
}  // namespace tollgate::testing
