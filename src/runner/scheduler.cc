#include "runner/scheduler.h"

#include <algorithm>

namespace tollgate::runner {

using pipeline::When;

std::string_view to_string(JobStatus s) {
  switch (s) {
    case JobStatus::Pending:
      return "pending";
    case JobStatus::Running:
      return "running";
    case JobStatus::Success:
      return "success";
    case JobStatus::Failed:
      return "failed";
    case JobStatus::Skipped:
      return "skipped";
    case JobStatus::Manual:
      return "manual";
    case JobStatus::Canceled:
      return "canceled";
    case JobStatus::Timeout:
      return "timeout";
  }
  return "pending";
}

Scheduler::Scheduler(const pipeline::Plan& plan) : plan_(plan), state_(plan.jobs.size()) {
  dependents_.resize(plan.jobs.size());
  int max_stage = 0;
  for (const auto& j : plan.jobs)
    max_stage = std::max(max_stage, j.stage);
  stage_jobs_.resize(static_cast<size_t>(max_stage) + 1);
  stage_unfinished_.resize(stage_jobs_.size(), 0);
  stage_failed_.resize(stage_jobs_.size(), false);
  stage_blocked_.resize(stage_jobs_.size());
  for (size_t i = 0; i < plan.jobs.size(); ++i) {
    const auto& j = plan.jobs[i];
    stage_unfinished_[static_cast<size_t>(j.stage)]++;
    if (j.has_needs) {
      state_[i].unfinished_needs = j.needs.size();
      for (size_t n : j.needs)
        dependents_[n].push_back(i);
      if (j.needs.empty()) queue(i);
    } else {
      stage_jobs_[static_cast<size_t>(j.stage)].push_back(i);
    }
  }
  release_stages();
}

void Scheduler::queue(size_t job) {
  if (state_[job].queued) return;
  state_[job].queued = true;
  ready_.push_back(job);
}

// Advances over every complete stage and releases the stage-ordered jobs of the next one.
void Scheduler::release_stages() {
  while (true) {
    if (stages_done_ < stage_jobs_.size()) {
      for (size_t j : stage_jobs_[stages_done_])
        queue(j);
    }
    if (stages_done_ >= stage_jobs_.size() || stage_unfinished_[stages_done_] > 0) return;
    if (stage_failed_[stages_done_]) prefix_failed_ = true;
    if (prefix_blocked_.empty()) prefix_blocked_ = stage_blocked_[stages_done_];
    ++stages_done_;
  }
}

std::vector<Start> Scheduler::take_ready() {
  std::vector<Start> out;
  std::sort(ready_.begin(), ready_.end());
  std::vector<size_t> batch;
  batch.swap(ready_);
  for (size_t i : batch) {
    const auto& pj = plan_.jobs[i];
    State& st = state_[i];
    bool upstream_failed = pj.has_needs ? st.failure_upstream : prefix_failed_;
    std::string failure_reason =
        !pj.has_needs            ? "a job in an earlier stage failed"
        : st.failed_need_skipped ? "needed job '" + st.failed_need + "' was skipped after a failure"
                                 : "needed job '" + st.failed_need + "' failed";
    Start s{i, true, JobStatus::Running, ""};
    const std::string& blocked_by = pj.has_needs ? st.blocked_by : prefix_blocked_;
    if (!blocked_by.empty()) {
      s = {i, false, JobStatus::Skipped,
           "waits for the manual job '" + blocked_by +
               "' (allow_failure: false blocks the pipeline)"};
      complete(i, s.status, false, blocked_by);
      out.push_back(std::move(s));
      continue;
    }
    switch (pj.when) {
      case When::OnSuccess:
      case When::Delayed:
        if (upstream_failed) s = {i, false, JobStatus::Skipped, failure_reason};
        break;
      case When::OnFailure:
        // With needs, GitLab looks at the needed jobs alone: on_failure runs when one of them
        // failed, not when all were skipped after a failure elsewhere.
        if (!upstream_failed)
          s = {i, false, JobStatus::Skipped, "when: on_failure and nothing failed"};
        else if (pj.has_needs && !st.a_need_failed)
          s = {i, false, JobStatus::Skipped, failure_reason + "; when: on_failure needs a failure"};
        break;
      case When::Always:
        break;
      case When::Manual:
        if (upstream_failed)
          s = {i, false, JobStatus::Skipped, failure_reason};
        else if (!pj.run_manual)
          s = {i, false, JobStatus::Manual,
               "manual: start it with 'tollgate run " + pj.job->name + "'"};
        break;
      case When::Never:
        s = {i, false, JobStatus::Skipped, "when: never"};
        break;
    }
    if (s.run && !pj.job->unrunnable.empty()) {
      // What did not run verified nothing: it fails, unless GitLab would not wait for it.
      s = {i, false, pj.job->unrunnable_outcome_counts ? JobStatus::Failed : JobStatus::Skipped,
           "cannot run here: " + pj.job->unrunnable};
    }
    if (s.run) {
      st.status = JobStatus::Running;
    } else {
      // A job skipped because something failed passes the failure on to the jobs after it, as
      // does a job that could not run (unless its failure is allowed); a blocking manual job
      // holds back what comes after it.
      bool blocking = s.status == JobStatus::Manual && !pj.allow_failure.allowed;
      bool carries = (s.status == JobStatus::Skipped && upstream_failed) ||
                     (s.status == JobStatus::Failed && !pj.allow_failure.allowed);
      complete(i, s.status, carries, blocking ? pj.job->name : "");
    }
    out.push_back(std::move(s));
  }
  return out;
}

void Scheduler::finish(size_t job, JobStatus status, bool allowed_failure) {
  bool failed =
      status == JobStatus::Failed || status == JobStatus::Timeout || status == JobStatus::Canceled;
  complete(job, status, failed && !allowed_failure);
}

void Scheduler::complete(size_t job, JobStatus status, bool carries_failure,
                         const std::string& blocks) {
  State& st = state_[job];
  st.status = status;
  st.carries_failure = carries_failure;
  ++finished_;
  const auto& pj = plan_.jobs[job];
  size_t stage = static_cast<size_t>(pj.stage);
  if (carries_failure) stage_failed_[stage] = true;
  if (!blocks.empty() && stage_blocked_[stage].empty()) stage_blocked_[stage] = blocks;
  for (size_t d : dependents_[job]) {
    State& ds = state_[d];
    if (!blocks.empty() && ds.blocked_by.empty()) ds.blocked_by = blocks;
    if (carries_failure && !ds.failure_upstream) {
      ds.failure_upstream = true;
      ds.failed_need = pj.job->name;
      ds.failed_need_skipped = status == JobStatus::Skipped;
    }
    if (carries_failure && status != JobStatus::Skipped) ds.a_need_failed = true;
    if (--ds.unfinished_needs == 0) queue(d);
  }
  if (--stage_unfinished_[stage] == 0) release_stages();
}

std::vector<size_t> Scheduler::cancel_pending() {
  std::vector<size_t> canceled;
  for (size_t i = 0; i < state_.size(); ++i) {
    if (state_[i].status == JobStatus::Pending) {
      state_[i].status = JobStatus::Canceled;
      ++finished_;
      canceled.push_back(i);
    }
  }
  ready_.clear();
  return canceled;
}

}  // namespace tollgate::runner
