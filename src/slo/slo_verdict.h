#pragma once

#include <optional>
#include <string>

#include "slo/baseline.h"
#include "slo/scoring.h"
#include "slo/source.h"
#include "verdict/report.h"
#include "verdict/verdict.h"

namespace tollgate::slo {

struct HistoryInfo {
  std::string key;
  std::string path;
  int compared_results = 0;  // earlier evaluations relative criteria drew on
  bool recorded = false;
};

struct SloContext {
  const SloFile* slo = nullptr;
  std::string source;
  Window window;
  HistoryInfo history;
  bool fail_on_warning = false;
  std::vector<std::string> source_warnings;  // "query 'q': text", as the backend flagged them
};

// The shared Verdict: a finding per objective that does not pass, every objective in
// summary.objectives, the Keptn result in summary.result (pass | warning | fail). A warning
// opens the gate (status pass) unless fail_on_warning.
verdict::Verdict make_verdict(const SloContext& context, const Evaluation& evaluation,
                              const std::optional<BaselineReport>& baseline);

// The SLO gate's part of the shared table: one row per objective, the baseline comparison and
// the score above the shared result line, which says WARNING for a Keptn warning.
verdict::TableSections slo_table();
std::string render_slo_table(const verdict::Verdict& v);  // the shared table with those
// The SLO gate's cases in the shared JUnit: one per objective (GitLab's test report shows each
// SLO) and one for the total score; an error verdict gets the plain shared report.
verdict::JunitSections slo_junit();
// OpenMetrics text for GitLab's `metrics` report: label-free names, one value a line.
std::string render_openmetrics(const verdict::Verdict& v);

}  // namespace tollgate::slo
