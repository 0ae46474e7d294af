#pragma once

#include <string>

#include "verdict/report.h"
#include "verdict/verdict.h"

namespace tollgate::scan {

// The scan's part of the shared table: what was scanned, the severity counts, then one block per
// package (installed version, each vulnerability with its severity and fix), ignored findings
// marked, above the shared result line. An error verdict gets the plain shared table.
verdict::TableSections scan_table();

}  // namespace tollgate::scan
