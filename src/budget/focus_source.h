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

struct ParallelOptions {
  unsigned threads = 0;               // 0: one per core
  uint64_t min_bytes = 64ull << 20;   // smaller files are not worth the threads
  uint64_t min_segment = 4ull << 20;  // the least a thread takes at a time
};

// The same, on several threads for a large plain file: the threads take turns at segments
// cut at line breaks, each into its own split of sink, and the splits are merged. Results are
// identical to read_focus (the sums are exact, so order does not matter); if a segment fails
// (a cut inside a quoted field, or bad data) the file is read again by read_focus, so errors
// carry true lines.
long read_focus_parallel(const std::string& path, SplittableSink& sink,
                         const std::set<Dimension>& needed, const ParallelOptions& options);

// Parses a FOCUS date-time ("2026-11-01T00:00:00Z"; other ISO 8601 forms with an offset are
// accepted too); nullopt when malformed.
std::optional<Seconds> parse_focus_time(std::string_view text);

}  // namespace tollgate::budget
