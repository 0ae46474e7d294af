#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "slo/slo_file.h"

namespace tollgate::slo {

enum class Result { Pass, Warning, Fail, Info };
std::string_view to_string(Result r);

// What a source measured for one SLI. No value means no data (an empty result, NaN, a missing
// statistic): the objective then fails, never passes.
struct SliValue {
  std::optional<double> value;
  std::string query;    // the query as sent, for findings
  std::string no_data;  // why there is no value, when there is none
};

struct ObjectiveResult {
  const Objective* objective = nullptr;
  std::optional<double> value;
  std::string query;                    // as sent to the source
  std::optional<double> compared_with;  // the aggregated historical value, when used
  Result result = Result::Fail;
  double score = 0;
  bool key_failed = false;
  bool relative_without_history = false;  // relative criteria passed for want of history
  std::vector<std::string> violated;      // pass criteria not met, as "<=600 (target 600)"
  std::string reason;                     // one line: why this result
};

struct Evaluation {
  std::vector<ObjectiveResult> objectives;
  double score = 0;      // achieved points
  double max_score = 0;  // Σ weight of scored objectives
  double percent = 0;    // 100 · score / max_score
  Result result = Result::Fail;
  bool key_failed = false;
  std::string test_run_failed;  // set by fail_for_test_run
  std::string reason;
};

// Keptn's rule for a failed test run: the evaluation fails, its score stays as computed.
void fail_for_test_run(Evaluation& evaluation, const std::string& why);

// Earlier values of each SLI (newest first), already filtered by include_result_with_score and
// limited to number_of_comparison_results evaluations.
using PreviousValues = std::map<std::string, std::vector<double>>;

// Aggregates earlier values the way Keptn does (avg, or p50/p90/p95 with pos = p·(n+1) and
// linear interpolation); nullopt when there are none.
std::optional<double> aggregate(std::vector<double> values, Aggregate how);

// Scores the objectives exactly as Keptn's lighthouse service (v1.4) does.
Evaluation evaluate(const SloFile& slo, const std::map<std::string, SliValue>& values,
                    const PreviousValues& previous);

}  // namespace tollgate::slo
