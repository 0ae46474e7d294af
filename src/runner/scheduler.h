#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "pipeline/planner.h"

namespace tollgate::runner {

enum class JobStatus { Pending, Running, Success, Failed, Skipped, Manual, Canceled, Timeout };
std::string_view to_string(JobStatus s);

// What to do with a job whose predecessors are all done.
struct Start {
  size_t job;
  bool run;            // false: it gets `status` without running
  JobStatus status;    // Skipped or Manual when not run; Failed for a job that cannot run here
  std::string reason;  // why it does not run
};

// Decides, as jobs finish, which jobs may start: a job with `needs` the moment its needs are
// done, any other job when every job of the earlier stages is done (no waves). Skipped and
// manual jobs count as done, except a manual job with allow_failure: false, which blocks
// what comes after it until it is started, as on GitLab. `when` decides between running and
// skipping: on_success after no failure, on_failure after one, always regardless. Every job and
// edge is visited a bounded number of times: cost is linear in jobs + needs.
class Scheduler {
 public:
  explicit Scheduler(const pipeline::Plan& plan);

  // Jobs that became decidable since the last call, in plan order.
  std::vector<Start> take_ready();
  // Records how a started job ended. allowed: it failed but allow_failure covers it.
  void finish(size_t job, JobStatus status, bool allowed_failure = false);
  // Marks every job that has not started as canceled (Ctrl-C).
  std::vector<size_t> cancel_pending();
  bool done() const { return finished_ == plan_.jobs.size(); }
  JobStatus status(size_t job) const { return state_[job].status; }

 private:
  struct State {
    JobStatus status = JobStatus::Pending;
    size_t unfinished_needs = 0;
    bool failure_upstream = false;  // a needed job failed (or was skipped because of a failure)
    bool carries_failure = false;   // counts as a failure for jobs after it
    std::string failed_need;
    bool failed_need_skipped = false;  // the need did not fail itself: a failure above it did
    bool a_need_failed = false;        // a needed job itself failed (not only skipped)
    std::string blocked_by;  // a blocking manual job (allow_failure: false) not yet started
    bool carries_block = false;
    bool queued = false;
  };

  void complete(size_t job, JobStatus status, bool carries_failure, const std::string& blocks = "");
  void release_stages();
  void queue(size_t job);

  const pipeline::Plan& plan_;
  std::vector<State> state_;
  std::vector<std::vector<size_t>> dependents_;  // needs edges, reversed
  std::vector<std::vector<size_t>> stage_jobs_;  // stage-ordered jobs per stage
  std::vector<size_t> stage_unfinished_;         // jobs per stage not yet done
  std::vector<bool> stage_failed_;               // a failure in this stage
  size_t stages_done_ = 0;                       // stages [0, stages_done_) are complete
  bool prefix_failed_ = false;                   // a failure in the completed stages
  std::vector<std::string> stage_blocked_;       // a blocking manual job of this stage, if any
  std::string prefix_blocked_;  // the first blocking manual job of the completed stages
  std::vector<size_t> ready_;
  size_t finished_ = 0;
};

}  // namespace tollgate::runner
