#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "history/db.h"

namespace tollgate::history {

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
};

struct JobRecord {
  std::string name;
  std::string stage;
  std::string status;  // success, failed, skipped, manual, canceled, timeout
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

// Pipeline runs and their jobs in .tollgate/history.db. The run id is the pipeline id jobs see
// as CI_PIPELINE_ID.
class RunStore {
 public:
  explicit RunStore(Database& db);

  int64_t begin_run(const RunRecord& run);
  void finish_run(const RunRecord& run);
  void record_job(int64_t run_id, const JobRecord& job);

  std::optional<RunRecord> run(int64_t id);
  std::vector<RunRecord> recent_runs(int limit);
  std::vector<JobRecord> jobs(int64_t run_id);
  // The deployments to one environment (every environment when empty), newest first.
  std::vector<Deployment> deployments(const std::string& environment = "", int limit = 1000);

 private:
  Database& db_;
};

}  // namespace tollgate::history
