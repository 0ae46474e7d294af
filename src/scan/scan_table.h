#pragma once

#include <string>

#include "verdict/verdict.h"

namespace tollgate::scan {

// The terminal view of a scan: what was scanned, the severity counts, then one block per
// package (installed version, each vulnerability with its severity and fix), ignored findings
// marked, and the verdict line last.
std::string render_scan_table(const verdict::Verdict& v);

}  // namespace tollgate::scan
