#include "runner/run.h"

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "history/runs.h"
#include "pipeline/glob.h"
#include "pipeline/variables.h"
#include "runner/cache.h"
#include "runner/child_pipeline.h"
#include "runner/container_executor.h"
#include "runner/coverage.h"
#include "runner/executor.h"
#include "runner/executor_choice.h"
#include "runner/workspace.h"
#include "util/files.h"
#include "util/hash.h"
#include "util/process.h"
#include "util/strings.h"
#include "util/timefmt.h"

namespace tollgate::runner {
namespace fs = std::filesystem;
using pipeline::PlannedJob;
using pipeline::Variable;
using pipeline::VariableSet;

namespace {

using SteadyClock = std::chrono::steady_clock;

std::string mask(std::string line, const std::vector<std::string>& secrets) {
  for (const auto& s : secrets)
    line = str::replace_all(std::move(line), s, "[MASKED]");
  return line;
}

// artifacts: as the job's runner uploads them: paths, exclude, name and the report paths with
// the job's variables expanded.
pipeline::Artifacts expanded(pipeline::Artifacts a, const VariableSet& vars) {
  auto lookup = vars.lookup();
  auto expand = [&](std::string& s) { s = pipeline::expand_variables(s, lookup); };
  for (auto* list : {&a.paths, &a.exclude, &a.dotenv})
    std::for_each(list->begin(), list->end(), expand);
  for (auto& [type, paths] : a.reports)
    std::for_each(paths.begin(), paths.end(), expand);
  expand(a.name);
  return a;
}

bool retry_applies(const pipeline::Job& job, const ShellResult& r) {
  if (!job.retry_exit_codes.empty()) {
    return std::find(job.retry_exit_codes.begin(), job.retry_exit_codes.end(), r.exit_code) !=
           job.retry_exit_codes.end();
  }
  if (job.retry_when.empty()) return true;
  for (const auto& w : job.retry_when) {
    if (w == "always" || w == "unknown_failure") return true;
    if (w == "script_failure" && !r.timed_out) return true;
    if (w == "job_execution_timeout" && r.timed_out) return true;
  }
  return false;
}

class PipelineRun {
 public:
  PipelineRun(const RunOptions& opts, Context ctx, pipeline::Plan plan, ExecutorChoice executor)
      : opts_(opts),
        ctx_(std::move(ctx)),
        plan_(std::move(plan)),
        executor_(std::move(executor)),
        dotenv_(plan_.jobs.size()),
        artifact_dirs_(plan_.jobs.size()),
        archive_files_(plan_.jobs.size()),
        cache_(fs::path(ctx_.state_dir) / "cache") {}

