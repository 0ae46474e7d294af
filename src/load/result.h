#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "load/scenario.h"
#include "load/stats.h"
#include "load/thresholds.h"
#include "verdict/verdict.h"

namespace tollgate::load {

// How a run went, beyond its figures.
struct RunInfo {
  std::string target;  // http://host:port
  std::string model;   // closed | open
  std::string abort_reason;
  std::string tls_error;  // why TLS handshakes failed, if they did
  bool canceled = false;  // Ctrl-C
  int shares = 1;         // how many results a merge combined
  // What `load merge` checks before it adds results up: {"file", "sha256", "load"}, the
  // scenario and the load it ran with; and which share of that load this run was.
  nlohmann::json scenario;
  int share_index = 0;  // 0-based
  int share_count = 1;
};

// The RunInfo of a run of `scenario` (target, model, identity and share).
RunInfo run_info(const Scenario& scenario);

// Judges the statistics against the thresholds: pass, fail (a breached threshold, exit 1) or
// error (nothing answered, the target could not be reached, the run was canceled: exit 2). The
// summary holds the full statistics (stats_json) and the thresholds as written, so that a
// result file alone can be merged and judged again.
verdict::Verdict make_verdict(const std::vector<Threshold>& thresholds, const Stats& stats,
                              const RunInfo& info);

}  // namespace tollgate::load
