#pragma once

#include <map>
#include <string>
#include <vector>

#include "slo/mann_whitney.h"
#include "slo/slo_file.h"

namespace tollgate::slo {

// --baseline: compare the window's samples with a baseline's (another window, another source, or
// both) with a Mann-Whitney U test, as Kayenta's NetflixACAJudge classifies canary metrics.
struct BaselineOptions {
  std::string source;      // empty: the main source
  std::string start, end;  // end empty: the main window's length from start
  double confidence = 0.98;
  double tolerance = 0.25;        // the shift must clear ±tolerance·|estimate|
  double allowed_increase = 1.0;  // and the mean ratio must reach this to count as High
  double allowed_decrease = 1.0;  // or fall to this to count as Low
  size_t min_samples = 3;
  bool enabled() const { return !source.empty() || !start.empty(); }
};

using MeasuredSamples = std::map<std::string, std::vector<double>>;

// Skipped: one value on each side (an instant query, a load statistic) has nothing to compare
// sample by sample; it is scored by its criteria only.
enum class Judgement { Pass, High, Low, NoData, Skipped };
std::string_view to_string(Judgement j);

struct BaselineMetric {
  const Objective* objective = nullptr;
  Judgement judgement = Judgement::NoData;
  MannWhitney test;
  double baseline_mean = 0;
  double current_mean = 0;
  double mean_ratio = 1;  // current / baseline
  bool failed = false;    // a judgement the objective's direction forbids, or no data
  std::string reason;
};

struct BaselineReport {
  std::string description;  // what the baseline was
  std::vector<BaselineMetric> metrics;
  bool failed() const;
};

// Judges every objective: samples missing (fewer than min_samples on a side) fail closed. When
// no objective could be compared at all, that is an Error: a baseline was asked for.
BaselineReport judge_baseline(const SloFile& slo, const MeasuredSamples& baseline,
                              const MeasuredSamples& current, const BaselineOptions& options);

// One metric on clean samples (NaN removed), for tests and the judge above.
BaselineMetric judge_metric(const Objective& objective, std::vector<double> baseline,
                            std::vector<double> current, const BaselineOptions& options);

}  // namespace tollgate::slo
