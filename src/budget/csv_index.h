#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tollgate::budget {

// The structural index of a CSV buffer (the fast path of CsvReader, the technique of simdjson
// and simdcsv): the offsets of the delimiters outside quotes, found 64 bytes at a time, so a
// record is cut without looking at its bytes again. Quote parity masks out delimiters inside
// quoted fields, and a few bit operations per block check the quoting of every field at once:
// a quote that opens must start its field or follow a closing quote (a doubled ""), a quote
// that closes must be followed by a delimiter, a CR or an opening quote, and a CR outside
// quotes by an LF. Indexing stops at the first byte that breaks a rule.
struct CsvIndex {
  std::vector<uint32_t> seps;         // offsets of ',' and LF outside quotes
  size_t seps_size = 0;               // seps is written ahead; only this many are real
  size_t next_sep = 0;                // the first one of the next record
  std::vector<uint32_t> record_ends;  // LFs outside quotes, each also in seps
  size_t next_record_end = 0;
  std::vector<uint32_t> quoted_lfs;  // LFs inside quotes, which still count as lines
  size_t next_quoted_lf = 0;
  size_t scanned = 0;  // blocks before this offset are indexed
  // The first byte the checks could not vouch for (malformed quoting, a bare CR): the exact
  // scanner reads the record holding it and says what is wrong.
  size_t anomaly = SIZE_MAX;
  uint64_t inside = 0;         // all ones when the last block ended inside quotes
  bool field_starts = true;    // a field starts at `scanned`
  bool after_closing = false;  // the byte before `scanned` is a closing quote

  // Starts over at `at`, the start of a record.
  void reset(size_t at);
  // Indexes the blocks of base[scanned, end) whose following byte has arrived (all of them
  // when `eof`). base must have 64 readable bytes past end.
  void extend(const char* base, size_t end, bool eof);
};

namespace detail {
// One implementation per instruction set (csv_index_impl.h compiled twice); extend() picks
// the best one the processor runs.
void index_sse2(CsvIndex& x, const char* base, size_t end, bool eof);
// False when this build has no AVX2 version (not x86-64).
bool index_avx2(CsvIndex& x, const char* base, size_t end, bool eof);
}  // namespace detail

}  // namespace tollgate::budget