  RunReport execute(const BoardFactory& make_board) {
    auto start = SteadyClock::now();
    fs::create_directories(ctx_.state_dir);
    db::Database db(fs::path(ctx_.state_dir) / "history.db");
    history::RunStore store(db);
    clean_up_after_killed_runs(store);
    history::RunRecord record;
    record.pipeline_file = opts_.file;
    record.project_dir = ctx_.project_dir;
    record.commit_sha = ctx_.repo.sha;
    record.ref = ctx_.plan_context.ref;
    record.started_at = timefmt::iso8601(timefmt::Clock::now());
    // A child run is told its source on the command line (parent_pipeline).
    pipeline::VariableSet given = ctx_.plan_context.variables;
    given.set_all(ctx_.plan_context.overrides);
    record.source = given.get("CI_PIPELINE_SOURCE").value_or("");
    record.stages = ctx_.pipeline.stages;
    record.variables = run_variables();
    record.owner = process::owner_id();
    record.parent_run_id = opts_.parent_run_id;
    record.parent_job = opts_.parent_job;
    report_.id = record.id = store.begin_run(record);
    ctx_.plan_context.variables.set("CI_PIPELINE_ID", std::to_string(report_.id));
    ctx_.plan_context.variables.set("CI_PIPELINE_IID", std::to_string(report_.id));
    run_dir_ = fs::path(ctx_.state_dir) / "runs" / std::to_string(report_.id);
    // Names the run's containers: runs of different projects share ids, not project paths.
    run_key_ = hash::sha256_hex(ctx_.project_dir).substr(0, 8) + "-" + std::to_string(report_.id);
    builds_dir_ = fs::path(ctx_.state_dir) / "builds" / std::to_string(report_.id);
    fs::create_directories(run_dir_);

    report_.jobs.resize(plan_.jobs.size());
    std::vector<BoardJob> board_jobs;
    std::set<std::string> used_names;
    for (size_t i = 0; i < plan_.jobs.size(); ++i) {
      const auto& j = *plan_.jobs[i].job;
      report_.jobs[i].name = j.name;
      report_.jobs[i].stage = j.stage;
      std::string file = str::file_safe(j.name);
      while (!used_names.insert(file).second)
        file += "_";
      report_.jobs[i].log =
          (fs::path(".tollgate") / "runs" / std::to_string(report_.id) / (file + ".log")).string();
      artifact_dirs_[i] = run_dir_ / "artifacts" / file;
      board_jobs.push_back({j.name, j.stage});
    }
    for (const auto& e : plan_.excluded)
      report_.not_created.emplace_back(e.name, e.why);
    board_ = make_board(board_jobs, ctx_.pipeline.stages);
    std::vector<history::JobRecord> created;
    for (size_t i = 0; i < plan_.jobs.size(); ++i)
      created.push_back(job_record(i));
    store.record_jobs(report_.id, created);  // the whole graph, before the first job starts

    schedule(store);

    board_->finish();
    bool failed = false;
    for (const auto& j : report_.jobs) {
      bool bad = j.status == JobStatus::Failed || j.status == JobStatus::Timeout ||
                 j.status == JobStatus::Canceled;
      if (bad && !j.allow_failure) failed = true;
    }
    // A manual job with allow_failure: false that was not started holds the rest back: the
    // pipeline is blocked, as on GitLab, and has not passed (exit 1 keeps the gate shut).
    for (size_t i = 0; i < report_.jobs.size(); ++i)
      report_.blocked = report_.blocked || (report_.jobs[i].status == JobStatus::Manual &&
                                            !plan_.jobs[i].allow_failure.allowed);
    report_.success = !failed && !report_.blocked;
    report_.exit_code = report_.success ? 0 : 1;
    report_.duration_s = std::chrono::duration<double>(SteadyClock::now() - start).count();
    record.status = process::canceled() ? "canceled"
                    : failed            ? "failed"
                    : report_.blocked   ? "blocked"
                                        : "success";
    record.exit_code = report_.exit_code;
    record.finished_at = timefmt::iso8601(timefmt::Clock::now());
    record.duration_s = report_.duration_s;
    store.finish_run(record);
    std::error_code ec;
    if (!opts_.keep_workspaces) fs::remove_all(builds_dir_, ec);
    winding_down_.reset();
    return report_;
  }

 private:
  // A run whose tollgate was killed stays 'running' with its workspaces on disk; its jobs died
  // with it (the process guardian). The next run closes it in the history and removes them.
  void clean_up_after_killed_runs(history::RunStore& store) {
    auto now = timefmt::iso8601(timefmt::Clock::now());
    for (int64_t id : store.cancel_orphaned_runs(process::owner_alive, now)) {
      std::error_code ec;
      fs::remove_all(fs::path(ctx_.state_dir) / "builds" / std::to_string(id), ec);
    }
  }

