#include "pipeline/includer.h"

#include <gtest/gtest.h>

#include <fstream>

#include "pipeline/loader.h"
#include "support/errors.h"
#include "support/http_test_server.h"
#include "util/files.h"

namespace tollgate::pipeline {
namespace {

// A project directory, a GitLab instance on loopback (tollgate::testing::HttpTestServer with
// the API paths put() on it) and a cache: what a plan with includes from outside reads.
struct IncludeFixture {
  files::TempDir project;
  files::TempDir cache;
  testing::HttpTestServer gitlab;
  PlanContext plan;

  IncludeSettings settings(bool offline = false) {
    IncludeSettings s;
    s.server_url = gitlab.url();
    s.cache_dir = cache.path();
    s.offline = offline;
    s.timeout = std::chrono::milliseconds(3000);
    return s;
  }
  Pipeline load(const std::string& text, IncludeFetcher& fetcher) {
    return load_pipeline_text(text, "ci.yml", project.path().string(), {{}, &plan, &fetcher});
  }
  void write(const std::string& rel, const std::string& text) {
    std::filesystem::create_directories((project.path() / rel).parent_path());
    std::ofstream(project.path() / rel) << text;
  }
};

using testing::error_messages;

const Job& job(const Pipeline& p, const std::string& name) {
  const Job* j = p.find(name);
  EXPECT_NE(j, nullptr) << name;
  static Job none;
  return j ? *j : none;
}

const char* kSastTemplate = R"(
stages: [build, test]
.sast-analyzer:
  stage: test
  script: [/analyzer run]
  artifacts:
    reports:
      sast: gl-sast-report.json
semgrep-sast:
  extends: .sast-analyzer
)";

TEST(Includes, TemplateComesFromTheInstancesTemplatesApiAndIsCachedForOffline) {
  IncludeFixture f;
  f.gitlab.put("/api/v4/templates/gitlab_ci_ymls/Jobs%2FSAST", 200,
               nlohmann::json{{"name", "Jobs/SAST"}, {"content", kSastTemplate}}.dump());
  const std::string main =
      "include:\n  - template: Jobs/SAST.gitlab-ci.yml\n"
      "own:\n  stage: build\n  script: [make]\n";
  IncludeFetcher online(f.settings());
  Pipeline p = f.load(main, online);
  EXPECT_EQ(job(p, "semgrep-sast").script, std::vector<std::string>{"/analyzer run"});
  EXPECT_TRUE(p.warnings.empty());
  // Offline, nothing is asked of the instance: the plan reads the cached copy.
  uint64_t asked = f.gitlab.requests();
  IncludeFetcher offline(f.settings(true));
  Pipeline again = f.load(main, offline);
  EXPECT_EQ(f.gitlab.requests(), asked);
  EXPECT_EQ(job(again, "semgrep-sast").stage, "test");
  EXPECT_TRUE(again.warnings.empty());
}

TEST(Includes, ProjectFilesAtARefWithTheTokenAndTheirOwnLocalIncludes) {
  IncludeFixture f;
  const std::string base = "/api/v4/projects/ops%2Fci-templates/repository/files/";
  f.gitlab.put(base + "lint.yml/raw?ref=v2", 200,
               "include:\n  - local: /more/extra.yml\n"
               "lint:\n  script: [lint]\n");
  // The nested local include is a file of ops/ci-templates at v2, not of this project.
  f.gitlab.put(base + "more%2Fextra.yml/raw?ref=v2", 200, "extra:\n  script: [extra]\n");
  f.write("more/extra.yml", "wrong:\n  script: [from this project]\n");
  IncludeSettings s = f.settings();
  s.token = "glpat-secret";
  IncludeFetcher fetcher(s);
  Pipeline p = f.load(
      "include:\n  - project: ops/ci-templates\n    ref: v2\n"
      "    file: [lint.yml]\n",
      fetcher);
  EXPECT_NE(p.find("lint"), nullptr);
  EXPECT_NE(p.find("extra"), nullptr);
  EXPECT_EQ(p.find("wrong"), nullptr);
  EXPECT_NE(f.gitlab.head(base + "lint.yml/raw?ref=v2").find("PRIVATE-TOKEN: glpat-secret"),
            std::string::npos);
}

TEST(Includes, RemoteIsFetchedWithoutTheTokenAndCheckedAgainstItsIntegrity) {
  IncludeFixture f;
  f.gitlab.put("/shared/ci.yml", 200, "remote-job:\n  script: [echo remote]\n");
  IncludeSettings s = f.settings();
  s.token = "glpat-secret";
  IncludeFetcher fetcher(s);
  std::string url = f.gitlab.url() + "/shared/ci.yml";
  Pipeline p = f.load("include: " + url + "\n", fetcher);
  EXPECT_NE(p.find("remote-job"), nullptr);
  EXPECT_EQ(f.gitlab.head("/shared/ci.yml").find("PRIVATE-TOKEN"), std::string::npos)
      << "a token for the instance is never sent to a remote URL";
  // sha256 of the body above, base64: a different digest is an error, never a pass.
  std::string wrong = "sha256-" + std::string(43, 'A') + "=";
  EXPECT_NE(error_messages([&] {
              f.load("include:\n  - remote: " + url + "\n    integrity: " + wrong + "\n", fetcher);
            }).find("does not match its integrity hash"),
            std::string::npos);
}

TEST(Includes, ComponentFromItsProjectAtTheVersionOrTheLatestRelease) {
  IncludeFixture f;
  std::string host = f.gitlab.url().substr(7);  // 127.0.0.1:PORT
  const std::string base = "/api/v4/projects/org%2Fcomponents/repository/files/";
  f.gitlab.put(base + "templates%2Flint%2Ftemplate.yml/raw?ref=1.2.0", 200,
               "spec:\n  inputs:\n    stage:\n      default: test\n---\n"
               "component-lint:\n  stage: $[[ inputs.stage ]]\n  script: [lint]\n");
  f.gitlab.put(
      "/api/v4/projects/org%2Fcomponents/releases?order_by=released_at&sort=desc&per_page=1", 200,
      R"([{"tag_name":"1.2.0"}])");
  IncludeFetcher fetcher(f.settings());
  Pipeline p = f.load("stages: [build, test]\ninclude:\n  - component: " + host +
                          "/org/components/lint@~latest\n    inputs:\n      stage: build\n",
                      fetcher);
  EXPECT_EQ(job(p, "component-lint").stage, "build");
  // templates/lint.yml is tried first, then templates/lint/template.yml.
  EXPECT_EQ(f.gitlab.hits(base + "templates%2Flint.yml/raw?ref=1.2.0"), 1u);
  EXPECT_NE(
      error_messages([&] { f.load("include:\n  - component: gitlab.com/org/c@1\n", fetcher); }), "")
      << "a component reference needs a group, a project and a name";
}

// An answer that is not what the API gives (an HTML login page, no release) leaves the component
// out with a warning; it never stops the plan.
TEST(Includes, ALatestReleaseThatCannotBeReadLeavesTheComponentOut) {
  IncludeFixture f;
  std::string host = f.gitlab.url().substr(7);
  f.gitlab.put("/api/v4/projects/org%2Fc/releases?order_by=released_at&sort=desc&per_page=1", 200,
               "<html>sign in</html>");
  IncludeFetcher fetcher(f.settings());
  Pipeline p = f.load("include:\n  - component: " + host +
                          "/org/c/lint@~latest\nown:\n"
                          "  script: [x]\n",
                      fetcher);
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_NE(p.warnings[0].find("named no release of org/c"), std::string::npos) << p.warnings[0];
}

// GitLab would refuse the whole file; tollgate plans the rest, says once what is missing, and
// marks only the jobs that need what the missing file defines.
TEST(Includes, AnUnavailableIncludeLeavesOutOnlyTheJobsThatNeedIt) {
  IncludeFixture f;
  IncludeFetcher fetcher(f.settings(true));  // offline, nothing cached
  Pipeline p = f.load(R"(
include:
  - template: Jobs/SAST.gitlab-ci.yml
build:
  stage: build
  script: [make]
custom-sast:
  extends: .sast-analyzer
  variables: {X: "1"}
uses-ref:
  script: [!reference [.sast-analyzer, script]]
waits:
  needs: [semgrep-sast]
  script: [echo]
)",
                      fetcher);
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_NE(p.warnings[0].find("template: Jobs/SAST.gitlab-ci.yml"), std::string::npos);
  EXPECT_NE(p.warnings[0].find("--offline"), std::string::npos);
  EXPECT_EQ(job(p, "build").unrunnable, "");
  EXPECT_NE(job(p, "custom-sast").unrunnable.find("extends '.sast-analyzer'"), std::string::npos);
  EXPECT_NE(job(p, "uses-ref").unrunnable.find("!reference [.sast-analyzer, script]"),
            std::string::npos);
  EXPECT_NE(job(p, "waits").unrunnable.find("needs 'semgrep-sast'"), std::string::npos);
  EXPECT_NE(job(p, "waits").unrunnable.find("Jobs/SAST.gitlab-ci.yml"), std::string::npos);
}

