// tollgate check slo: score a Keptn-style SLO file against a metrics source.
#include <cmath>
#include <memory>

#include "cli/command.h"
#include "cli/gate_output.h"
#include "slo/gate.h"
#include "slo/slo_verdict.h"
#include "util/strings.h"

namespace tollgate::cli {
namespace {

constexpr const char* kFooter = R"(Sources (--source):
  prometheus:URL     PromQL via /api/v1/query (at the window's end) or /api/v1/query_range.
                     Auth from the environment: PROMETHEUS_TOKEN (bearer) or
                     PROMETHEUS_USERNAME + PROMETHEUS_PASSWORD (basic).
  wavefront:URL      WQL via /api/v2/chart/api, token from WAVEFRONT_TOKEN; strict window.
  load:RESULT.json   statistics of `tollgate load --format json`: p95_ms, error_rate, rps,
                     overall.p99_ms, requests.NAME.p95_ms (count failures error_rate rps min_ms
                     mean_ms p50_ms p90_ms p95_ms p99_ms p999_ms max_ms duration_s).
  process:PID        sampled live from /proc for the --window length: cpu_percent,
  cgroup:PATH        cpu_seconds, memory_bytes (cgroup v2 under /sys/fs/cgroup).

SLO file (Keptn slo.yaml): objectives with sli, displayName, key_sli, weight, pass and
warning criteria ("<600", "<=+10%" relative to history, ">=-5" absolute delta); criteria in
one list must all hold, lists are alternatives. total_score: {pass: "90%", warning: "75%"}.

Scoring (Keptn): pass = weight points, warning = weight/2, fail = 0; score% = 100 * points /
sum of weights of objectives with pass criteria. score >= pass% -> pass; >= warning% ->
warning; else fail. A failed key_sli fails the evaluation whatever the score. No data or NaN
fails an objective. Relative criteria compare with earlier evaluations of the same SLO file in
the history database (--history); without any they pass, and the output says so.

SLI map (--sli, default sli.yaml beside the SLO file):
  indicators:
    response_time_p95: histogram_quantile(0.95, sum(rate(http_seconds_bucket{job="$service"}[$DURATION_SECONDS])) by (le))
    cpu: {query: 'avg(cpu_percent{job="$service"})', type: range, step: 15s, reduce: max}
  Placeholders: $DURATION_SECONDS ("600s"), $START, $END (epoch seconds), and every key of
  the SLO file's filter: and of --label KEY=VALUE.

Exit codes: 0 pass (a warning too, unless --fail-on-warning), 1 fail, 2 could not verify
(unreachable source, query error, bad file).

Examples:
  tollgate check slo slo.yaml --source prometheus:http://127.0.0.1:9090 --window 10m
  tollgate check slo slo.yaml --source load:load.json --format json -o slo.json
  tollgate check slo cpu-slo.yaml --source process:4242 --window 30s
  tollgate check slo slo.yaml --source prometheus:http://prom:9090 --start 2026-11-26T10:00:00Z \
      --end 2026-11-26T10:10:00Z --baseline-start 2026-11-25T10:00:00Z
  tollgate check slo slo.yaml --source prometheus:http://prom:9090 --format metrics -o metrics.txt)";

Runner setup(CLI::App& cmd) {
  auto options = std::make_shared<slo::GateOptions>();
  auto out = std::make_shared<GateOutput>();
  auto labels = std::make_shared<std::vector<std::string>>();
  auto no_record = std::make_shared<bool>(false);
  out->context.table = slo::slo_table();
  out->extra["metrics"] = slo::render_openmetrics;
  out->context.junit = slo::slo_junit();
  cmd.footer(kFooter);
  cmd.add_option("slo_file", options->slo_path, "The SLO file (Keptn slo.yaml format)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd.add_option("--source,-s", options->source,
                 "Where the SLIs come from: " + str::join(slo::source_kinds(), ", "))
      ->required();
  cmd.add_option("--sli", options->sli_path,
                 "The SLI map: names to queries (default: sli.yaml beside the SLO file)");
  cmd.add_option("--start", options->start, "Window start: ISO 8601 or epoch seconds");
  cmd.add_option("--end", options->end, "Window end (default: now)");
  cmd.add_option(
      "--window,-w", options->window,
      "Window length, e.g. 30s, 10m: from --start, or ending at --end (default: 5m ending now)");
  cmd.add_option("--label,-l", *labels, "KEY=VALUE for $KEY placeholders in queries (repeatable)")
      ->allow_extra_args(false);
  cmd.add_option("--history", options->history_path, "History database for relative criteria")
      ->capture_default_str();
  cmd.add_option("--history-key", options->history_key,
                 "Which evaluations count as the same SLO (default: the SLO file's absolute path)");
  cmd.add_flag("--no-record", *no_record, "Do not store this evaluation in the history");
  cmd.add_flag("--fail-on-warning", options->fail_on_warning,
               "Exit 1 on a warning result instead of 0");
  cmd.add_option("--baseline", options->baseline.source,
                 "Also compare samples with this source (same kinds as --source) using a "
                 "Mann-Whitney U test; range queries give the samples");
  cmd.add_option("--baseline-start", options->baseline.start,
                 "Baseline window start (default: the same window as the check)");
  cmd.add_option("--baseline-end", options->baseline.end,
                 "Baseline window end (default: as long as the checked window)");
  cmd.add_option("--confidence", options->baseline.confidence,
                 "Confidence level of the baseline comparison")
      ->capture_default_str()
      ->check(CLI::Range(0.5, 0.9999));
  cmd.add_option("--tolerance", options->baseline.tolerance,
                 "A change counts only when its confidence interval clears tolerance * |shift|")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 10.0));
  auto query_timeout = std::make_shared<double>(30);
  cmd.add_option("--query-timeout", *query_timeout,
                 "Seconds one query may take (Prometheus `timeout`, HTTP limit)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  out->add_options(cmd);
  return [options, out, labels, no_record, query_timeout]() {
    options->source_options.query_timeout =
        std::chrono::microseconds(std::max<long long>(1, std::llround(*query_timeout * 1e6)));
    for (const auto& l : *labels) {
      size_t eq = l.find('=');
      if (eq == std::string::npos || eq == 0)
        throw UsageError("--label '" + l + "': expected KEY=VALUE");
      options->labels[l.substr(0, eq)] = l.substr(eq + 1);
    }
    options->record = !*no_record;
    if (!options->baseline.end.empty() && options->baseline.start.empty())
      throw UsageError("--baseline-end needs --baseline-start");
    return run_gate("slo", *out, [&] {
      try {
        return slo::run_gate(*options);
      } catch (const Error&) {
        throw;
      } catch (const std::exception& e) {
        // Whatever went wrong, machine readers still get an error verdict (exit 2).
        throw Error(std::string("unexpected failure: ") + e.what());
      }
    });
  };
}

const bool registered = register_command(
    {"check slo", "Score SLOs (Keptn slo.yaml) against Prometheus, Wavefront, a load run or /proc",
     setup});

}  // namespace
}  // namespace tollgate::cli