  void schedule(history::RunStore& store) {
    Scheduler sched(plan_);
    size_t parallelism = opts_.parallelism > 0 ? static_cast<size_t>(opts_.parallelism)
                                               : std::max(1u, std::thread::hardware_concurrency());
    std::deque<size_t> runnable;
    std::set<std::string> busy_groups;
    std::vector<std::thread> threads;
    size_t running = 0;
    while (true) {
      for (auto batch = sched.take_ready(); !batch.empty(); batch = sched.take_ready()) {
        for (const auto& s : batch) {
          if (s.run) {
            runnable.push_back(s.job);
            continue;
          }
          JobReport& r = report_.jobs[s.job];
          r.status = s.status;
          r.reason = s.reason;
          r.allow_failure =
              s.status == JobStatus::Failed && plan_.jobs[s.job].allow_failure.allowed;
          r.log.clear();
          record(store, s.job);
          board_->job_finished(s.job, r);
        }
      }
      if (process::canceled()) {
        // From here the run stops its jobs and records its end: the cancel watchdog waits.
        if (!winding_down_) winding_down_.emplace();
        cancel_pending(sched, store, "the run was interrupted");
        runnable.clear();
      } else if (stop_jobs_) {
        cancel_pending(sched, store, auto_cancel_reason_);
        runnable.clear();
      }
      // Start what may start: up to `parallelism` jobs, never two of one resource_group.
      for (auto it = runnable.begin(); running < parallelism && it != runnable.end();) {
        size_t job = *it;
        const std::string& group = plan_.jobs[job].job->resource_group;
        if (!group.empty() && !busy_groups.insert(group).second) {
          ++it;
          continue;
        }
        it = runnable.erase(it);
        ++running;
        report_.jobs[job].status = JobStatus::Running;
        report_.jobs[job].started_at = timefmt::iso8601(timefmt::Clock::now());
        record(store, job);
        board_->job_started(job);
        threads.emplace_back([this, job] {
          run_job(job);
          std::lock_guard lock(mu_);
          completions_.push_back(job);
          cv_.notify_one();
        });
      }
      if (running == 0 && runnable.empty()) break;
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(200), [&] { return !completions_.empty(); });
      while (!completions_.empty()) {
        size_t job = completions_.front();
        completions_.pop_front();
        --running;
        busy_groups.erase(plan_.jobs[job].job->resource_group);
        const JobReport& r = report_.jobs[job];
        sched.finish(job, r.status, r.allow_failure);
        auto_cancel_after(job);
        lock.unlock();
        record(store, job);
        board_->job_finished(job, r);
        lock.lock();
      }
    }
    for (auto& t : threads)
      t.join();
  }

  void record(history::RunStore& store, size_t i) { store.record_job(report_.id, job_record(i)); }

  // Every job not started yet is canceled, for `reason`.
  void cancel_pending(Scheduler& sched, history::RunStore& store, const std::string& reason) {
    for (size_t i : sched.cancel_pending()) {
      report_.jobs[i].status = JobStatus::Canceled;
      report_.jobs[i].reason = reason;
      report_.jobs[i].log.clear();
      record(store, i);
    }
  }

  // workflow:auto_cancel:on_job_failure: all. The first job that fails without allow_failure
  // cancels the others: the running ones are stopped (stop_jobs_), the waiting ones never start.
  // Called with mu_ held, as a job's completion is taken.
  void auto_cancel_after(size_t job) {
    const JobReport& r = report_.jobs[job];
    bool failed = r.status == JobStatus::Failed || r.status == JobStatus::Timeout;
    if (!plan_.cancel_on_job_failure || !failed || r.allow_failure || stop_jobs_) return;
    auto_cancel_reason_ = "job '" + r.name + "' failed (auto_cancel:on_job_failure: all)";
    stop_jobs_ = true;
  }

  // The job as the history keeps it; a job not started yet is "created", as GitLab shows it.
  history::JobRecord job_record(size_t i) {
    const JobReport& r = report_.jobs[i];
    const PlannedJob& pj = plan_.jobs[i];
    history::JobRecord j;
    j.name = r.name;
    j.stage = r.stage;
    j.status = r.status == JobStatus::Pending ? "created" : std::string(to_string(r.status));
    j.exit_code = r.exit_code;
    j.allow_failure = r.allow_failure;
    j.attempts = r.attempts;
    j.started_at = r.started_at;
    j.finished_at = r.finished_at;
    j.duration_s = r.duration_s;
    j.log = r.log;
    j.reason = r.reason;
    j.environment_name = r.environment;
    j.environment_url = r.environment_url;
    j.position = static_cast<int>(i);
    j.coverage = r.coverage;
    if (pj.has_needs)
      for (size_t k : pj.needs)
        j.needs.push_back(plan_.jobs[k].job->name);
    for (const auto& [type, path] : r.reports)
      j.reports.push_back({type, path});
    if (pj.job->environment) {
      j.environment_action = pj.job->environment->action;
      j.release =
          ctx_.repo.short_sha.empty() ? "#" + std::to_string(report_.id) : ctx_.repo.short_sha;
      std::lock_guard lock(mu_);
      for (const auto& [k, v] : dotenv_[i])
        if (k == "RELEASE")
          j.release = v;
        else if (k == "RELEASE_IMAGES")
          j.release_images = v;
    }
    return j;
  }