TEST(Includes, WithEveryIncludeHadAnUndefinedNameIsStillAnError) {
  IncludeFixture f;
  IncludeFetcher fetcher(f.settings(true));
  std::string errors = error_messages([&] { f.load("job:\n  extends: .nothing\n", fetcher); });
  EXPECT_NE(errors.find("extends '.nothing', which does not exist"), std::string::npos);
}

TEST(Includes, RulesDecideAndASkippedIncludeIsNeverFetched) {
  IncludeFixture f;
  f.plan.variables.set("CI_COMMIT_BRANCH", "main");
  f.plan.project_files = {"Dockerfile"};
  f.write("docker.yml", "docker:\n  script: [build]\n");
  f.write("never.yml", "never:\n  script: [x]\n");
  IncludeFetcher fetcher(f.settings());
  Pipeline p = f.load(R"(
include:
  - local: docker.yml
    rules:
      - exists: [Dockerfile]
  - local: never.yml
    rules:
      - if: $CI_COMMIT_BRANCH == "main"
        when: never
      - when: always
  - remote: )" + f.gitlab.url() +
                          R"(/skipped.yml
    rules:
      - if: $CI_COMMIT_BRANCH == "release"
own:
  script: [x]
)",
                      fetcher);
  EXPECT_NE(p.find("docker"), nullptr);
  EXPECT_EQ(p.find("never"), nullptr);
  EXPECT_EQ(f.gitlab.hits("/skipped.yml"), 0u);
  EXPECT_TRUE(p.warnings.empty()) << "a skipped include is not reported";
}

