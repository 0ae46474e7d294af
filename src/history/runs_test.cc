#include "history/runs.h"

#include <gtest/gtest.h>

#include "util/files.h"

namespace tollgate::history {
namespace {

TEST(RunStore, RecordsRunsAndJobsInWalMode) {
  files::TempDir dir;
  Database db(dir.path() / ".tollgate" / "history.db");
  Statement mode(db.handle(), "PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.column_text(0), "wal");
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
  Database db(dir.path() / "history.db");
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
}

}  // namespace
}  // namespace tollgate::history