  // The run's own variables for its page, masked ones as [MASKED]; the predefined CI_* ones
  // are left out (the run's record holds what they say).
  std::vector<history::RunVariable> run_variables() const {
    std::vector<history::RunVariable> out;
    auto add = [&](const pipeline::Variables& vars, const char* source) {
      for (const auto& v : vars)
        out.push_back({v.name, v.masked ? "[MASKED]" : v.value, source});
    };
    add(ctx_.pipeline.variables, "pipeline file");
    add(plan_.workflow_variables, "workflow rules");
    add(ctx_.project_variables, "project");
    add(ctx_.plan_context.overrides, "command line");
    return out;
  }

  // The jobs whose artifacts (and dotenv variables) this job receives, as GitLab's
  // Ci::BuildDependencies picks them: the jobs of earlier stages, or with `needs:` the needed
  // jobs with `artifacts: true`; then, when `dependencies:` is given, only those it names.
  std::vector<size_t> artifact_sources(size_t i) const {
    const PlannedJob& pj = plan_.jobs[i];
    auto named = [&](size_t k, const std::string& name) {
      return plan_.jobs[k].job->name == name || plan_.jobs[k].job->base_name == name;
    };
    std::vector<size_t> out;
    if (pj.has_needs) {
      for (const auto& need : pj.rule_needs ? *pj.rule_needs : *pj.job->needs)
        if (need.artifacts)
          std::copy_if(pj.needs.begin(), pj.needs.end(), std::back_inserter(out),
                       [&](size_t k) { return named(k, need.job); });
    } else {
      out = plan_.waits_for(i);
    }
    if (const auto& deps = pj.job->dependencies)
      std::erase_if(out, [&](size_t k) {
        return std::none_of(deps->begin(), deps->end(),
                            [&](const std::string& name) { return named(k, name); });
      });
    return out;
  }

  // The job's variables. On the shell they sit over tollgate's own environment; in a container
  // they are the whole environment (the image supplies PATH and the rest), and the project is
  // at its GitLab path instead of build_dir.
  VariableSet job_environment(size_t i, const fs::path& build_dir, bool in_container) {
    const PlannedJob& pj = plan_.jobs[i];
    const pipeline::Job& job = *pj.job;
    VariableSet vars;
    if (!in_container) {
      for (const auto& kv : process::current_environment()) {
        size_t eq = kv.find('=');
        if (eq != std::string::npos) vars.set(kv.substr(0, eq), kv.substr(eq + 1));
      }
    }
    vars.set_all(predefined_variables(ctx_, report_.id));
    // Jobs call the gates of the very tollgate that runs them: `tollgate` first on PATH, and
    // $TOLLGATE_BIN naming it, so a pipeline never mixes two versions.
    if (std::string self = process::self_executable(); !self.empty() && !in_container) {
      vars.set("TOLLGATE_BIN", self);
      std::string path = vars.get("PATH").value_or("/usr/local/bin:/usr/bin:/bin");
      vars.set("PATH", fs::path(self).parent_path().string() + ":" + path);
    }
    vars.set_all(job_variables(ctx_, job, report_.id * 1000 + static_cast<long long>(i) + 1,
                               in_container ? container_project_dir() : build_dir.string()));
    if (in_container) {
      vars.set("CI_BUILDS_DIR", "/builds");
      vars.set("CI_RUNNER_DESCRIPTION",
               "tollgate " + std::string(executor_.engine->name()) + " executor");
      vars.unset("TOLLGATE_SOURCE_DIR");
    }
    std::vector<std::pair<std::string, std::string>> received;
    {
      std::lock_guard lock(mu_);
      for (size_t src : artifact_sources(i))
        received.insert(received.end(), dotenv_[src].begin(), dotenv_[src].end());
    }
    set_pipeline_variables(vars, ctx_, plan_, pj, received);
    if (job.image)  // the name as the job runs it, variables expanded
      vars.set("CI_JOB_IMAGE", pipeline::expand_variables(job.image->name, vars.lookup()));
    if (job.environment) {
      std::string name = pipeline::expand_variables(job.environment->name, vars.lookup());
      std::string url = pipeline::expand_variables(job.environment->url, vars.lookup());
      vars.set("CI_ENVIRONMENT_NAME", name);
      vars.set("CI_ENVIRONMENT_SLUG", environment_slug(name));
      vars.set("CI_ENVIRONMENT_ACTION", job.environment->action);
      if (!url.empty()) vars.set("CI_ENVIRONMENT_URL", url);
      std::string tier = job.environment->tier;
      if (tier.empty()) {
        std::string l = str::lower(name);
        tier = l.find("prod") != std::string::npos   ? "production"
               : l.find("stag") != std::string::npos ? "staging"
               : l.find("test") != std::string::npos || l.find("qa") != std::string::npos
                   ? "testing"
               : l.find("dev") != std::string::npos || l.find("review") != std::string::npos
                   ? "development"
                   : "other";
      }
      vars.set("CI_ENVIRONMENT_TIER", tier);
      // The job gets the URL as it is; what tollgate prints and stores has secrets masked.
      std::vector<std::string> secrets = vars.masked_values();
      report_.jobs[i].environment = mask(name, secrets);
      report_.jobs[i].environment_url = mask(url, secrets);
    }
    return vars;
  }

