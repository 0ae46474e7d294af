#include "load/merge.h"

#include <fmt/format.h>

#include <map>

#include "load/result.h"
#include "load/stats.h"
#include "load/thresholds.h"
#include "util/files.h"
#include "util/json_read.h"

namespace tollgate::load {
namespace {

struct Part {
  std::string file;
  nlohmann::json summary;
  std::string status;  // the part's own verdict: pass, fail or error
  std::string reason;
  int index = 1;  // 1-based, as written
  int count = 1;
};

Error refuse(const std::string& file, const std::string& why) {
  return Error(SourceLocation{file, 0, 0}, why);
}

Part read_part(const std::string& file) {
  Part p;
  p.file = file;
  nlohmann::json j = json_read::parse_or_discarded(files::read(file));
  if (j.is_discarded() || !j.is_object()) throw refuse(file, "not a JSON file");
  if (j.value("gate", "") != "load" || !j.contains("summary") || !j["summary"].is_object())
    throw refuse(file, "not a tollgate load result (write one with tollgate load --format json)");
  p.summary = std::move(j["summary"]);
  p.status = j.value("status", "");
  p.reason = j.value("reason", "");
  const nlohmann::json* settings =
      p.summary.contains("histogram_settings") && !p.summary["histogram_settings"].is_null()
          ? &p.summary["histogram_settings"]
          : nullptr;
  if (!settings)
    throw refuse(file,
                 "no histogram_settings in the summary (written by an older tollgate?): run "
                 "the share again to merge it exactly");
  if (*settings != Histogram::settings_json())
    throw refuse(file, "histogram settings " + settings->dump() + " differ from " +
                           Histogram::settings_json().dump() +
                           ": its buckets cannot be added to these exactly");
  const nlohmann::json& share = p.summary.value("share", nlohmann::json::object());
  p.index = share.value("index", 0);
  p.count = share.value("count", 0);
  if (p.count < 1 || p.index < 1 || p.index > p.count)
    throw refuse(file, "no valid share {\"index\": I, \"count\": N} in the summary");
  return p;
}

std::string share_text(const Part& p) {
  return std::to_string(p.index) + "/" + std::to_string(p.count);
}

// The parts must be of one run: the same scenario text, the same load, the same N.
void check_same_run(const Part& first, const Part& p) {
  const nlohmann::json none = nlohmann::json::object();
  const nlohmann::json& a = first.summary.contains("scenario") ? first.summary["scenario"] : none;
  const nlohmann::json& b = p.summary.contains("scenario") ? p.summary["scenario"] : none;
  if (a.value("sha256", "") != b.value("sha256", ""))
    throw refuse(p.file, fmt::format("ran scenario {} (sha256 {:.12}) but {} ran {} (sha256 "
                                     "{:.12}): only the shares of one scenario merge",
                                     b.value("file", "?"), b.value("sha256", "none"), first.file,
                                     a.value("file", "?"), a.value("sha256", "none")));
  if (a.value("load", none) != b.value("load", none))
    throw refuse(p.file, "ran with load " + b.value("load", none).dump() + " but " + first.file +
                             " with " + a.value("load", none).dump() +
                             ": give every share the same flags (only --share differs)");
  if (p.count != first.count)
    throw refuse(p.file, "is share " + share_text(p) + " but " + first.file + " is share " +
                             share_text(first) + ": the shares of one run have the same N");
}

std::vector<Threshold> thresholds_of(const Part& p, const std::vector<std::string>& names) {
  std::vector<Threshold> out;
  if (!p.summary.contains("thresholds")) return out;
  try {
    for (const auto& t : p.summary["thresholds"])
      out.push_back(parse_threshold(t.at("metric").get<std::string>(),
                                    t.at("threshold").get<std::string>(), {p.file, 0, 0}, names));
  } catch (const nlohmann::json::exception& e) {
    throw refuse(p.file, std::string("malformed thresholds: ") + e.what());
  }
  return out;
}

}  // namespace

verdict::Verdict merge_results(const std::vector<std::string>& files) {
  if (files.empty()) throw UsageError("load merge needs the result files of every share");
  std::vector<Part> parts;
  std::map<int, const Part*> by_share;
  for (const auto& file : files) {
    parts.push_back(read_part(file));
    const Part& p = parts.back();
    if (parts.size() > 1) check_same_run(parts.front(), p);
  }
  for (const auto& p : parts) {
    auto [it, fresh] = by_share.emplace(p.index, &p);
    if (!fresh)
      throw refuse(p.file, "is share " + share_text(p) + ", as " + it->second->file +
                               " is: the same share twice would count its requests twice");
  }
  for (int i = 1; i <= parts.front().count; ++i)
    if (!by_share.count(i))
      throw refuse(parts.front().file, "share " + std::to_string(i) + "/" +
                                           std::to_string(parts.front().count) +
                                           " is missing: merge the results of all " +
                                           std::to_string(parts.front().count) + " shares");

  Stats merged;
  for (const auto& p : parts)
    merged.merge(stats_from_json(p.summary, p.file));
  const Part& first = parts.front();
  RunInfo info;
  info.shares = static_cast<int>(parts.size());
  info.target = first.summary.value("target", "");
  info.model = first.summary.value("model", "");
  if (first.summary.contains("scenario")) info.scenario = first.summary["scenario"];
  for (const auto& p : parts)
    if (info.abort_reason.empty() && p.summary.contains("abort_reason"))
      info.abort_reason = "share " + share_text(p) + ": " + p.summary.value("abort_reason", "");
  verdict::Verdict v = make_verdict(thresholds_of(first, merged.names), merged, info);
  // A share that could not verify leaves the whole run unverified, whatever the others say.
  for (const auto& p : parts) {
    if (p.status != "error") continue;
    v.status = verdict::Status::Error;
    v.reason = "share " + share_text(p) + " (" + p.file + ") could not verify: " + p.reason;
    break;
  }
  return v;
}

}  // namespace tollgate::load
