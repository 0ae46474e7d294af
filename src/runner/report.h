#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "runner/scheduler.h"

namespace tollgate::runner {

// How one job of a run ended: the "jobs" entries of DESIGN.md's run JSON.
struct JobReport {
  std::string name;
  std::string stage;
  JobStatus status = JobStatus::Pending;
  int exit_code = 0;
  bool allow_failure = false;  // it failed and the failure was allowed
  int attempts = 0;
  std::string started_at;
  std::string finished_at;
  double duration_s = 0;
  std::string log;  // relative to the project directory
  std::string reason;
  std::string environment;  // name, when the job deploys
  std::string environment_url;
  // artifacts:reports the job left behind: type (junit, dotenv, container_scanning, ...) and the
  // file's path relative to the project directory, for the dashboard and later tools.
  std::vector<std::pair<std::string, std::string>> reports;
  std::optional<double> coverage;  // what the job's `coverage:` pattern found in its log
};

struct RunReport {
  long long id = 0;
  bool success = false;
  bool blocked = false;  // nothing failed, but a blocking manual job was not started
  int exit_code = 0;
  double duration_s = 0;
  std::vector<JobReport> jobs;  // jobs the pipeline created, in plan order
  std::vector<std::pair<std::string, std::string>> not_created;  // name, why (for the table)
};

nlohmann::json to_json(const RunReport& r);
// The final table: job, stage, status, duration, and why for jobs not run.
std::string render_summary(const RunReport& r);

}  // namespace tollgate::runner
