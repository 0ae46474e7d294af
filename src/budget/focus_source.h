#pragma once

#include <set>
#include <string>

#include "budget/cost_row.h"
#include "budget/scope.h"

namespace tollgate::budget {

// Streams a FinOps FOCUS 1.0-1.2 CSV file (plain or gzip) into sink, row by row, in constant
// memory. The mandatory columns a budget needs must be in the header; optional ones
// (SubAccountId, RegionId, Tags) only when a scope or breakdown names them. Any value a budget
// cannot trust (a null or non-numeric cost, a malformed date, a row of the wrong width) throws
// Error at file:line naming the column. Returns the number of data rows read.
long read_focus(const std::string& path, RowSink& sink, const std::set<Dimension>& needed);

// Parses a FOCUS date-time ("2026-11-01T00:00:00Z"; other ISO 8601 forms with an offset are
// accepted too); nullopt when malformed.
std::optional<Seconds> parse_focus_time(std::string_view text);

}  // namespace tollgate::budget
