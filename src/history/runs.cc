#include "history/runs.h"

#include <nlohmann/json.hpp>

#include "util/error.h"
#include "util/json_read.h"
#include "util/strings.h"

namespace tollgate::history {
namespace {

using nlohmann::json;

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
  duration_s REAL NOT NULL DEFAULT 0,
  source TEXT NOT NULL DEFAULT '',
  stages TEXT NOT NULL DEFAULT '[]',
  variables TEXT NOT NULL DEFAULT '[]',
  owner TEXT NOT NULL DEFAULT '',
  parent_run_id INTEGER NOT NULL DEFAULT 0,
  parent_job TEXT NOT NULL DEFAULT ''
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
  release TEXT NOT NULL DEFAULT '',
  release_images TEXT NOT NULL DEFAULT '',
  position INTEGER NOT NULL DEFAULT 0,
  needs TEXT NOT NULL DEFAULT '[]',
  coverage REAL,
  PRIMARY KEY (run_id, name)
);
CREATE INDEX IF NOT EXISTS jobs_environment ON jobs(environment_name) WHERE environment_name != '';
CREATE TABLE IF NOT EXISTS job_reports (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  job TEXT NOT NULL,
  type TEXT NOT NULL,
  path TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS job_reports_by_type ON job_reports(type, run_id);
CREATE INDEX IF NOT EXISTS job_reports_by_job ON job_reports(run_id, job);
)sql";

// Columns that came after the first release: an older database gains them when opened.
struct AddedColumn {
  const char* table;
  const char* name;
  const char* declaration;
};
constexpr AddedColumn kAddedColumns[] = {
    {"jobs", "release", "TEXT NOT NULL DEFAULT ''"},
    {"jobs", "release_images", "TEXT NOT NULL DEFAULT ''"},
    {"jobs", "position", "INTEGER NOT NULL DEFAULT 0"},
    {"jobs", "needs", "TEXT NOT NULL DEFAULT '[]'"},
    {"jobs", "coverage", "REAL"},
    {"runs", "source", "TEXT NOT NULL DEFAULT ''"},
    {"runs", "stages", "TEXT NOT NULL DEFAULT '[]'"},
    {"runs", "owner", "TEXT NOT NULL DEFAULT ''"},
    {"runs", "variables", "TEXT NOT NULL DEFAULT '[]'"},
    {"runs", "parent_run_id", "INTEGER NOT NULL DEFAULT 0"},
    {"runs", "parent_job", "TEXT NOT NULL DEFAULT ''"},
};

std::vector<std::string> string_list(std::string_view text) {
  json j = json_read::parse_or_discarded(text);
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const auto& e : j)
    if (e.is_string()) out.push_back(e.get<std::string>());
  return out;
}

std::string variables_text(const std::vector<RunVariable>& vars) {
  json out = json::array();
  for (const auto& v : vars)
    out.push_back({{"name", v.name}, {"value", v.value}, {"source", v.source}});
  return out.dump();
}

std::vector<RunVariable> read_variables(std::string_view text) {
  json j = json_read::parse_or_discarded(text);
  std::vector<RunVariable> out;
  if (!j.is_array()) return out;
  for (const auto& e : j)
    if (e.is_object())
      out.push_back({e.value("name", ""), e.value("value", ""), e.value("source", "")});
  return out;
}

RunRecord read_run(db::Statement& s) {
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
  r.source = s.column_text(10);
  r.stages = string_list(s.column_view(11));
  r.variables = read_variables(s.column_view(12));
  r.parent_run_id = s.column_int(13);
  r.parent_job = s.column_text(14);
  return r;
}

constexpr const char* kRunColumns =
    "id, pipeline_file, project_dir, commit_sha, ref, status, exit_code, started_at, "
    "finished_at, duration_s, source, stages, variables, parent_run_id, parent_job";

constexpr const char* kJobColumns =
    "name, stage, status, exit_code, allow_failure, attempts, started_at, finished_at, "
    "duration_s, log, reason, environment_name, environment_url, environment_action, release, "
    "release_images, position, needs, coverage";

JobRecord read_job(db::Statement& s) {
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
  j.release = s.column_text(14);
  j.release_images = s.column_text(15);
  j.position = static_cast<int>(s.column_int(16));
  j.needs = string_list(s.column_view(17));
  if (!s.column_is_null(18)) j.coverage = s.column_double(18);
  return j;
}

}  // namespace

