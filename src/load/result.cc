#include "load/result.h"

#include <fmt/format.h>

#include "util/strings.h"

namespace tollgate::load {
namespace {

std::string format_observed(const Threshold& t, double v) {
  bool ms = (t.metric == "http_req_duration" || t.metric == "http_req_waiting") &&
            t.aggregation != "count";
  if (ms) return fmt::format("{:.2f} ms", v);
  if (t.aggregation == "rate" && (t.metric == "http_req_failed" || t.metric == "checks"))
    return fmt::format("{:.2f}%", v * 100);
  if (t.aggregation == "rate") return fmt::format("{:.1f}/s", v);
  return fmt::format("{:.0f}", v);
}

}  // namespace

RunInfo run_info(const Scenario& s) {
  RunInfo info;
  const LoadSpec& l = s.load;
  bool open = l.model == LoadSpec::Model::Open;
  info.target = s.target.scheme + "://" + s.target.host_header;
  info.model = open ? "open" : "closed";
  // The load as run, flags included; threads and connections are left out: they change how a
  // share is generated, not what it is.
  nlohmann::json load = {{"model", info.model},
                         {"target", info.target + s.target.base_path},
                         {"iterations", l.iterations},
                         {"max_requests", l.max_requests}};
  if (open) {
    load["stages"] = nlohmann::json::array();
    for (const auto& stage : l.stages)
      load["stages"].push_back(
          {{"rate", stage.rate}, {"duration_s", static_cast<double>(stage.duration_us) / 1e6}});
  } else {
    load["users"] = l.users;
    load["spawn_rate"] = l.spawn_rate;
    load["duration_s"] = static_cast<double>(l.duration_us) / 1e6;
  }
  info.scenario = {{"file", s.file}, {"sha256", s.sha256}, {"load", load}};
  info.share_index = l.share_index;
  info.share_count = l.share_count;
  return info;
}

verdict::Verdict make_verdict(const std::vector<Threshold>& thresholds, const Stats& stats,
                              const RunInfo& info) {
  verdict::Verdict v;
  v.gate = "load";
  v.summary = stats_json(stats);
  // Headline figures at the top level too, where the dotenv report (later jobs' variables)
  // picks up scalars: TOLLGATE_LOAD_P95_MS and friends.
  for (const char* key : {"count", "rps", "error_rate", "p50_ms", "p95_ms", "p99_ms", "max_ms"})
    v.summary[key] = v.summary["overall"][key];
  v.summary["target"] = info.target;
  v.summary["model"] = info.model;
  if (info.shares > 1) v.summary["shares"] = info.shares;
  if (!info.scenario.is_null()) v.summary["scenario"] = info.scenario;
  v.summary["share"] = {{"index", info.share_index + 1}, {"count", info.share_count}};
  v.summary["histogram_settings"] = Histogram::settings_json();
  if (!info.abort_reason.empty()) v.summary["abort_reason"] = info.abort_reason;

  nlohmann::json specs = nlohmann::json::array();
  std::vector<std::string> breached;
  for (const auto& t : thresholds) {
    ThresholdResult r = evaluate(t, stats);
    std::string key = t.metric + (t.request_name.empty() ? "" : "{name:" + t.request_name + "}");
    std::string observed = r.observed ? format_observed(t, *r.observed) : "no samples";
    specs.push_back({{"metric", key},
                     {"threshold", t.source},
                     {"abortOnFail", t.abort_on_fail},
                     {"passed", r.passed},
                     {"observed", r.observed ? nlohmann::json(*r.observed) : nlohmann::json()}});
    verdict::Finding f;
    f.id = key;
    f.subject = t.request_name.empty() ? "all requests" : t.request_name;
    f.title = t.source + " (observed " + observed + ")";
    f.location = t.where;
    if (r.passed) {
      f.severity = verdict::Severity::Info;
      f.detail = "threshold met";
    } else {
      f.severity = verdict::Severity::High;
      f.blocking = true;
      f.detail = r.observed ? "threshold breached" : "no samples to judge, which fails closed";
      f.fix = "make the service meet " + t.label() + " or change the threshold";
      breached.push_back(t.label() + " (observed " + observed + ")");
    }
    f.properties = specs.back();
    v.findings.push_back(std::move(f));
  }
  v.summary["thresholds"] = specs;
  if (stats.dropped_iterations > 0) {
    verdict::Finding f;
    f.id = "dropped_iterations";
    f.severity = verdict::Severity::Medium;
    f.subject = "all journeys";
    f.title =
        std::to_string(stats.dropped_iterations) + " journeys could not start in time (open model)";
    f.fix = "raise --max-connections, or the service is slower than the arrival rate allows";
    v.findings.push_back(std::move(f));
  }

  const RequestStats& all = stats.overall;
  if (info.canceled) {
    v.status = verdict::Status::Error;
    v.reason = "the run was canceled before it finished";
  } else if (all.count == 0) {
    v.status = verdict::Status::Error;
    v.reason = "no request finished" +
               (info.abort_reason.empty() ? std::string() : ": " + info.abort_reason);
  } else if (all.latency.count() == 0) {
    v.status = verdict::Status::Error;
    std::vector<std::string> parts;
    for (size_t i = 0; i < all.errors.size(); ++i)
      if (all.errors[i])
        parts.push_back(std::to_string(all.errors[i]) + " " +
                        std::string(to_string(static_cast<ErrorClass>(i))));
    v.reason = "the target " + info.target + " never answered (" + str::join(parts, ", ") + ")";
    if (!info.tls_error.empty()) v.reason += "; TLS: " + info.tls_error;
  } else if (!breached.empty()) {
    v.status = verdict::Status::Fail;
    v.reason = std::to_string(breached.size()) + " of " + std::to_string(thresholds.size()) +
               " thresholds breached: " + str::join(breached, "; ");
    if (!info.abort_reason.empty()) v.reason += " (run aborted early: " + info.abort_reason + ")";
  } else if (!info.abort_reason.empty()) {
    v.status = verdict::Status::Fail;
    v.reason = info.abort_reason;
  } else {
    v.status = verdict::Status::Pass;
    v.reason = fmt::format(
        "{} requests, {:.1f}/s, p95 {:.2f} ms, {:.2f}% failed", all.count, stats.rps(),
        static_cast<double>(all.latency.percentile_us(95)) / 1000,
        all.count ? 100.0 * static_cast<double>(all.failures) / static_cast<double>(all.count)
                  : 0.0);
    v.reason += thresholds.empty()
                    ? "; no thresholds set"
                    : "; all " + std::to_string(thresholds.size()) + " thresholds met";
  }
  v.sort_findings();
  return v;
}

}  // namespace tollgate::load
