#include "slo/load_source.h"

#include <algorithm>

#include "util/files.h"
#include "util/json_read.h"
#include "util/strings.h"

namespace tollgate::slo {

using nlohmann::json;

const std::vector<std::string>& load_statistics() {
  static const std::vector<std::string> kStats = {
      "count",  "failures", "error_rate", "rps",     "min_ms", "mean_ms",   "p50_ms",
      "p90_ms", "p95_ms",   "p99_ms",     "p999_ms", "max_ms", "duration_s"};
  return kStats;
}

Measurement lookup_load_statistic(const json& verdict, const Query& query,
                                  const std::string& path) {
  SourceLocation where = query.where.known() ? query.where : SourceLocation{path};
  std::string scope = "overall";
  std::string request;
  std::string stat = query.text;
  if (query.text.rfind("overall.", 0) == 0) {
    stat = query.text.substr(8);
  } else if (query.text.rfind("requests.", 0) == 0) {
    size_t dot = query.text.rfind('.');
    if (dot <= 9)
      throw Error(where, "indicator '" + query.sli + "': '" + query.text +
                             "' needs a request name and a statistic: requests.NAME.STAT");
    scope = "requests";
    request = query.text.substr(9, dot - 9);
    stat = query.text.substr(dot + 1);
  }
  const auto& stats = load_statistics();
  if (std::find(stats.begin(), stats.end(), stat) == stats.end()) {
    std::string hint = str::closest(stat, stats);
    throw Error(where, "indicator '" + query.sli + "': '" + stat + "' is not a load statistic" +
                           (hint.empty() ? "" : " (did you mean '" + hint + "'?)") + "; one of " +
                           str::join(stats, ", "));
  }
  const json& summary = verdict.at("summary");
  Measurement m;
  const json* block = nullptr;
  if (scope == "overall") {
    if (!summary.contains("overall") || !summary["overall"].is_object())
      throw Error(SourceLocation{path}, "not a tollgate load result: summary.overall is missing");
    block = &summary["overall"];
  } else {
    if (!summary.contains("requests") || !summary["requests"].is_object() ||
        !summary["requests"].contains(request)) {
      m.no_data = "the load run has no request named '" + request + "'";
      return m;
    }
    block = &summary["requests"][request];
  }
  if (!block->contains(stat) || (*block)[stat].is_null()) {
    m.no_data = "the load run reported no " + stat;
    return m;
  }
  // A latency of requests none of which got a response is no data, never 0 ms that passes.
  bool latency = stat.size() > 3 && stat.compare(stat.size() - 3, 3, "_ms") == 0;
  if (latency && block->contains("timed") && (*block)["timed"].is_number() &&
      (*block)["timed"].get<double>() == 0) {
    m.no_data = "the load run timed no response" +
                (scope == "overall" ? std::string() : " for '" + request + "'") +
                ", so it has no " + stat;
    return m;
  }
  if (!(*block)[stat].is_number())
    throw Error(SourceLocation{path}, stat + " in the load result is not a number");
  m.value = (*block)[stat].get<double>();
  m.samples.push_back(*m.value);
  m.series = 1;
  return m;
}

std::vector<Measurement> LoadSource::measure(const std::vector<Query>& queries, const Window&) {
  json verdict = json_read::parse_or_discarded(files::read(path_));
  // Another gate's verdict has a summary too, with figures of other meanings.
  if (verdict.is_discarded() || !verdict.is_object() || !verdict.contains("summary") ||
      !verdict["gate"].is_string() || verdict["gate"] != "load")
    throw Error(SourceLocation{path_},
                "not a tollgate load result (expected the JSON of `tollgate load --format json`, "
                "whose \"gate\" is \"load\")");
  std::vector<Measurement> out;
  try {
    std::string status = verdict.value("status", "");
    if (status == "error")
      throw Error(SourceLocation{path_},
                  "the load run could not run: " + verdict.value("reason", "(no reason given)"));
    if (status == "fail")
      failed_ = "the load run failed: " + verdict.value("reason", "(no reason given)");
    for (const auto& q : queries)
      out.push_back(lookup_load_statistic(verdict, q, path_));
  } catch (const json::exception& e) {
    throw Error(SourceLocation{path_}, std::string("malformed load result: ") + e.what());
  }
  return out;
}

}  // namespace tollgate::slo
