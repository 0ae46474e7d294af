#pragma once

#include <string>

#include "verdict/report.h"
#include "verdict/verdict.h"

// The load gate's own report formats. Each reads only the Verdict (its summary holds the full
// statistics), so a merged result renders exactly like a single run.
namespace tollgate::load {

// k6's `--summary-export` JSON, the file GitLab's load_performance report reads
// (metrics.http_reqs.rate, metrics.http_req_waiting["p(90)"/"p(95)"], metrics.checks).
std::string render_k6_summary(const verdict::Verdict& v);
// One row per second: second,requests,failures,users,p50_ms,p95_ms,p99_ms,max_ms.
std::string render_csv(const verdict::Verdict& v);
// The load gate's part of the shared end-of-run table: one row per request name and a total row
// above the shared findings (thresholds) and result line.
verdict::TableSections summary_table();

}  // namespace tollgate::load
