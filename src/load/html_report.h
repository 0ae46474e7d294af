#pragma once

#include <string>

#include "verdict/verdict.h"

namespace tollgate::load {

// A self-contained HTML page (inline CSS and SVG, no scripts, no network) with the verdict, the
// per-request table and charts over time of latency percentiles, throughput and errors, for a
// CI artifact that opens offline in any browser.
std::string render_html(const verdict::Verdict& v);

}  // namespace tollgate::load
