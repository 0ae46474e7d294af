#pragma once

#include <map>
#include <optional>
#include <string>

#include "slo/baseline.h"
#include "slo/scoring.h"
#include "slo/source.h"
#include "verdict/verdict.h"

namespace tollgate::slo {

// Everything `tollgate check slo` was asked to do.
struct GateOptions {
  std::string slo_path;
  std::string sli_path;            // empty: sli.yaml beside the SLO file
  std::string source;              // "prometheus:URL", ...
  std::string start, end, window;  // as written on the command line; see resolve_window
  std::map<std::string, std::string> labels;
  std::string history_path = ".tollgate/history.db";
  std::string history_key;  // empty: the SLO file's absolute path
  bool record = true;
  bool fail_on_warning = false;
  BaselineOptions baseline;
  SourceOptions source_options;
};

// start/end are ISO 8601 or epoch seconds; window a duration ("10m"). Any two of the three fix
// the window; with fewer, end defaults to now and the length to 5m. Throws UsageError when
// inconsistent or empty.
Window resolve_window(const std::string& start, const std::string& end, const std::string& window,
                      timefmt::Clock::time_point now);

// Reads the files, queries the source, scores, records the evaluation and returns the Verdict.
// Throws Error for anything that makes verification impossible.
verdict::Verdict run_gate(const GateOptions& options);

}  // namespace tollgate::slo
