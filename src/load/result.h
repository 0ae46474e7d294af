#pragma once

#include <string>
#include <vector>

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
};

// Judges the statistics against the thresholds: pass, fail (a breached threshold, exit 1) or
// error (nothing answered, the target could not be reached, the run was canceled: exit 2). The
// summary holds the full statistics (stats_json) and the thresholds as written, so that a
// result file alone can be merged and judged again.
verdict::Verdict make_verdict(const std::vector<Threshold>& thresholds, const Stats& stats,
                              const RunInfo& info);

// `tollgate load merge`: reads the Verdict JSON files of parallel runs (--share I/N), adds
// their histograms and counts, and judges the merged figures against their thresholds.
verdict::Verdict merge_results(const std::vector<std::string>& files);

}  // namespace tollgate::load
