// Whole-binary tests of GitLab fidelity on the corpus in tests/pipelines/gitlab/: what GitLab
// rejects tollgate rejects at the same place, what it accepts tollgate plans and runs, and the
// command line around them (--input, --format json errors, job names among options).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "pipeline_project.h"

namespace tollgate::testing {
namespace {

namespace fs = std::filesystem;

fs::path corpus() {
  return source_dir() / "tests" / "pipelines" / "gitlab";
}

std::vector<std::string> corpus_files(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(corpus() / dir))
    out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// A project holding one corpus file as its .gitlab-ci.yml.
struct CorpusProject : PipelineProject {
  explicit CorpusProject(const fs::path& file) { write(".gitlab-ci.yml", files::read(file)); }
};

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name;
  for (char c : info.param.substr(0, info.param.rfind('.')))
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

class RejectedAsByGitLab : public ::testing::TestWithParam<std::string> {};

// Each invalid file's first line, "# expect: LINE:COL: TEXT", is what plan must say, and all it
// says.
TEST_P(RejectedAsByGitLab, ExitTwoAtTheLineAndColumn) {
  fs::path file = corpus() / "invalid" / GetParam();
  std::string first = str::split_lines(files::read(file)).front();
  ASSERT_EQ(first.rfind("# expect: ", 0), 0u) << file;
  std::string expected = ".gitlab-ci.yml:" + first.substr(10);
  std::string at = expected.substr(0, expected.find(": ") + 2);
  std::string text = expected.substr(at.size());
  CorpusProject p(file);
  auto r = p.tollgate("plan");
  EXPECT_EQ(r.exit_code, 2) << r.out;
  size_t found = r.err.find("tollgate: error: " + at);
  ASSERT_NE(found, std::string::npos) << "expected at " << at << "\n" << r.err;
  EXPECT_NE(r.err.substr(found, r.err.find('\n', found) - found).find(text), std::string::npos)
      << r.err;
  EXPECT_EQ(str::split_lines(r.err).size(), 1u) << "one mistake, one error (no echoes)\n" << r.err;
}

INSTANTIATE_TEST_SUITE_P(Corpus, RejectedAsByGitLab, ::testing::ValuesIn(corpus_files("invalid")),
                         test_name);

class AcceptedAsByGitLab : public ::testing::TestWithParam<std::string> {};

TEST_P(AcceptedAsByGitLab, PlansWithExitZero) {
  CorpusProject p(corpus() / "valid" / GetParam());
  auto r = p.tollgate("plan");
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Corpus, AcceptedAsByGitLab, ::testing::ValuesIn(corpus_files("valid")),
                         test_name);

std::vector<std::string> names(const nlohmann::json& jobs) {
  std::vector<std::string> out;
  for (const auto& j : jobs)
    out.push_back(j["name"]);
  return out;
}

TEST(GitLabSyntax, NewerSyntaxPlansAndRunsWithMatrixPairs) {
  CorpusProject p(corpus() / "newer-syntax.gitlab-ci.yml");
  auto plan = p.tollgate("plan --format json");
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  auto jobs = plan.json()["jobs"];
  ASSERT_EQ(jobs.size(), 9u) << jobs.dump(2) << "\n4 builds, 4 tests, one report (parallel: unset)";
  for (const auto& j : jobs) {
    if (j["name"] != "test: [darwin, arm64]") continue;
    EXPECT_EQ(j["needs"], nlohmann::json::array({"build: [darwin, arm64]"}))
        << "$[[ matrix.NAME ]] pairs each test with its own build";
  }
  EXPECT_EQ(names(jobs).back(), "report");
  auto run = p.run_json();
  EXPECT_EQ(run["status"], "success");
  EXPECT_EQ(job_status(run, "test: [linux, amd64]"), "success");
}

TEST(GitLabSyntax, MainFileInputsTakeDefaultsAndInputFlags) {
  CorpusProject p(corpus() / "inputs.gitlab-ci.yml");
  auto run = p.run_json();
  EXPECT_NE(p.read((*find_job(run, "deploy"))["log"]).find("deploying 2 replicas to staging"),
            std::string::npos);
  EXPECT_EQ(job_status(run, "smoke"), "success");

  run = p.run_json("--input environment=production --input replicas=5 --input smoke=false");
  EXPECT_NE(p.read((*find_job(run, "deploy"))["log"]).find("deploying 5 replicas to production"),
            std::string::npos);
  EXPECT_EQ(job_status(run, "smoke"), "absent") << "smoke: false leaves the job out";

  auto plan = p.tollgate("plan --input smoke=false deploy");
  EXPECT_EQ(plan.exit_code, 0) << plan.err;
}

TEST(GitLabSyntax, WrongInputsAreErrorsAtTheInputsLine) {
  CorpusProject p(corpus() / "inputs.gitlab-ci.yml");
  auto r = p.tollgate("plan --input replicas=five");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(".gitlab-ci.yml:6:5: input 'replicas' must be a number, not the string "
                       "'five'"),
            std::string::npos)
      << r.err;
  r = p.tollgate("plan --input environment=qa");
  EXPECT_NE(r.err.find(".gitlab-ci.yml:3:5: input 'environment' must be one of staging, "
                       "production, not 'qa'"),
            std::string::npos)
      << r.err;
  r = p.tollgate("plan --input replcias=3");
  EXPECT_NE(r.err.find("unknown input 'replcias' (did you mean 'replicas'?)"), std::string::npos)
      << r.err;
  p.write(".gitlab-ci.yml", "job:\n  script: [x]\n");
  r = p.tollgate("plan --input replicas=3");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("declares no inputs"), std::string::npos) << r.err;
}

