// The body of CsvIndex::extend, included by csv_index.cc (SSE2, every x86-64) and by
// csv_index_avx2.cc (compiled with -mavx2 -mpclmul -mbmi). Internal linkage keeps the two
// compilations apart.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "budget/csv_index.h"

namespace tollgate::budget {
namespace {

struct BlockMasks {
  uint64_t quote = 0, delim = 0, lf = 0, cr = 0;  // delim: ',' or LF
};

#if defined(__AVX2__)
inline uint64_t lane_bits(__m256i hits, int i) {
  return static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(hits))) << (32 * i);
}

inline BlockMasks block_masks(const char* p) {
  BlockMasks m;
  const __m256i comma = _mm256_set1_epi8(','), quote = _mm256_set1_epi8('"');
  const __m256i lf = _mm256_set1_epi8('\n'), cr = _mm256_set1_epi8('\r');
  __m256i any_cr = _mm256_setzero_si256();
#pragma GCC unroll 2
  for (int i = 0; i < 2; ++i) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * i));
    __m256i is_lf = _mm256_cmpeq_epi8(v, lf);
    m.quote |= lane_bits(_mm256_cmpeq_epi8(v, quote), i);
    m.delim |= lane_bits(_mm256_or_si256(_mm256_cmpeq_epi8(v, comma), is_lf), i);
    m.lf |= lane_bits(is_lf, i);
    any_cr = _mm256_or_si256(any_cr, _mm256_cmpeq_epi8(v, cr));
  }
  // Most exports end lines with LF alone: only a block holding a CR pays for its mask.
  if (!_mm256_testz_si256(any_cr, any_cr)) {
    for (int i = 0; i < 2; ++i) {
      __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * i));
      m.cr |= lane_bits(_mm256_cmpeq_epi8(v, cr), i);
    }
  }
  return m;
}
#elif defined(__SSE2__)
inline uint64_t lane_bits(__m128i hits, int i) {
  return static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(hits))) << (16 * i);
}

inline BlockMasks block_masks(const char* p) {
  BlockMasks m;
  const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"');
  const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
  __m128i any_cr = _mm_setzero_si128();
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    __m128i is_lf = _mm_cmpeq_epi8(v, lf);
    m.quote |= lane_bits(_mm_cmpeq_epi8(v, quote), i);
    m.delim |= lane_bits(_mm_or_si128(_mm_cmpeq_epi8(v, comma), is_lf), i);
    m.lf |= lane_bits(is_lf, i);
    any_cr = _mm_or_si128(any_cr, _mm_cmpeq_epi8(v, cr));
  }
  if (_mm_movemask_epi8(any_cr)) {
    for (int i = 0; i < 4; ++i) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
      m.cr |= lane_bits(_mm_cmpeq_epi8(v, cr), i);
    }
  }
  return m;
}
#else
inline BlockMasks block_masks(const char* p) {
  BlockMasks m;
  for (int i = 0; i < 64; ++i) {
    uint64_t bit = uint64_t{1} << i;
    m.quote |= p[i] == '"' ? bit : 0;
    m.delim |= p[i] == ',' || p[i] == '\n' ? bit : 0;
    m.lf |= p[i] == '\n' ? bit : 0;
    m.cr |= p[i] == '\r' ? bit : 0;
  }
  return m;
}
#endif

// Bit i = parity of the quotes at or below i: 1 inside a quoted field (from its opening quote
// up to, not including, its closing one). A doubled quote flips it twice, so it stays inside.
inline uint64_t prefix_xor(uint64_t x) {
#if defined(__PCLMUL__)
  // A carry-less multiply by all ones is exactly the prefix xor.
  __m128i product = _mm_clmulepi64_si128(_mm_set_epi64x(0, static_cast<int64_t>(x)),
                                         _mm_set1_epi8(static_cast<char>(0xFF)), 0);
  return static_cast<uint64_t>(_mm_cvtsi128_si64(product));
#else
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
#endif
}

// Writes the offsets of d's set bits. Eight are written whatever the count (the spare ones are
// overwritten later), so the usual few delimiters of a block cost no mispredicted branch; the
// caller keeps 64 + 8 slots free.
inline uint32_t trailing_zeros(uint64_t d) {
#if defined(__BMI__)
  return static_cast<uint32_t>(_tzcnt_u64(d));  // 64 for 0, with no branch
#else
  return static_cast<uint32_t>(std::countr_zero(d));
#endif
}

inline uint32_t* flatten(uint32_t* out, uint64_t d, uint32_t block) {
  int n = std::popcount(d);
#pragma GCC unroll 8
  for (int k = 0; k < 8; ++k) {
    out[k] = block + trailing_zeros(d);
    d &= d - 1;
  }
  for (int k = 8; k < n; ++k) {
    out[k] = block + trailing_zeros(d);
    d &= d - 1;
  }
  return out + n;
}

