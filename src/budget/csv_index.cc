#include "budget/csv_index.h"

#include "budget/csv_index_impl.h"

namespace tollgate::budget {

void detail::index_sse2(CsvIndex& x, const char* base, size_t end, bool eof) {
  index_blocks(x, base, end, eof);
}

void CsvIndex::reset(size_t at) {
  seps_size = 0;
  next_sep = 0;
  record_ends.clear();
  next_record_end = 0;
  quoted_lfs.clear();
  next_quoted_lf = 0;
  scanned = at;
  anomaly = SIZE_MAX;
  inside = 0;
  field_starts = true;
  after_closing = false;
}

void CsvIndex::extend(const char* base, size_t end, bool eof) {
#if defined(__x86_64__) || defined(__i386__)
  static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("pclmul") &&
                           __builtin_cpu_supports("bmi");
  if (avx2 && detail::index_avx2(*this, base, end, eof)) return;
#endif
  detail::index_sse2(*this, base, end, eof);
}

}  // namespace tollgate::budget
