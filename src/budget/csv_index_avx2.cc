// CsvIndex's AVX2 version: the same body, compiled with -mavx2 -mpclmul -mbmi
// (src/budget/CMakeLists.txt); only ever called once the processor says it has all three.
#include "budget/csv_index.h"

#if defined(__AVX2__) && defined(__PCLMUL__) && defined(__BMI__)
#include "budget/csv_index_impl.h"
#endif

namespace tollgate::budget {

bool detail::index_avx2([[maybe_unused]] CsvIndex& x, [[maybe_unused]] const char* base,
                        [[maybe_unused]] size_t end, [[maybe_unused]] bool eof) {
#if defined(__AVX2__) && defined(__PCLMUL__) && defined(__BMI__)
  index_blocks(x, base, end, eof);
  return true;
#else
  return false;
#endif
}

}  // namespace tollgate::budget