  void run_job(size_t i) {
    const PlannedJob& pj = plan_.jobs[i];
    const pipeline::Job& job = *pj.job;
    JobReport& r = report_.jobs[i];
    auto start = SteadyClock::now();  // r.started_at: set when the scheduler started the job
    fs::path log_path = fs::path(ctx_.project_dir) / r.log;
    std::ofstream log(log_path, std::ios::binary | std::ios::trunc);
    std::string safe = fs::path(r.log).stem().string();
    fs::path build_dir = opts_.in_place ? fs::path(ctx_.project_dir) : builds_dir_ / safe;
    std::vector<std::string> secrets;
    std::mutex sink_mu;  // service logs and the job's own output arrive on different threads
    auto sink = [&](std::string_view line) {
      std::string masked = secrets.empty() ? std::string(line) : mask(std::string(line), secrets);
      std::lock_guard lock(sink_mu);
      log << masked << '\n' << std::flush;  // readable live, line by line
      board_->job_line(i, masked);
    };
    try {
      if (!opts_.in_place) {
        std::error_code ec;
        fs::remove_all(build_dir, ec);
        make_workspace(ctx_.project_dir, ctx_.project_files, build_dir);
      }
      // Only what artifacts:paths (and untracked) kept: report files are not handed on.
      for (size_t src : artifact_sources(i)) {
        std::vector<std::string> handed_on;
        {
          std::lock_guard lock(mu_);
          handed_on = archive_files_[src];
        }
        make_workspace(artifact_dirs_[src], handed_on, build_dir);
      }
      const pipeline::Image* image = job_image(job);
      bool in_container = image && executor_.containers();
      VariableSet vars = job_environment(i, build_dir, in_container);
      // An image whose name expands to nothing (`image: $IMAGE`, unset) is none: GitLab takes
      // the runner's default then, which here is the shell.
      if (in_container && pipeline::expand_variables(image->name, vars.lookup()).empty()) {
        sink("image '" + image->name + "' is empty here: the job runs on the shell");
        in_container = false;
        vars = job_environment(i, build_dir, false);
      }
      secrets = vars.masked_values();
      // GitLab keeps file-type variables beside the project: $CI_PROJECT_DIR.tmp/NAME.
      std::string files_dir =
          (in_container ? container_project_dir() : build_dir.string()) + ".tmp";
      std::vector<std::pair<std::string, std::string>> variable_files;
      for (const auto& [name, content] : vars.file_contents()) {
        variable_files.emplace_back(files_dir + "/" + name, content);
        vars.set(name, variable_files.back().first);
      }
      std::vector<pipeline::Cache> caches = expand_caches(job.cache, vars.lookup());
      std::vector<fs::path> cache_dirs = cache_.locate(caches, build_dir);
      cache_.restore(caches, cache_dirs, build_dir, sink);
      if (in_container)
        sink("Running with " + std::string(executor_.engine->name()) + ": " +
             vars.get("CI_JOB_IMAGE").value_or(image->name));
      std::vector<std::string> warnings;
      ScriptLimits limits = read_script_limits(
          [&](const std::string& name) { return vars.get(name); }, job.timeout, warnings);
      for (const auto& w : warnings)
        sink("WARNING: " + w);
      ShellResult result =
          run_attempts(i, build_dir, vars, variable_files, limits, in_container, sink);
      r.exit_code = result.exit_code;
      if (result.canceled) {
        r.status = JobStatus::Canceled;
        std::lock_guard lock(mu_);
        r.reason =
            process::canceled() || !stop_jobs_ ? "the run was interrupted" : auto_cancel_reason_;
      } else if (result.timed_out) {
        r.status = JobStatus::Timeout;
        r.reason = timeout_reason(job, limits, result);
      } else {
        r.status = result.exit_code == 0 ? JobStatus::Success : JobStatus::Failed;
      }
      if (r.status != JobStatus::Success && r.status != JobStatus::Canceled) {
        const auto& af = pj.allow_failure;
        bool code_ok =
            af.exit_codes.empty() ||
            (r.status == JobStatus::Failed && std::find(af.exit_codes.begin(), af.exit_codes.end(),
                                                        r.exit_code) != af.exit_codes.end());
        r.allow_failure = af.allowed && code_ok;
      }
      if (job.artifacts) keep_artifacts(i, build_dir, vars, sink);
      if (job.environment && !job.environment->url.empty()) {
        // GitLab lets a job name its environment's URL from its own dotenv report: the URL of
        // something deployed is often known only once it is.
        std::lock_guard lock(mu_);
        if (!dotenv_[i].empty()) {
          VariableSet own = vars;
          for (const auto& [k, v] : dotenv_[i])
            own.set(k, v);
          r.environment_url = mask(pipeline::expand_variables(job.environment->url, own.lookup()),
                                   own.masked_values());
        }
      }
      cache_.save(caches, cache_dirs, build_dir, ctx_.project_files, r.status == JobStatus::Success,
                  sink);
    } catch (const Error& e) {
      sink("ERROR: " + e.message());
      r.status = JobStatus::Failed;
      r.exit_code = 2;
      r.reason = e.message();
    } catch (const std::exception& e) {
      // Anything else thrown in a job's thread (a file system error) fails that job, never
      // the whole process.
      sink(std::string("ERROR: ") + e.what());
      r.status = JobStatus::Failed;
      r.exit_code = 2;
      r.reason = e.what();
    }
    if (!job.coverage.empty()) {
      log.flush();
      r.coverage = extract_coverage(files::read(log_path), job.coverage);
    }
    r.finished_at = timefmt::iso8601(timefmt::Clock::now());
    r.duration_s = std::chrono::duration<double>(SteadyClock::now() - start).count();
    if (!opts_.in_place && !opts_.keep_workspaces) {
      std::error_code ec;
      fs::remove_all(build_dir, ec);
    }
  }