TEST(Includes, LocalPathsExpandVariablesAndUseGitLabsWildcards) {
  IncludeFixture f;
  f.plan.overrides.push_back(Variable{"BASE", "ci"});
  f.write("ci/top.yml", "top:\n  script: [x]\n");
  f.write("ci/jobs/deep.yml", "deep:\n  script: [x]\n");
  IncludeFetcher fetcher(f.settings(true));
  Pipeline all = f.load("include: $BASE/**.yml\n", fetcher);
  EXPECT_NE(all.find("top"), nullptr);
  EXPECT_NE(all.find("deep"), nullptr);
  Pipeline sub = f.load("include: ${BASE}/**/*.yml\n", fetcher);
  EXPECT_EQ(sub.find("top"), nullptr) << "**/ needs at least one folder";
  EXPECT_NE(sub.find("deep"), nullptr);
}

TEST(Includes, AnUnreachableInstanceIsTriedOnceAndTheCacheServesTheRest) {
  IncludeFixture f;
  IncludeSettings s = f.settings();
  s.server_url = "http://127.0.0.1:9";  // the discard port: nothing listens
  IncludeFetcher fetcher(s);
  Pipeline p = f.load(
      "include:\n  - template: A.gitlab-ci.yml\n  - template: B.gitlab-ci.yml\n"
      "own:\n  script: [x]\n",
      fetcher);
  ASSERT_EQ(p.warnings.size(), 2u);
  EXPECT_NE(p.warnings[1].find("cannot be reached"), std::string::npos) << p.warnings[1];
}

