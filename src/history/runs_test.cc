#include "history/runs.h"

#include <gtest/gtest.h>

#include "util/error.h"
#include "util/files.h"

namespace tollgate::history {
namespace {

TEST(RunStore, RecordsRunsAndJobsInWalMode) {
  files::TempDir dir;
  db::Database db(dir.path() / ".tollgate" / "history.db");
  {
    db::Statement mode(db.handle(), "PRAGMA journal_mode");
    ASSERT_TRUE(mode.step());
    EXPECT_EQ(mode.column_text(0), "wal");
  }
  RunStore store(db);
  RunRecord run{0, ".gitlab-ci.yml", "/p", "abc", "main", "", 0, "2026-11-26T00:00:00.000Z"};
  run.id = store.begin_run(run);
  EXPECT_EQ(run.id, 1);
  JobRecord job;
  job.name = "build:cart";
  job.stage = "build";
  job.status = "failed";
  job.exit_code = 3;
  job.environment_name = "staging";
  store.record_job(run.id, job);
  run.status = "failed";
  run.exit_code = 1;
  store.finish_run(run);
  auto back = store.run(run.id);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->status, "failed");
  auto jobs = store.jobs(run.id);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].exit_code, 3);
  EXPECT_EQ(jobs[0].environment_name, "staging");
  EXPECT_EQ(store.begin_run(run), 2);
}

TEST(RunStore, AHistoryFromBeforeReleasesGainsTheColumnsAndKeepsItsJobs) {
  files::TempDir dir;
  db::Database db(dir.path() / "history.db");
  // The jobs table as it was before the release column.
  db.exec(
      "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, pipeline_file TEXT NOT NULL, "
      "project_dir TEXT NOT NULL, commit_sha TEXT NOT NULL DEFAULT '', ref TEXT NOT NULL "
      "DEFAULT '', status TEXT NOT NULL, exit_code INTEGER NOT NULL DEFAULT 0, started_at TEXT "
      "NOT NULL, finished_at TEXT NOT NULL DEFAULT '', duration_s REAL NOT NULL DEFAULT 0);"
      "CREATE TABLE jobs (run_id INTEGER NOT NULL, name TEXT NOT NULL, stage TEXT NOT NULL, "
      "status TEXT NOT NULL, exit_code INTEGER NOT NULL DEFAULT 0, allow_failure INTEGER NOT "
      "NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, started_at TEXT NOT NULL DEFAULT '', "
      "finished_at TEXT NOT NULL DEFAULT '', duration_s REAL NOT NULL DEFAULT 0, log TEXT NOT "
      "NULL DEFAULT '', reason TEXT NOT NULL DEFAULT '', environment_name TEXT NOT NULL DEFAULT "
      "'', environment_url TEXT NOT NULL DEFAULT '', environment_action TEXT NOT NULL DEFAULT "
      "'', PRIMARY KEY (run_id, name));"
      "INSERT INTO runs (pipeline_file, project_dir, status, started_at) VALUES ('f', '/p', "
      "'success', 't');"
      "INSERT INTO jobs (run_id, name, stage, status, environment_name, environment_action, "
      "finished_at) VALUES (1, 'deploy', 'deploy', 'success', 'staging', 'start', 't1');");
  RunStore store(db);
  JobRecord job;
  job.name = "deploy";
  job.stage = "deploy";
  job.status = "success";
  job.environment_name = "staging";
  job.environment_action = "start";
  job.release = "1.4.2";
  job.release_images = "cart=acme/cart@sha256:74a5,user=acme/user@sha256:f1f7";
  job.finished_at = "t2";
  store.record_job(store.begin_run(RunRecord{0, "f", "/p"}), job);
  std::vector<Deployment> d = store.deployments("staging");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].release, "1.4.2");
  EXPECT_EQ(d[0].release_images, "cart=acme/cart@sha256:74a5,user=acme/user@sha256:f1f7");
  EXPECT_EQ(d[0].run_id, 2);
  EXPECT_EQ(d[1].release, "") << "an old deployment has no release recorded";
  EXPECT_EQ(d[1].release_images, "");
  EXPECT_EQ(d[1].run_id, 1);
  // The old run reads with the newer run columns empty.
  auto old = store.run(1);
  ASSERT_TRUE(old);
  EXPECT_EQ(old->source, "");
  EXPECT_TRUE(old->stages.empty());
  EXPECT_EQ(old->parent_run_id, 0);
  EXPECT_FALSE(store.jobs(1).at(0).coverage) << "an old job has no coverage recorded";
}

TEST(RunStore, AJobsCoverageIsKeptAndAJobWithoutOneHasNone) {
  files::TempDir dir;
  db::Database db(dir.path() / "history.db");
  RunStore store(db);
  int64_t run = store.begin_run(RunRecord{0, "f", "/p"});
  JobRecord tested{.name = "test", .stage = "test", .status = "success"};
  tested.coverage = 87.25;
  store.record_jobs(run, {tested, JobRecord{.name = "lint", .stage = "test", .status = "success"}});
  std::vector<JobRecord> jobs = store.jobs(run);
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].name, "lint");
  EXPECT_FALSE(jobs[0].coverage);
  ASSERT_TRUE(jobs[1].coverage);
  EXPECT_EQ(*jobs[1].coverage, 87.25);
}