  // "exceeded its timeout of 3.0s", or of RUNNER_SCRIPT_TIMEOUT when that stopped the script.
  static std::string timeout_reason(const pipeline::Job& job, const ScriptLimits& limits,
                                    const ShellResult& result) {
    if (result.script_timed_out && limits.script_timeout)
      return "its script exceeded RUNNER_SCRIPT_TIMEOUT of " +
             timefmt::format_duration(limits.script_timeout->count() / 1000.0);
    return job.timeout ? "exceeded its timeout of " +
                             timefmt::format_duration(job.timeout->count() / 1000.0)
                       : "exceeded its timeout";
  }

  // Every attempt the job's retry allows, each opened by its "--- attempt N of M ---" line.
  ShellResult run_attempts(size_t i, const fs::path& build_dir, const VariableSet& vars,
                           const std::vector<std::pair<std::string, std::string>>& files,
                           const ScriptLimits& limits, bool in_container,
                           const std::function<void(std::string_view)>& sink) {
    const pipeline::Job& job = *plan_.jobs[i].job;
    JobReport& r = report_.jobs[i];
    int max_attempts = 1 + job.retry_max;
    ShellResult result;
    for (int attempt = 1; attempt <= max_attempts; ++attempt) {
      if (max_attempts > 1)
        sink("--- attempt " + std::to_string(attempt) + " of " + std::to_string(max_attempts) +
             " ---");
      r.attempts = attempt;
      if (in_container) {
        ContainerJob c = container_job(i, build_dir, vars, attempt);
        c.files = files;
        c.limits = limits;
        result = run_container_job(*executor_.engine, c, sink);
      } else {
        ShellJob shell = shell_job(i, build_dir, vars);
        shell.files = files;
        shell.limits = limits;
        result = run_shell_job(shell, sink);
      }
      bool failed = result.exit_code != 0 || result.timed_out;
      if (!failed || result.canceled || attempt == max_attempts || !retry_applies(job, result))
        break;
    }
    return result;
  }