// Bytes that may follow a closing quote: a delimiter, a CR (before LF) or an opening quote.
constexpr auto kEndsField = [] {
  std::array<uint8_t, 256> table{};
  for (unsigned char c : {',', '\n', '\r', '"'})
    table[c] = 1;
  return table;
}();

// What one block leaves to the next.
struct Carry {
  uint64_t inside = 0;  // all ones when the block ended inside quotes
  bool field_starts = true, after_closing = false;
};

// Indexes the block at base + block: 64 bytes of data when kFull, else `size` (the end of the
// input). `next` is the byte after the block (',' at the end of the input). Returns the offset
// of the first byte the checks reject, or SIZE_MAX.
template <bool kFull>
inline size_t index_block(CsvIndex& x, const char* base, size_t block, size_t size, char next,
                          Carry& carry, uint32_t*& out) {
  BlockMasks m = block_masks(base + block);
  uint64_t valid = kFull ? ~uint64_t{0} : (uint64_t{1} << size) - 1;
  uint64_t quote = m.quote & valid;
  uint64_t in = prefix_xor(quote) ^ carry.inside;
  uint64_t lf = m.lf & valid;
  uint64_t delims = m.delim & ~in & valid;
  uint64_t cr = m.cr & ~in & valid;
  uint64_t opening = quote & in, closing = quote & ~in;
  uint64_t next_ends_field = kFull ? kEndsField[static_cast<unsigned char>(next)] : 0;
  uint64_t next_is_lf = kFull && next == '\n';
  uint64_t starts = (delims << 1) | uint64_t{carry.field_starts};
  uint64_t closed_before = (closing << 1) | uint64_t{carry.after_closing};
  uint64_t followers = delims | cr | opening | ~valid;
  uint64_t bad = (opening & ~(starts | closed_before)) |
                 (closing & ~((followers >> 1) | (next_ends_field << 63))) |
                 (cr & ~((lf >> 1) | (next_is_lf << 63)));
  size_t anomaly = SIZE_MAX;
  if (bad) {
    unsigned at = static_cast<unsigned>(std::countr_zero(bad));
    uint64_t before = (uint64_t{1} << at) - 1;
    delims &= before;
    lf &= before;
    anomaly = block + at;
  }
  out = flatten(out, delims, static_cast<uint32_t>(block));
  for (uint64_t n = lf & ~in; n; n &= n - 1)
    x.record_ends.push_back(static_cast<uint32_t>(block) +
                            static_cast<uint32_t>(std::countr_zero(n)));
  for (uint64_t n = lf & in; n; n &= n - 1)
    x.quoted_lfs.push_back(static_cast<uint32_t>(block) +
                           static_cast<uint32_t>(std::countr_zero(n)));
  carry.inside = static_cast<uint64_t>(static_cast<int64_t>(in) >> 63);
  carry.field_starts = (delims >> 63) & 1;
  carry.after_closing = (closing >> 63) & 1;
  return anomaly;
}

inline void index_blocks(CsvIndex& x, const char* base, size_t end, bool eof) {
  if (x.anomaly != SIZE_MAX) return;  // nothing past it is indexed until a reset
  size_t block = x.scanned;
  Carry carry{x.inside, x.field_starts, x.after_closing};
  size_t anomaly = SIZE_MAX;
  // A block is indexed only once the byte after it has arrived (or the input has ended): a
  // closing quote or a CR in the block's last byte is judged by the byte that follows.
  size_t limit = eof ? end : (end > 0 ? end - 1 : 0);
  size_t room = x.seps_size + (limit > block ? (limit - block) / 64 * 8 : 0) + 128;
  if (x.seps.size() < room) x.seps.resize(room);
  uint32_t* out = x.seps.data() + x.seps_size;
  auto make_room = [&] {
    if (static_cast<size_t>(x.seps.data() + x.seps.size() - out) >= 64 + 8) return;
    size_t used = static_cast<size_t>(out - x.seps.data());
    x.seps.resize(x.seps.size() * 2);
    out = x.seps.data() + used;
  };
  while (block + 64 <= limit && anomaly == SIZE_MAX) {
    make_room();
    char next = block + 64 < end ? base[block + 64] : ',';
    anomaly = index_block<true>(x, base, block, 64, next, carry, out);
    block += 64;
  }
  if (eof && block < end && anomaly == SIZE_MAX) {
    make_room();
    anomaly = index_block<false>(x, base, block, end - block, ',', carry, out);
    block = end;
  }
  x.seps_size = static_cast<size_t>(out - x.seps.data());
  x.scanned = block;
  x.anomaly = anomaly;
  x.inside = carry.inside;
  x.field_starts = carry.field_starts;
  x.after_closing = carry.after_closing;
}

}  // namespace
}  // namespace tollgate::budget
