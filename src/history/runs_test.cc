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

}  // namespace
}  // namespace tollgate::history