  ShellJob shell_job(size_t i, const fs::path& build_dir, const VariableSet& vars) const {
    const pipeline::Job& job = *plan_.jobs[i].job;
    ShellJob shell;
    shell.before_script = job.before_script;
    shell.script = job.child ? child_script(job, vars) : job.script;
    shell.after_script = job.after_script;
    shell.env = job.child ? child_environment(vars) : vars.environment();
    shell.cwd = build_dir;
    shell.script_file = run_dir_ / (fs::path(report_.jobs[i].log).stem().string() + ".sh");
    shell.timeout = job.timeout;
    shell.stop = &stop_jobs_;
    return shell;
  }

  // A child pipeline's trigger job: the child runs with the trigger job's variables (and,
  // with forward:pipeline_variables, the run's --var ones) as its trigger variables.
  std::vector<std::string> child_script(const pipeline::Job& job, const VariableSet& vars) const {
    const pipeline::ChildPipeline& child = *job.child;
    std::vector<std::string> names;
    if (child.forward_yaml_variables) {
      for (const auto& v : pipeline::inherited_globals(job, ctx_.pipeline.variables))
        names.push_back(v.name);
      for (const auto& v : job.variables)
        names.push_back(v.name);
    }
    if (child.forward_pipeline_variables)
      for (const auto& [name, value] : opts_.vars)
        names.push_back(name);
    std::vector<std::pair<std::string, std::string>> forwarded;
    for (const auto& name : names)
      if (auto value = vars.get(name)) forwarded.emplace_back(name, *value);
    return child_pipeline_script(
        child, forwarded,
        {ctx_.state_dir, opts_.executor, opts_.parallelism, report_.id, job.name});
  }

  // A child run starts from the environment this tollgate runs in, as the parent did, not from
  // the trigger job's variables: only the forwarded ones reach it (as --var).
  static std::vector<std::string> child_environment(const VariableSet& vars) {
    std::vector<std::string> env;
    for (const auto& kv : process::current_environment())
      if (!kv.starts_with("PATH=")) env.push_back(kv);
    for (const char* name : {"PATH", "TOLLGATE_BIN"})
      if (auto value = vars.get(name)) env.push_back(std::string(name) + "=" + *value);
    return env;
  }

  // GitLab's path of the project in a job container: $CI_BUILDS_DIR/<namespace>/<project>.
  std::string container_project_dir() const {
    return "/builds/local/" + fs::path(ctx_.project_dir).filename().string();
  }