// A trigger job's child pipeline is a run of its own that names the run and job that started it;
// the parent finds its children by that.
TEST(RunStore, AChildRunNamesItsParentAndTheParentFindsItsChildren) {
  files::TempDir dir;
  db::Database db(dir.path() / "history.db");
  RunStore store(db);
  int64_t parent = store.begin_run(RunRecord{0, ".gitlab-ci.yml", "/p"});
  RunRecord child{0, ".tollgate-child-pipeline.yml", "/p/.tollgate/builds/1/deploy"};
  child.source = "parent_pipeline";
  child.parent_run_id = parent;
  child.parent_job = "deploy:eu";
  int64_t first = store.begin_run(child);
  child.parent_job = "deploy:us";
  int64_t second = store.begin_run(child);
  store.begin_run(RunRecord{0, ".gitlab-ci.yml", "/p"});  // another pipeline, no parent

  auto back = store.run(first);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->parent_run_id, parent);
  EXPECT_EQ(back->parent_job, "deploy:eu");
  std::vector<RunRecord> children = store.children(parent);
  ASSERT_EQ(children.size(), 2u);
  EXPECT_EQ(children[0].id, first);
  EXPECT_EQ(children[1].id, second);
  EXPECT_EQ(children[1].parent_job, "deploy:us");
  EXPECT_TRUE(store.children(first).empty());
}

// The dashboard draws a run from what the runner recorded: stages, needs, reports, variables.
TEST(RunStore, KeepsTheGraphAndTheReportsOfARun) {
  files::TempDir dir;
  db::Database db(dir.path() / "history.db");
  RunStore store(db);
  RunRecord run{0, ".gitlab-ci.yml", "/p", "abc", "main"};
  run.source = "push";
  run.stages = {"build", "test"};
  run.variables = {{"TOKEN", "[MASKED]", "command line"}, {"MODE", "$BASE/fast", "pipeline file"}};
  run.id = store.begin_run(run);
  JobRecord build{"build", "build", "created"};
  build.position = 0;
  JobRecord scan{"scan", "test", "created"};
  scan.position = 1;
  scan.needs = {"build"};
  store.record_jobs(run.id, {scan, build});
  scan.status = "success";
  scan.reports = {{"container_scanning", "r/1/a/scan/gl.json"}, {"dotenv", "r/1/a/scan/x.env"}};
  store.record_job(run.id, scan);

  auto back = store.run(run.id);
  EXPECT_EQ(back->source, "push");
  EXPECT_EQ(back->stages, (std::vector<std::string>{"build", "test"}));
  ASSERT_EQ(back->variables.size(), 2u);
  EXPECT_EQ(back->variables[0].value, "[MASKED]");
  EXPECT_EQ(back->variables[1].source, "pipeline file");
  auto jobs = store.jobs(run.id);
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].name, "build") << "plan order, not the order recorded";
  EXPECT_EQ(jobs[1].needs, std::vector<std::string>{"build"});
  ASSERT_EQ(jobs[1].reports.size(), 2u);
  EXPECT_EQ(jobs[1].reports[0].type, "container_scanning");
  // Recording the job again replaces its reports rather than adding to them.
  store.record_job(run.id, scan);
  EXPECT_EQ(store.job(run.id, "scan")->reports.size(), 2u);
  EXPECT_FALSE(store.job(run.id, "nope"));
  auto counts = store.job_counts(run.id, run.id);
  EXPECT_EQ(counts[run.id]["created"], 1);
  EXPECT_EQ(counts[run.id]["success"], 1);
}

TEST(RunStore, PagesRunsNewestFirstAndReportsOfTheLastRuns) {
  files::TempDir dir;
  db::Database db(dir.path() / "history.db");
  RunStore store(db);
  for (int i = 1; i <= 5; ++i) {
    int64_t id = store.begin_run(RunRecord{0, "f", "/p"});
    JobRecord job{"slo", "test", "success"};
    job.reports = {{"metrics", "m" + std::to_string(i)}};
    if (i != 4) store.record_job(id, job);  // run 4 left no report
  }
  EXPECT_EQ(store.count_runs(), 5);
  auto first = store.runs_before(0, 2);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].id, 5);
  EXPECT_EQ(first[1].id, 4);
  auto next = store.runs_before(first.back().id, 2);
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].id, 3);
  // The last three runs that left a metrics report: 5, 3 and 2 (4 left none).
  auto reports = store.reports("metrics", 3);
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports[0].run_id, 5);
  EXPECT_EQ(reports[1].file.path, "m3");
  EXPECT_EQ(reports[2].run_id, 2);
}

TEST(RunStore, AJobStillToRunIsNoDeployment) {
  files::TempDir dir;
  db::Database db(dir.path() / "history.db");
  RunStore store(db);
  int64_t id = store.begin_run(RunRecord{0, "f", "/p"});
  JobRecord deploy{"deploy", "deploy", "created"};
  deploy.environment_name = "staging";
  store.record_job(id, deploy);
  EXPECT_TRUE(store.deployments("staging").empty());
  deploy.status = "running";
  store.record_job(id, deploy);
  EXPECT_TRUE(store.deployments("staging").empty());
  deploy.status = "success";
  store.record_job(id, deploy);
  EXPECT_EQ(store.deployments("staging").size(), 1u);
}

TEST(RunStore, AReaderSeesTheWritersRunsAndCannotWrite) {
  files::TempDir dir;
  EXPECT_THROW(db::Database(dir.path() / "none.db", db::Database::Access::ReadOnly), Error);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "none.db")) << "a reader creates nothing";
  db::Database writer(dir.path() / "history.db");
  RunStore(writer).begin_run(RunRecord{0, "f", "/p"});
  db::Database reader(dir.path() / "history.db", db::Database::Access::ReadOnly);
  RunStore store(reader);
  EXPECT_EQ(store.count_runs(), 1);
  EXPECT_THROW(store.begin_run(RunRecord{0, "f", "/p"}), Error);
}

}  // namespace
}  // namespace tollgate::history