// Another project's job, or a trigger of another project's pipeline: the pipeline is valid and
// only that job cannot run here.
TEST(Includes, OtherProjectsNeedsAndTriggersMarkOnlyTheirJob) {
  IncludeFixture f;
  IncludeFetcher fetcher(f.settings(true));
  Pipeline p = f.load(R"(
build:
  script: [make]
uses-other:
  needs:
    - project: group/lib
      job: package
      ref: main
      artifacts: true
  script: [use]
deploy-downstream:
  trigger: group/deploy
wait-downstream:
  trigger:
    project: group/deploy
    strategy: depend
)",
                      fetcher);
  EXPECT_EQ(job(p, "build").unrunnable, "");
  EXPECT_NE(job(p, "uses-other").unrunnable.find("job 'package' of project group/lib"),
            std::string::npos);
  EXPECT_NE(job(p, "deploy-downstream").unrunnable.find("project group/deploy"), std::string::npos);
  EXPECT_FALSE(job(p, "deploy-downstream").unrunnable_outcome_counts);
  EXPECT_TRUE(job(p, "wait-downstream").unrunnable_outcome_counts);
}

// GitLab resolves include, then extends, then !reference: a reference may name a key a job
// has only from its parent, and a job's own hash replaces an inherited reference.
TEST(Includes, ReferenceAfterExtends) {
  IncludeFixture f;
  IncludeFetcher fetcher(f.settings(true));
  Pipeline p = f.load(R"(
.base:
  variables: {FROM: base}
  script: [echo base]
.child:
  extends: .base
uses:
  script: !reference [.child, script]
.with-ref:
  variables: !reference [.base, variables]
own-hash:
  extends: .with-ref
  variables: {MINE: "1"}
  script: [x]
)",
                      fetcher);
  EXPECT_EQ(job(p, "uses").script, std::vector<std::string>{"echo base"});
  ASSERT_EQ(job(p, "own-hash").variables.size(), 1u);
  EXPECT_EQ(job(p, "own-hash").variables[0].name, "MINE");
}

TEST(Includes, AFileOfHundredsOfJobsMergesOverItsIncludeKeyByKey) {
  IncludeFixture f;
  std::string common, ci = "include: common.yml\n";
  for (int i = 0; i < 300; ++i)
    common += "job_" + std::to_string(i) + ": {script: [inc], variables: {A: inc}}\n";
  for (int i = 150; i < 450; ++i)
    ci += "job_" + std::to_string(i) + ": {script: [own], variables: {B: own}}\n";
  f.write("common.yml", common);
  IncludeFetcher fetcher(f.settings(true));
  Pipeline p = f.load(ci, fetcher);
  ASSERT_EQ(p.jobs.size(), 450u);
  // The include's jobs keep their place; the file's new ones follow in its order.
  EXPECT_EQ(p.jobs[0].name, "job_0");
  EXPECT_EQ(p.jobs[299].name, "job_299");
  EXPECT_EQ(p.jobs[300].name, "job_300");
  EXPECT_EQ(job(p, "job_0").script, std::vector<std::string>{"inc"});
  EXPECT_EQ(job(p, "job_200").script, std::vector<std::string>{"own"});
  ASSERT_EQ(job(p, "job_200").variables.size(), 2u);  // hashes merge, A from the include
  EXPECT_EQ(job(p, "job_200").variables[0].name, "A");
  EXPECT_EQ(job(p, "job_200").variables[1].name, "B");
  ASSERT_EQ(job(p, "job_400").variables.size(), 1u);
  EXPECT_EQ(job(p, "job_400").variables[0].name, "B");
}

TEST(Includes, JobsExtendingOneParentEachMergeOverTheirOwnCopy) {
  IncludeFixture f;
  IncludeFetcher fetcher(f.settings(true));
  Pipeline p = f.load(R"(
.base: {script: [echo base], variables: {FROM: base}}
.middle: {extends: .base, variables: {MIDDLE: "1"}}
a:
  extends: .middle
  variables: {A: "1"}
b:
  extends: .middle
  script: [echo b]
c:
  extends: [.base, .middle]
)",
                      fetcher);
  ASSERT_EQ(job(p, "a").variables.size(), 3u);
  EXPECT_EQ(job(p, "a").variables[2].name, "A");
  EXPECT_EQ(job(p, "a").script, std::vector<std::string>{"echo base"});
  ASSERT_EQ(job(p, "b").variables.size(), 2u);  // no A from its sibling
  EXPECT_EQ(job(p, "b").script, std::vector<std::string>{"echo b"});
  ASSERT_EQ(job(p, "c").variables.size(), 2u);
  EXPECT_EQ(job(p, "c").variables[1].name, "MIDDLE");
}

}  // namespace
}  // namespace tollgate::pipeline