RunStore::RunStore(db::Database& db) : db_(db) {
  if (db_.read_only()) return;  // a reader of a database a writer made (tollgate serve)
  db_.exec(kSchema);
  for (const auto& c : kAddedColumns) {
    db::Statement has(db_.handle(), "SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
    has.bind(1, std::string(c.table)).bind(2, std::string(c.name));
    if (!has.step())
      db_.exec(std::string("ALTER TABLE ") + c.table + " ADD COLUMN " + c.name + " " +
               c.declaration);
  }
}

int64_t RunStore::begin_run(const RunRecord& run) {
  db::Statement s(
      db_.handle(),
      "INSERT INTO runs (pipeline_file, project_dir, commit_sha, ref, status, started_at, "
      "source, stages, variables, owner, parent_run_id, parent_job) "
      "VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, run.pipeline_file)
      .bind(2, run.project_dir)
      .bind(3, run.commit_sha)
      .bind(4, run.ref)
      .bind(5, run.started_at)
      .bind(6, run.source)
      .bind(7, json(run.stages).dump())
      .bind(8, variables_text(run.variables))
      .bind(9, run.owner)
      .bind(10, run.parent_run_id)
      .bind(11, run.parent_job);
  s.run();
  return db_.last_insert_id();
}

std::vector<int64_t> RunStore::cancel_orphaned_runs(
    const std::function<bool(const std::string&)>& owner_alive, const std::string& now) {
  std::vector<int64_t> orphaned;
  {
    db::Statement s(db_.handle(), "SELECT id, owner FROM runs WHERE status = 'running'");
    while (s.step())
      if (!owner_alive(s.column_text(1))) orphaned.push_back(s.column_int(0));
  }
  if (orphaned.empty()) return orphaned;
  db::Transaction t(db_);
  for (int64_t id : orphaned) {
    db::Statement run(
        db_.handle(),
        "UPDATE runs SET status = 'canceled', exit_code = 2, finished_at = ? WHERE id = ?");
    run.bind(1, now).bind(2, id);
    run.run();
    db::Statement jobs(db_.handle(),
                       "UPDATE jobs SET status = 'canceled', finished_at = ?, reason = ? "
                       "WHERE run_id = ? AND status IN ('created', 'running')");
    jobs.bind(1, now).bind(2, std::string(kOrphanedJobReason)).bind(3, id);
    jobs.run();
  }
  t.commit();
  return orphaned;
}

void RunStore::finish_run(const RunRecord& run) {
  db::Statement s(db_.handle(),
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
  db::Transaction t(db_);
  write_job(run_id, j);
  t.commit();
}

void RunStore::record_jobs(int64_t run_id, const std::vector<JobRecord>& jobs) {
  db::Transaction t(db_);
  for (const auto& j : jobs)
    write_job(run_id, j);
  t.commit();
}

void RunStore::write_job(int64_t run_id, const JobRecord& j) {
  db::Statement s(db_.handle(),
                  std::string("INSERT OR REPLACE INTO jobs (run_id, ") + kJobColumns +
                      ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
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
      .bind(17, j.release_images)
      .bind(18, static_cast<int64_t>(j.position))
      .bind(19, json(j.needs).dump());
  if (j.coverage)
    s.bind(20, *j.coverage);
  else
    s.bind_null(20);
  s.run();
  db::Statement clear(db_.handle(), "DELETE FROM job_reports WHERE run_id = ? AND job = ?");
  clear.bind(1, run_id).bind(2, j.name).run();
  db::Statement add(db_.handle(),
                    "INSERT INTO job_reports (run_id, job, type, path) VALUES (?, ?, ?, ?)");
  for (const auto& r : j.reports) {
    add.bind(1, run_id).bind(2, j.name).bind(3, r.type).bind(4, r.path).run();
    add.reset();
  }
}

std::optional<RunRecord> RunStore::run(int64_t id) {
  db::Statement s(db_.handle(), std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_run(s);
}

std::vector<RunRecord> RunStore::recent_runs(int limit) {
  db::Statement s(db_.handle(),
                  std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY id DESC LIMIT ?");
  s.bind(1, static_cast<int64_t>(limit));
  std::vector<RunRecord> out;
  while (s.step())
    out.push_back(read_run(s));
  return out;
}

std::vector<RunRecord> RunStore::runs_before(int64_t before, int limit) {
  db::Statement s(db_.handle(), std::string("SELECT ") + kRunColumns +
                                    " FROM runs WHERE ?1 = 0 OR id < ?1 ORDER BY id DESC LIMIT ?2");
  s.bind(1, before).bind(2, static_cast<int64_t>(limit));
  std::vector<RunRecord> out;
  while (s.step())
    out.push_back(read_run(s));
  return out;
}

std::vector<RunRecord> RunStore::children(int64_t parent_run_id) {
  db::Statement s(db_.handle(), std::string("SELECT ") + kRunColumns +
                                    " FROM runs WHERE parent_run_id = ? ORDER BY id");
  s.bind(1, parent_run_id);
  std::vector<RunRecord> out;
  while (s.step())
    out.push_back(read_run(s));
  return out;
}

int64_t RunStore::count_runs() {
  db::Statement s(db_.handle(), "SELECT count(*) FROM runs");
  s.step();
  return s.column_int(0);
}

std::map<int64_t, std::map<std::string, int>> RunStore::job_counts(int64_t first, int64_t last) {
  db::Statement s(db_.handle(),
                  "SELECT run_id, status, count(*) FROM jobs WHERE run_id BETWEEN ? AND ? "
                  "GROUP BY run_id, status");
  s.bind(1, first).bind(2, last);
  std::map<int64_t, std::map<std::string, int>> out;
  while (s.step())
    out[s.column_int(0)][s.column_text(1)] = static_cast<int>(s.column_int(2));
  return out;
}

std::vector<JobRecord> RunStore::jobs(int64_t run_id) {
  db::Statement s(db_.handle(),
                  std::string("SELECT ") + kJobColumns +
                      " FROM jobs WHERE run_id = ? ORDER BY position, started_at, name");
  s.bind(1, run_id);
  std::vector<JobRecord> out;
  while (s.step())
    out.push_back(read_job(s));
  add_reports(run_id, out);
  return out;
}

std::optional<JobRecord> RunStore::job(int64_t run_id, const std::string& name) {
  db::Statement s(db_.handle(), std::string("SELECT ") + kJobColumns +
                                    " FROM jobs WHERE run_id = ? AND name = ?");
  s.bind(1, run_id).bind(2, name);
  if (!s.step()) return std::nullopt;
  std::vector<JobRecord> one{read_job(s)};
  add_reports(run_id, one);
  return one[0];
}

void RunStore::add_reports(int64_t run_id, std::vector<JobRecord>& jobs) {
  db::Statement s(db_.handle(), "SELECT job, type, path FROM job_reports WHERE run_id = ?");
  s.bind(1, run_id);
  while (s.step()) {
    std::string_view job = s.column_view(0);
    for (auto& j : jobs)
      if (j.name == job) j.reports.push_back({s.column_text(1), s.column_text(2)});
  }
}

std::vector<RunReportFile> RunStore::reports(const std::string& type, int runs) {
  db::Statement s(db_.handle(),
                  "SELECT run_id, job, path FROM job_reports WHERE type = ?1 AND run_id IN "
                  "(SELECT DISTINCT run_id FROM job_reports WHERE type = ?1 ORDER BY run_id DESC "
                  "LIMIT ?2) ORDER BY run_id DESC, job");
  s.bind(1, type).bind(2, static_cast<int64_t>(runs));
  std::vector<RunReportFile> out;
  while (s.step())
    out.push_back({s.column_int(0), s.column_text(1), {type, s.column_text(2)}});
  return out;
}

std::vector<Deployment> RunStore::deployments(const std::string& environment, int limit) {
  db::Statement s(
      db_.handle(),
      "SELECT j.environment_name, j.environment_url, j.environment_action, j.release, "
      "j.status, j.run_id, j.name, j.finished_at, r.commit_sha, r.ref, j.release_images "
      "FROM jobs j JOIN runs r ON r.id = j.run_id "
      "WHERE j.environment_name != '' AND (?1 = '' OR j.environment_name = ?1) "
      "AND j.status NOT IN ('skipped', 'manual', 'created', 'running') "
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

namespace tollgate::history {

const Deployment* current_release(const std::vector<Deployment>& newest_first) {
  for (const auto& d : newest_first) {
    if (d.status != "success") continue;
    if (d.action == "stop") return nullptr;
    if (d.action == "start") return &d;
  }
  return nullptr;
}

nlohmann::json to_json(const Deployment& d) {
  json images = json::array();
  for (const auto& image : str::split(d.release_images, ','))
    if (!str::trim(image).empty()) images.push_back(std::string(str::trim(image)));
  return {{"environment", d.environment},
          {"url", d.url},
          {"action", d.action},
          {"release", d.release},
          {"images", images},
          {"status", d.status},
          {"run", d.run_id},
          {"job", d.job},
          {"finished_at", d.finished_at},
          {"commit_sha", d.commit_sha},
          {"ref", d.ref}};
}

std::filesystem::path existing_history(const std::filesystem::path& project_dir) {
  std::filesystem::path path = project_dir / ".tollgate" / "history.db";
  if (!std::filesystem::exists(path))
    throw Error(SourceLocation{path.string()},
                "no run history here: run the pipeline with `tollgate run` first, or point at "
                "the directory of its .gitlab-ci.yml");
  return path;
}

}  // namespace tollgate::history