TEST(GitLabErrors, AnAnchorMergedIntoManyJobsIsOneError) {
  PipelineProject p;
  std::string file = ".defaults: &defaults\n  image: alpine\n  retyr: 2\n";
  for (int i = 1; i <= 15; ++i)
    file += "job" + std::to_string(i) + ":\n  <<: *defaults\n  script: [x]\n";
  p.write(".gitlab-ci.yml", file);
  auto r = p.tollgate("plan");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "tollgate: error: .gitlab-ci.yml:3:3: job 'job1': unknown keyword 'retyr' (did you "
            "mean 'retry'?) (and 14 more times, where the same text is merged)\n");
}

TEST(GitLabErrors, PlanFormatJsonPrintsTheErrors) {
  CorpusProject p(corpus() / "invalid" / "needs-string.yml");
  p.write("other.yml", "a:\n  script: [x]\n  rules: []\nb:\n  when: never\n  script: [x]\n");
  auto r = p.tollgate("plan --format json --file other.yml");
  EXPECT_EQ(r.exit_code, 2);
  auto errors = r.json()["errors"];
  ASSERT_EQ(errors.size(), 2u) << r.out;
  EXPECT_EQ(errors[0],
            (nlohmann::json{{"file", "other.yml"},
                            {"line", 3},
                            {"column", 10},
                            {"message",
                             "rules must not be empty: GitLab rejects 'rules: []' (remove the key, "
                             "or write '- when: never' to leave the job out)"}}));
  EXPECT_EQ(errors[1]["line"], 5);
  EXPECT_NE(r.err.find("other.yml:3:10: rules must not be empty"), std::string::npos)
      << "people still read the errors on stderr";

  r = p.tollgate("run --format json");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.json()["errors"][0]["line"], 8);
}

TEST(GitLabCli, JobNamesAndOptionsMixInAnyOrder) {
  PipelineProject p;
  p.write(".gitlab-ci.yml",
          "build:\n  script: [echo built $K]\ndeploy:\n  needs: [build]\n  script: [echo "
          "deployed $K]\nother:\n  script: [echo other]\n");
  for (std::string args : {"--var K=V deploy", "deploy --var K=V", "--var=K=V deploy"}) {
    auto run = p.run_json(args);
    EXPECT_EQ(job_status(run, "deploy"), "success") << args;
    EXPECT_EQ(job_status(run, "other"), "absent") << args;
    EXPECT_NE(p.read((*find_job(run, "deploy"))["log"]).find("deployed V"), std::string::npos)
        << args;
    auto plan = p.tollgate("plan --format json " + args);
    ASSERT_EQ(plan.exit_code, 0) << args << ": " << plan.err;
    EXPECT_EQ(names(plan.json()["jobs"]), (std::vector<std::string>{"build", "deploy"})) << args;
  }
  auto run = p.run_json("--var K=1 --var-masked S=secret-value build --var J=2");
  EXPECT_EQ(job_status(run, "build"), "success");
  EXPECT_EQ(job_status(run, "deploy"), "absent");
}

TEST(GitLabRun, ABlockingManualJobLeavesThePipelineBlocked) {
  PipelineProject p;
  p.write(".gitlab-ci.yml", R"yaml(
stages: [build, approve, release]
build:
  stage: build
  script: [echo built]
approve:
  stage: approve
  when: manual
  allow_failure: false
  script: [echo approved]
release:
  stage: release
  script: [echo released]
)yaml");
  auto run = p.run_json("", 1);
  EXPECT_EQ(run["status"], "blocked");
  EXPECT_EQ(run["exit_code"], 1);
  EXPECT_EQ(job_status(run, "release"), "skipped");
  auto table = p.tollgate("run");
  EXPECT_EQ(table.exit_code, 1);
  EXPECT_NE(table.out.find("blocked (waiting for a manual job)"), std::string::npos) << table.out;
  auto approved = p.run_json("approve release");
  EXPECT_EQ(approved["status"], "success");

  p.write(".gitlab-ci.yml",
          "build:\n  script: [echo built]\noptional:\n  when: manual\n  script: [echo x]\n");
  EXPECT_EQ(p.run_json()["status"], "success") << "a manual job that may fail blocks nothing";
}

TEST(GitLabRun, LongMatrixNamesRunAndOverlongOnesAreErrors) {
  PipelineProject p;
  std::string value(200, 'v');
  p.write(".gitlab-ci.yml", "e2e:\n  parallel:\n    matrix:\n      - A: [" + value +
                                "]\n        B: [" + std::string(40, 'w') +
                                "]\n  script: [echo ok]\n");
  auto run = p.run_json();
  ASSERT_EQ(run["jobs"].size(), 1u);
  EXPECT_EQ(run["jobs"][0]["status"], "success");
  EXPECT_EQ(run["jobs"][0]["name"].get<std::string>().size(), 249u);

  p.write(".gitlab-ci.yml", "e2e:\n  parallel:\n    matrix:\n      - A: [" + value +
                                "]\n        B: [" + std::string(100, 'w') +
                                "]\n  script: [echo ok]\n");
  auto r = p.tollgate("run");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(".gitlab-ci.yml:1:1: job 'e2e': parallel:matrix makes the name"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace tollgate::testing
