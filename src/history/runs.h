#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/db.h"

namespace tollgate::history {

// A pipeline variable as the run's page shows it: a masked value is stored as [MASKED].
struct RunVariable {
  std::string name;
  std::string value;   // as written, unexpanded
  std::string source;  // pipeline file, workflow, project, command line
};

struct RunRecord {
  int64_t id = 0;
  std::string pipeline_file;
  std::string project_dir;
  std::string commit_sha;
  std::string ref;
  std::string status;  // running, success, failed, canceled
  int exit_code = 0;
  std::string started_at;
  std::string finished_at;
  double duration_s = 0;
  std::string source;                  // CI_PIPELINE_SOURCE: push, web, schedule, ...
  std::vector<std::string> stages;     // in the pipeline's order, for the graph's columns
  std::vector<RunVariable> variables;  // the run's own, not the predefined CI_* ones
  // The tollgate process running it, as process::owner_id() names it ("" in rows written
  // before it was kept): a 'running' run whose owner is gone was killed.
  std::string owner;
  // A child pipeline's run: the run and the trigger job that started it (0 and "" otherwise).
  int64_t parent_run_id = 0;
  std::string parent_job;
};

// Why a job of a killed run is canceled.
inline constexpr std::string_view kOrphanedJobReason =
    "tollgate ended before this job did (killed or crashed); the next run marked it canceled";

// One artifacts:reports file a job left: its type (container_scanning, dotenv, metrics, ...)
// and its path relative to the project directory.
struct ReportFile {
  std::string type;
  std::string path;
};

struct JobRecord {
  std::string name;
  std::string stage;
  // created (waiting for earlier jobs), running, then success, failed, skipped, manual,
  // canceled or timeout
  std::string status;
  int exit_code = 0;
  bool allow_failure = false;
  int attempts = 0;
  std::string started_at;
  std::string finished_at;
  double duration_s = 0;
  std::string log;
  std::string reason;
  std::string environment_name;
  std::string environment_url;
  std::string environment_action;
  // What a deploying job put in place: the RELEASE its dotenv report names (a tag), else the
  // commit's short sha, else "#<run id>". Empty for jobs without an environment.
  std::string release;
  // The images that release is made of: its dotenv report's RELEASE_IMAGES, as written
  // (comma-separated, e.g. "cart=acme/cart@sha256:...,user=..."); empty when it names none.
  std::string release_images;
  int position = 0;                // in the plan's order
  std::vector<std::string> needs;  // the jobs it needs, as the plan expanded them
  std::vector<ReportFile> reports;
  std::optional<double> coverage;  // the figure its `coverage:` regex found in its log
};

// A report file with the run and job that left it.
struct RunReportFile {
  int64_t run_id = 0;
  std::string job;
  ReportFile file;
};

// One job that acted on an environment (deployed, rolled back, stopped), with its run.
struct Deployment {
  std::string environment;
  std::string url;
  std::string action;  // start, stop, prepare, verify, access
  std::string release;
  std::string release_images;  // JobRecord::release_images
  std::string status;          // the job's: success means the release is in place
  int64_t run_id = 0;
  std::string job;
  std::string finished_at;
  std::string commit_sha;
  std::string ref;
};

// The release an environment holds, from its deployments newest first: the newest successful
// start, unless a successful stop came since (then none).
const Deployment* current_release(const std::vector<Deployment>& newest_first);
// A deployment as `tollgate env --format json` and the dashboard's API show it; "images" is the
// list of RELEASE_IMAGES.
nlohmann::json to_json(const Deployment& d);

// A project's .tollgate/history.db, or an Error saying how to get one (no run yet).
std::filesystem::path existing_history(const std::filesystem::path& project_dir);

// Pipeline runs and their jobs in .tollgate/history.db. The run id is the pipeline id jobs see
// as CI_PIPELINE_ID.
class RunStore {
 public:
  explicit RunStore(db::Database& db);

  int64_t begin_run(const RunRecord& run);
  void finish_run(const RunRecord& run);
  // The runs still 'running' whose owner is not alive (tollgate was killed): each becomes
  // 'canceled' (exit code 2, finished at `now`), with its created and running jobs. Returns
  // their ids, so the caller can remove what they left behind.
  std::vector<int64_t> cancel_orphaned_runs(
      const std::function<bool(const std::string&)>& owner_alive, const std::string& now);
  void record_job(int64_t run_id, const JobRecord& job);
  // Records every job at once (in one transaction): the planned jobs when a run begins.
  void record_jobs(int64_t run_id, const std::vector<JobRecord>& jobs);

  std::optional<RunRecord> run(int64_t id);
  std::vector<RunRecord> recent_runs(int limit);
  // A page of runs, newest first: those with an id below `before` (every run when 0).
  std::vector<RunRecord> runs_before(int64_t before, int limit);
  int64_t count_runs();
  // The child pipelines' runs that trigger jobs of this run started, oldest first.
  std::vector<RunRecord> children(int64_t parent_run_id);
  // How many jobs of each run in [first, last] have each status: run id -> status -> count.
  std::map<int64_t, std::map<std::string, int>> job_counts(int64_t first, int64_t last);
  std::vector<JobRecord> jobs(int64_t run_id);  // in plan order
  std::optional<JobRecord> job(int64_t run_id, const std::string& name);
  // The report files of one type, newest run first, from at most `runs` runs.
  std::vector<RunReportFile> reports(const std::string& type, int runs);
  // The deployments to one environment (every environment when empty), newest first.
  std::vector<Deployment> deployments(const std::string& environment = "", int limit = 1000);

 private:
  void write_job(int64_t run_id, const JobRecord& job);
  void add_reports(int64_t run_id, std::vector<JobRecord>& jobs);
  db::Database& db_;
};

}  // namespace tollgate::history