  ContainerJob container_job(size_t i, const fs::path& build_dir, const VariableSet& vars,
                             int attempt) const {
    const pipeline::Job& job = *plan_.jobs[i].job;
    auto lookup = vars.lookup();
    ContainerJob c;
    c.image = *job.image;
    c.image.name = pipeline::expand_variables(c.image.name, lookup);
    for (pipeline::Service svc : job.services) {
      svc.image.name = pipeline::expand_variables(svc.image.name, lookup);
      for (auto& v : svc.variables)
        if (v.expand) v.value = pipeline::expand_variables(v.value, lookup);
      c.services.push_back(std::move(svc));
    }
    c.before_script = job.before_script;
    c.script = job.script;
    c.after_script = job.after_script;
    for (const auto& kv : vars.environment()) {
      size_t eq = kv.find('=');
      c.variables.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
    c.workspace = fs::absolute(build_dir);
    c.project_dir = container_project_dir();
    c.name = "tollgate-" + run_key_ + "-" + std::to_string(i + 1) + "-" +
             slug(job.name).substr(0, 30) + "-" + std::to_string(attempt);
    c.labels = {{std::string(kLabelRun), run_key_},
                {std::string(kLabelJob), job.name},
                {std::string(kLabelOwner), process::owner_id()}};
    c.timeout = job.timeout;
    c.debug_services = vars.get("CI_DEBUG_SERVICES").value_or("") == "true";
    c.build_socket = opts_.executor_build_socket;
    c.stop = &stop_jobs_;
    return c;
  }

  // Keeps the job's artifacts in its artifacts directory: what artifacts:paths (and untracked)
  // select, minus exclude, handed on to later jobs; the report files beside them, for the
  // history and the dashboard only. Paths and name use the job's variables, as on GitLab.
  void keep_artifacts(size_t i, const fs::path& build_dir, const VariableSet& job_vars,
                      const std::function<void(std::string_view)>& sink) {
    const pipeline::Artifacts a = expanded(*plan_.jobs[i].job->artifacts, job_vars);
    const JobReport& r = report_.jobs[i];
    bool ok = r.status == JobStatus::Success;
    bool wanted =
        a.when == "always" || (a.when == "on_success" && ok) || (a.when == "on_failure" && !ok);
    pipeline::Artifacts archive;
    if (wanted)
      archive.paths = a.paths, archive.exclude = a.exclude, archive.untracked = a.untracked;
    pipeline::Artifacts reports;  // kept whatever the job's outcome
    reports.dotenv = a.dotenv;
    reports.reports = a.reports;
    std::vector<std::string> archived =
        collect_artifacts(build_dir, archive, ctx_.project_files, artifact_dirs_[i]);
    std::vector<std::string> kept =
        collect_artifacts(build_dir, reports, ctx_.project_files, artifact_dirs_[i]);
    if (!archived.empty())
      sink("Saved " + std::to_string(archived.size()) + " artifact file(s)" +
           (a.name.empty() ? "" : " as " + a.name));
    else if (wanted && !a.paths.empty())
      sink("WARNING: no files matched artifacts:paths");
    kept.insert(kept.end(), archived.begin(), archived.end());
    fs::path artifacts_rel = fs::relative(artifact_dirs_[i], ctx_.project_dir);
    std::vector<std::pair<std::string, std::string>> found;
    for (const auto& f : kept) {
      for (const auto& d : a.dotenv)
        if (f == d || pipeline::glob_match(d, f))
          found.emplace_back("dotenv", (artifacts_rel / f).string());
      for (const auto& [type, paths] : a.reports)
        for (const auto& p : paths)
          if (f == p || pipeline::glob_match(p, f))
            found.emplace_back(type, (artifacts_rel / f).string());
    }
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    std::vector<std::pair<std::string, std::string>> vars;
    for (const auto& report : a.dotenv) {
      fs::path file = build_dir / report;
      if (!fs::exists(file)) {
        sink("WARNING: dotenv report " + report + " was not created");
        continue;
      }
      for (auto& kv : read_dotenv(file))
        vars.push_back(std::move(kv));
    }
    std::lock_guard lock(mu_);
    dotenv_[i] = std::move(vars);
    archive_files_[i] = std::move(archived);
    report_.jobs[i].reports = std::move(found);
  }

  const RunOptions& opts_;
  Context ctx_;
  pipeline::Plan plan_;
  ExecutorChoice executor_;
  std::string run_key_;
  RunReport report_;
  std::unique_ptr<Board> board_;
  fs::path run_dir_;
  fs::path builds_dir_;
  std::vector<std::vector<std::pair<std::string, std::string>>> dotenv_;
  std::vector<fs::path> artifact_dirs_;
  std::vector<std::vector<std::string>> archive_files_;  // handed on: relative to artifact_dirs_
  std::mutex mu_;
  CacheStore cache_;
  std::condition_variable cv_;
  std::deque<size_t> completions_;
  std::optional<process::WindingDown> winding_down_;  // held once a cancel is seen
  std::atomic<bool> stop_jobs_{false};  // the run cancels its jobs (auto_cancel_after)
  std::string auto_cancel_reason_;      // why, once stop_jobs_ is set
};

}  // namespace

RunReport run_pipeline(const RunOptions& opts, const BoardFactory& make_board) {
  Context ctx = make_context(opts, 0);
  pipeline::Plan plan = pipeline::make_plan(ctx.pipeline, ctx.plan_context);
  if (plan.workflow_excluded) {
    RunReport r;
    r.success = true;
    for (const auto& e : plan.excluded)
      r.not_created.emplace_back(e.name, e.why);
    std::cerr << "tollgate: no pipeline created: " << plan.workflow_why << "\n";
    return r;
  }
  bool uses_changes = false;
  for (const auto& j : ctx.pipeline.jobs) {
    if (j.only.changes || j.except.changes) uses_changes = true;
    if (j.rules)
      for (const auto& r : *j.rules)
        uses_changes = uses_changes || r.changes.has_value();
  }
  if (uses_changes && !ctx.changes.known)
    std::cerr << "tollgate: note: " << ctx.changes.why << "\n";
  ExecutorChoice executor = choose_run_executor(opts, ctx, plan);
  PipelineRun run(opts, std::move(ctx), std::move(plan), std::move(executor));
  return run.execute(make_board);
}

}  // namespace tollgate::runner
