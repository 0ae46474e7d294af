#include "history/runs.h"

namespace tollgate::history {
namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  pipeline_file TEXT NOT NULL,
  project_dir TEXT NOT NULL,
  commit_sha TEXT NOT NULL DEFAULT '',
  ref TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL,
  exit_code INTEGER NOT NULL DEFAULT 0,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL DEFAULT '',
  duration_s REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS jobs (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  stage TEXT NOT NULL,
  status TEXT NOT NULL,
  exit_code INTEGER NOT NULL DEFAULT 0,
  allow_failure INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  started_at TEXT NOT NULL DEFAULT '',
  finished_at TEXT NOT NULL DEFAULT '',
  duration_s REAL NOT NULL DEFAULT 0,
  log TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL DEFAULT '',
  environment_name TEXT NOT NULL DEFAULT '',
  environment_url TEXT NOT NULL DEFAULT '',
  environment_action TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, name)
);
CREATE INDEX IF NOT EXISTS jobs_environment ON jobs(environment_name) WHERE environment_name != '';
)sql";

RunRecord read_run(Statement& s) {
  RunRecord r;
  r.id = s.column_int(0);
  r.pipeline_file = s.column_text(1);
  r.project_dir = s.column_text(2);
  r.commit_sha = s.column_text(3);
  r.ref = s.column_text(4);
  r.status = s.column_text(5);
  r.exit_code = static_cast<int>(s.column_int(6));
  r.started_at = s.column_text(7);
  r.finished_at = s.column_text(8);
  r.duration_s = s.column_double(9);
  return r;
}

constexpr const char* kRunColumns =
    "id, pipeline_file, project_dir, commit_sha, ref, status, exit_code, started_at, "
    "finished_at, duration_s";

}  // namespace

RunStore::RunStore(Database& db) : db_(db) {
  db_.exec(kSchema);
  // Databases from before releases (and their images) were recorded get the columns.
  for (const char* column : {"release", "release_images"}) {
    Statement has(db_.handle(), "SELECT 1 FROM pragma_table_info('jobs') WHERE name = ?");
    has.bind(1, std::string(column));
    if (!has.step())
      db_.exec(std::string("ALTER TABLE jobs ADD COLUMN ") + column + " TEXT NOT NULL DEFAULT ''");
  }
}

int64_t RunStore::begin_run(const RunRecord& run) {
  Statement s(db_.handle(),
              "INSERT INTO runs (pipeline_file, project_dir, commit_sha, ref, status, started_at) "
              "VALUES (?, ?, ?, ?, 'running', ?)");
  s.bind(1, run.pipeline_file)
      .bind(2, run.project_dir)
      .bind(3, run.commit_sha)
      .bind(4, run.ref)
      .bind(5, run.started_at);
  s.run();
  return db_.last_insert_id();
}

void RunStore::finish_run(const RunRecord& run) {
  Statement s(db_.handle(),
              "UPDATE runs SET status = ?, exit_code = ?, finished_at = ?, duration_s = ? "
              "WHERE id = ?");
  s.bind(1, run.status)
      .bind(2, static_cast<int64_t>(run.exit_code))
      .bind(3, run.finished_at)
      .bind(4, run.duration_s)
      .bind(5, run.id);
  s.run();
}

void RunStore::record_job(int64_t run_id, const JobRecord& j) {
  Statement s(db_.handle(),
              "INSERT OR REPLACE INTO jobs (run_id, name, stage, status, exit_code, "
              "allow_failure, attempts, started_at, finished_at, duration_s, log, reason, "
              "environment_name, environment_url, environment_action, release, release_images) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, run_id)
      .bind(2, j.name)
      .bind(3, j.stage)
      .bind(4, j.status)
      .bind(5, static_cast<int64_t>(j.exit_code))
      .bind(6, static_cast<int64_t>(j.allow_failure))
      .bind(7, static_cast<int64_t>(j.attempts))
      .bind(8, j.started_at)
      .bind(9, j.finished_at)
      .bind(10, j.duration_s)
      .bind(11, j.log)
      .bind(12, j.reason)
      .bind(13, j.environment_name)
      .bind(14, j.environment_url)
      .bind(15, j.environment_action)
      .bind(16, j.release)
      .bind(17, j.release_images);
  s.run();
}

std::optional<RunRecord> RunStore::run(int64_t id) {
  Statement s(db_.handle(), std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_run(s);
}

std::vector<RunRecord> RunStore::recent_runs(int limit) {
  Statement s(db_.handle(),
              std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY id DESC LIMIT ?");
  s.bind(1, static_cast<int64_t>(limit));
  std::vector<RunRecord> out;
  while (s.step())
    out.push_back(read_run(s));
  return out;
}

std::vector<JobRecord> RunStore::jobs(int64_t run_id) {
  Statement s(db_.handle(),
              "SELECT name, stage, status, exit_code, allow_failure, attempts, started_at, "
              "finished_at, duration_s, log, reason, environment_name, environment_url, "
              "environment_action FROM jobs WHERE run_id = ? ORDER BY started_at, name");
  s.bind(1, run_id);
  std::vector<JobRecord> out;
  while (s.step()) {
    JobRecord j;
    j.name = s.column_text(0);
    j.stage = s.column_text(1);
    j.status = s.column_text(2);
    j.exit_code = static_cast<int>(s.column_int(3));
    j.allow_failure = s.column_int(4) != 0;
    j.attempts = static_cast<int>(s.column_int(5));
    j.started_at = s.column_text(6);
    j.finished_at = s.column_text(7);
    j.duration_s = s.column_double(8);
    j.log = s.column_text(9);
    j.reason = s.column_text(10);
    j.environment_name = s.column_text(11);
    j.environment_url = s.column_text(12);
    j.environment_action = s.column_text(13);
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<Deployment> RunStore::deployments(const std::string& environment, int limit) {
  Statement s(db_.handle(),
              "SELECT j.environment_name, j.environment_url, j.environment_action, j.release, "
              "j.status, j.run_id, j.name, j.finished_at, r.commit_sha, r.ref, j.release_images "
              "FROM jobs j JOIN runs r ON r.id = j.run_id "
              "WHERE j.environment_name != '' AND (?1 = '' OR j.environment_name = ?1) "
              "AND j.status NOT IN ('skipped', 'manual') "
              "ORDER BY j.finished_at DESC, j.run_id DESC LIMIT ?2");
  s.bind(1, environment).bind(2, static_cast<int64_t>(limit));
  std::vector<Deployment> out;
  while (s.step()) {
    Deployment d;
    d.environment = s.column_text(0);
    d.url = s.column_text(1);
    d.action = s.column_text(2);
    d.release = s.column_text(3);
    d.status = s.column_text(4);
    d.run_id = s.column_int(5);
    d.job = s.column_text(6);
    d.finished_at = s.column_text(7);
    d.commit_sha = s.column_text(8);
    d.ref = s.column_text(9);
    d.release_images = s.column_text(10);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace tollgate::history
