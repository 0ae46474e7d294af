// tollgate load: drive HTTP traffic from a scenario file and judge it against thresholds.
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "cli/command.h"
#include "cli/gate_output.h"
#include "load/engine.h"
#include "load/html_report.h"
#include "load/merge.h"
#include "load/outputs.h"
#include "load/result.h"
#include "load/scenario.h"
#include "util/error.h"
#include "util/files.h"
#include "util/process.h"
#include "util/term.h"
#include "util/timefmt.h"
#include "verdict/report.h"

namespace tollgate::cli {
namespace {

constexpr const char* kFooter = R"HELP(Two forms:
  tollgate load SCENARIO.yaml [OPTIONS]
      Drive the scenario's load at its host and judge the thresholds.
  tollgate load merge RESULT.json... [OPTIONS]
      Combine the results of the --share I/N parts of one run exactly (histograms added, not
      averaged) and judge the thresholds on the whole, e.g. after a GitLab `parallel: 3` job:
        tollgate load merge part-1.json part-2.json part-3.json --format json -o load.json
      Refuses (exit 2, naming the file) parts of other scenarios or load settings, histograms
      of other settings, and shares given twice or missing.

Scenario file (YAML):
  host: http://127.0.0.1:8080              # or https://...; tls: {verify: false, ca: ca.pem}
  defaults: {headers: {Accept: application/json}, timeout: 5s}
  variables: {password: secret}
  data: {users: {csv: users.csv}}        # each journey takes the next row: ${users.name}
  load: {model: closed, users: 50, spawn_rate: 10, duration: 30s}
  #   open: {model: open, rate: 200, duration: 30s} or stages: [{rate: 100, duration: 30s}, ...]
  journeys:
    - name: shopper
      weight: 3                          # picked 3 times as often as a weight-1 journey
      think: {uniform: [0.5s, 1.5s]}     # pause after each request; or 1s; pacing: 2s
      requests:
        - name: login
          method: POST
          path: /login
          json: {username: "${users.name}", password: "${password}"}
          check: {status: 200}           # also json: {"$.id": exists}, body_contains, duration
          extract: {token: {json: "$.access_token"}}   # or {header: X-Token}, {regex: "id=(\\d+)"}
        - {name: cart, path: "/cart/${users.name}", headers: {Authorization: "Bearer ${token}"}}
  thresholds:
    "http_req_duration{name:cart}": ["p(95)<300"]    # milliseconds
    http_req_failed: ["rate<0.01"]
    checks: [{threshold: "rate>0.99", abortOnFail: true}]

Load models:
  closed  --users N: N users loop their journeys; latency is measured from when each request
          was due (previous response + think time).
  open    --rate R: R journeys start per second whatever the server does; latency is measured
          from each journey's scheduled start, so a stalled server shows in the percentiles
          (no coordinated omission). Journeys that wait longer than the request timeout for a
          free connection are dropped and counted (dropped_iterations).
A run always ends: after --duration, --iterations journeys or --max-requests, or when an abortOnFail
threshold fails. Requests still in flight at the end are counted as interrupted.

Thresholds (k6 syntax): metrics http_req_duration, http_req_waiting (avg, min, max, med, count,
p(N); milliseconds), http_req_failed and checks (rate), http_reqs, iterations,
dropped_iterations (count, rate). A request fails on a transport error (refused, reset,
timeout, connect, protocol) or a status >= 400 unless its check lists that status.
error_rate = failures / count; rps = count / duration_s.

Outputs: the table on a terminal; --format json the Verdict with the full statistics and
histograms (the slo gate reads it as --source load:FILE); --format k6 (or --summary-export FILE)
the k6 summary JSON for GitLab's load_performance report; --format csv (or --csv FILE) one row
per second; --format html (or --html FILE) a self-contained page with charts of latency
percentiles, throughput and errors over time. On a terminal stderr shows one live line per
second.

Several machines: run `tollgate load S.yaml --share I/N --format json -o part-I.json` N times
(I = 1..N, e.g. GitLab parallel: N with $CI_NODE_INDEX/$CI_NODE_TOTAL), then
`tollgate load merge part-*.json` merges the histograms exactly and judges the thresholds.

Examples:
  tollgate load scenario.yaml
  tollgate load scenario.yaml --rate 200 --duration 1m --summary-export load-performance.json
  tollgate load scenario.yaml --users 100 --spawn-rate 20 --format json -o load.json
  tollgate load scenario.yaml --check             # validate the file, send nothing
  tollgate load merge part-1.json part-2.json --format k6

Exit codes: 0 all thresholds met, 1 a threshold breached, 2 could not verify (bad scenario,
target unreachable, nothing answered).)HELP";

struct Options {
  std::vector<std::string> args;
  std::string host, duration, share, summary_export, csv, json, html;
  int users = 0, iterations = -1, threads = 0, max_connections = 0;
  int64_t max_requests = 0;
  double rate = 0, spawn_rate = -1;
  bool check_only = false;
  bool insecure = false;
};

std::pair<int, int> parse_share(const std::string& text) {
  size_t slash = text.find('/');
  try {
    if (slash != std::string::npos) {
      int i = std::stoi(text.substr(0, slash));
      int n = std::stoi(text.substr(slash + 1));
      if (n >= 1 && i >= 1 && i <= n) return {i - 1, n};
    }
  } catch (const std::exception&) {
  }
  throw UsageError("--share must be I/N with 1 <= I <= N (e.g. --share 2/4), not '" + text + "'");
}

load::Overrides overrides_from(const Options& o) {
  load::Overrides v;
  if (!o.host.empty()) v.host = o.host;
  if (o.users > 0 && o.rate > 0)
    throw UsageError("give --users (closed model) or --rate (open model), not both");
  if (o.users > 0) v.users = o.users;
  if (o.rate > 0) v.rate = o.rate;
  if (o.spawn_rate >= 0) v.spawn_rate = o.spawn_rate;
  if (!o.duration.empty()) {
    auto d = timefmt::parse_duration(o.duration);
    if (!d || d->count() <= 0)
      throw UsageError("--duration: bad duration '" + o.duration + "' (e.g. 30s, 2m)");
    v.duration_us = d->count() * 1000;
  }
  if (o.iterations >= 0) v.iterations = o.iterations;
  if (o.max_requests > 0) v.max_requests = o.max_requests;
  if (o.threads > 0) v.threads = o.threads;
  v.insecure = o.insecure;
  if (o.max_connections > 0) v.max_connections = o.max_connections;
  if (!o.share.empty()) std::tie(v.share_index, v.share_count) = parse_share(o.share);
  return v;
}

void live_line(const load::LiveSecond& s) {
  std::cerr << fmt::format(
      "  {:>5}s  users {:>5}  rps {:>8}  p95 {:>8.2f} ms  errors {:>6.2f}%\n", s.second, s.users,
      s.requests, static_cast<double>(s.p95_us) / 1000.0,
      s.requests ? 100.0 * static_cast<double>(s.failures) / static_cast<double>(s.requests) : 0.0);
}

verdict::Verdict run(const Options& o) {
  load::Scenario s = load::load_scenario(o.args[0], overrides_from(o));
  std::string target = s.target.scheme + "://" + s.target.host_header;
  if (o.check_only) {
    verdict::Verdict v;
    v.gate = "load";
    v.status = verdict::Status::Pass;
    size_t requests = 0;
    for (const auto& j : s.journeys)
      requests += j.requests.size();
    v.reason = fmt::format(
        "scenario {} is valid: {} journeys, {} requests, {} thresholds; "
        "target {}; nothing was sent",
        o.args[0], s.journeys.size(), requests, s.thresholds.size(), target);
    return v;
  }
  load::RunControl control;
  bool live = term::is_tty(2);
  if (live)
    std::cerr << fmt::format(
        "tollgate load: {} model against {} for {}\n",
        s.load.model == load::LoadSpec::Model::Open ? "open" : "closed", target,
        timefmt::format_duration(static_cast<double>(s.load.total_duration_us()) / 1e6));
  load::Stats stats = load::run_load(s, control, [&](const load::LiveSecond& second) {
    if (live) live_line(second);
  });
  load::RunInfo info = load::run_info(s);
  info.abort_reason = control.abort_reason;
  info.tls_error = control.tls_error;
  info.canceled = process::canceled();
  return load::make_verdict(s.thresholds, stats, info);
}

// --summary-export, --csv, --json and --html are the --report mechanism under their k6-style
// names: the same files from a run, a merge and an error, written once by GateOutput.
void add_side_reports(const Options& o, GateOutput& out) {
  for (const auto& [format, file] :
       {std::pair{"k6", &o.summary_export}, {"csv", &o.csv}, {"json", &o.json}, {"html", &o.html}})
    if (!file->empty()) out.reports.push_back(std::string(format) + "=" + *file);
}

Runner setup(CLI::App& cmd) {
  auto o = std::make_shared<Options>();
  auto out = std::make_shared<GateOutput>();
  out->extra["k6"] = load::render_k6_summary;
  out->extra["csv"] = load::render_csv;
  out->extra["html"] = load::render_html;
  cmd.add_option("SCENARIO", o->args,
                 "SCENARIO.yaml to run, or: merge RESULT.json... (see Two forms below)")
      ->required();
  cmd.add_option("--host", o->host, "Target URL, overriding the scenario's host");
  cmd.add_option("--users,-u", o->users, "Closed model: this many virtual users");
  cmd.add_option("--spawn-rate", o->spawn_rate, "Users started per second (default: all at once)");
  cmd.add_option("--rate,-r", o->rate, "Open model: journeys started per second");
  cmd.add_option("--duration,-d", o->duration, "How long to run, e.g. 30s, 2m (default 10s)");
  cmd.add_option("--iterations,-n", o->iterations, "Stop after this many journeys in total");
  cmd.add_option("--max-requests", o->max_requests,
                 "Hard bound: stop once this many requests finished (default: none)");
  cmd.add_option("--threads,-t", o->threads, "Event-loop threads (default 1)");
  cmd.add_option("--max-connections", o->max_connections,
                 "Open model: most connections at once (default 1000)");
  cmd.add_option("--share", o->share, "Run share I of N of the load, e.g. 2/4 (see merge)");
  cmd.add_option("--summary-export", o->summary_export,
                 "Also write k6's summary JSON (GitLab load_performance) to FILE (= --report "
                 "k6=FILE)");
  cmd.add_option("--csv", o->csv,
                 "Also write the per-second time series as CSV to FILE (= --report csv=FILE)");
  cmd.add_option("--json", o->json,
                 "Also write the Verdict JSON with full statistics to FILE (= --report json=FILE)");
  cmd.add_option("--html", o->html,
                 "Also write a self-contained HTML report with charts over time to FILE "
                 "(= --report html=FILE)");
  cmd.add_flag("--insecure,-k", o->insecure, "https: do not verify the server's certificate");
  cmd.add_flag("--check", o->check_only, "Validate the scenario and send nothing");
  out->add_options(cmd);
  // The per-request latencies head the shared table.
  out->context.table = load::summary_table();
  cmd.footer(kFooter);
  return [o, out]() {
    if (!o->check_only) add_side_reports(*o, *out);
    return run_gate("load", *out, [o]() -> verdict::Verdict {
      if (!o->args.empty() && o->args[0] == "merge") {
        std::vector<std::string> files(o->args.begin() + 1, o->args.end());
        return load::merge_results(files);
      }
      if (o->args.size() != 1)
        throw UsageError("expected one scenario file, got " + std::to_string(o->args.size()) +
                         " arguments (did you mean: tollgate load merge FILES...?)");
      return run(*o);
    });
  };
}

const bool registered = register_command(
    {"load", "Generate HTTP load from a scenario and check thresholds (locust/k6/wrk2)", setup});

}  // namespace
}  // namespace tollgate::cli
