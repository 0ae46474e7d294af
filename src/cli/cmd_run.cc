// tollgate run: runs a .gitlab-ci.yml pipeline on this machine.
#include <sys/resource.h>

#include <charconv>
#include <iostream>
#include <thread>

#include "cli/command.h"
#include "cli/pipeline_flags.h"
#include "runner/run.h"
#include "util/error.h"
#include "util/term.h"

namespace tollgate::cli {
namespace {

// "--parent 12:deploy:eu": run 12's job deploy:eu (a job name may hold ':', a run id may not).
std::pair<int64_t, std::string> parse_parent(const std::string& text) {
  size_t colon = text.find(':');
  int64_t id = 0;
  std::string digits = text.substr(0, colon);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (colon == std::string::npos || colon + 1 == text.size() || ec != std::errc() ||
      end != digits.data() + digits.size() || id <= 0)
    throw UsageError("--parent '" + text + "': expected RUN:JOB, e.g. 12:deploy");
  return {id, text.substr(colon + 1)};
}

Runner setup(CLI::App& cmd) {
  struct Flags : PipelineFlags {
    std::vector<std::string> masked;
    std::string format = "table";
    std::string parent;
  };
  auto f = std::make_shared<Flags>();
  cmd.footer(
      "Run a .gitlab-ci.yml pipeline on this machine, as GitLab would: stages and needs (a job\n"
      "starts the moment what it waits for is done), rules, only/except and changes, variables,\n"
      "artifacts and dotenv reports, retries and timeouts. Each job runs in a fresh copy of the\n"
      "project: in its image: with its services: when podman or docker works here (the copy is\n"
      "mounted at /builds/<namespace>/<project>), else with bash on this machine. Logs go to\n"
      ".tollgate/runs/<id>/ and the run to .tollgate/history.db.\n\n"
      "Examples:\n"
      "  tollgate run                      run the whole pipeline\n"
      "  tollgate run deploy               run 'deploy' (manual jobs too) and what it waits for\n"
      "  tollgate run -j 1 --var ENV=qa    one job at a time, with a variable set\n"
      "  tollgate run --executor shell     every job on this machine's shell, images unused\n"
      "  tollgate run --format json        the run as JSON on stdout when it ends\n\n"
      "Exit code: 0 the pipeline passed (allowed failures are warnings), 1 it failed or is\n"
      "blocked by a manual job with allow_failure: false, 2 the pipeline file is invalid.");
  f->add(cmd, "Run only these jobs and what they wait for; a manual job named here runs");
  cmd.add_option("-j,--jobs", f->opts.parallelism, "Jobs at once (default: the number of cores)")
      ->check(CLI::Range(1, 1024));
  cmd.add_option("--var-masked", f->masked,
                 "Set a secret variable, NAME=VALUE: its value is shown as [MASKED] in every log "
                 "(project secrets can also live in .tollgate/variables with masked: true)")
      ->allow_extra_args(false);
  cmd.add_flag("--in-place", f->opts.in_place,
               "Run every job in the working tree itself instead of a fresh copy");
  cmd.add_flag("--executor-build-socket", f->opts.executor_build_socket,
               "Give container jobs the host engine's API socket (/run/tollgate/engine.sock, "
               "$CONTAINER_HOST, $DOCKER_HOST): podman or docker in a job's image build into the "
               "host's images. Trusted pipelines only: it is the host's engine");
  cmd.add_option("--state-dir", f->opts.state_dir,
                 "Keep history, logs, artifacts and caches in DIR instead of .tollgate beside the "
                 "pipeline file (a child pipeline's run keeps them with its parent's)");
  cmd.add_flag("--keep-workspaces", f->opts.keep_workspaces,
               "Keep each job's copy of the project in .tollgate/builds/ after the run");
  cmd.add_option("--format", f->format, "table or json (the run as JSON on stdout)")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  // Written by a trigger job's script, not by people: not in --help.
  cmd.add_option("--parent", f->parent, "RUN:JOB, the run and trigger job starting this child")
      ->group("");
  return [f]() {
    f->resolve();
    if (!f->parent.empty())
      std::tie(f->opts.parent_run_id, f->opts.parent_job) = parse_parent(f->parent);
    f->opts.masked_vars = parse_assignments(f->masked, "--var-masked");
    bool json = f->format == "json";
    // Table mode: the live board on a terminal, prefixed lines otherwise. JSON mode keeps
    // stdout for the JSON and shows progress on stderr only when that is a terminal.
    int board_fd = json ? 2 : 1;
    std::ostream& board_out = json ? std::cerr : std::cout;
    runner::BoardFactory factory =
        [&](std::vector<runner::BoardJob> jobs,
            std::vector<std::string> stages) -> std::unique_ptr<runner::Board> {
      if (term::is_tty(board_fd))
        return runner::make_live_board(board_out, std::move(jobs), std::move(stages));
      if (!json) return runner::make_plain_board(std::cout, std::move(jobs));
      struct Quiet : runner::Board {
        void job_started(size_t) override {}
        void job_line(size_t, std::string_view) override {}
        void job_finished(size_t, const runner::JobReport&) override {}
      };
      return std::make_unique<Quiet>();
    };
    runner::RunReport report;
    try {
      report = runner::run_pipeline(f->opts, factory);
    } catch (const Error& e) {
      if (json) std::cout << errors_json(e).dump(2) << "\n";
      throw;
    }
    if (json) {
      nlohmann::json out = runner::to_json(report);
      // tollgate's own CPU (every thread, not the jobs' processes), for the benchmarks.
      rusage self{};
      getrusage(RUSAGE_SELF, &self);
      out["tollgate_cpu_s"] =
          static_cast<double>(self.ru_utime.tv_sec + self.ru_stime.tv_sec) +
          static_cast<double>(self.ru_utime.tv_usec + self.ru_stime.tv_usec) / 1e6;
      std::cout << out.dump(2) << "\n";
    } else {
      std::cout << "\n" << runner::render_summary(report);
    }
    return report.exit_code;
  };
}

const bool registered = register_command({"run", "Run a .gitlab-ci.yml pipeline locally", setup});

}  // namespace
}  // namespace tollgate::cli
