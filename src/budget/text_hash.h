#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace tollgate::budget {

// A fast hash for the short texts a bill repeats millions of times (Tags values, group keys),
// for hash maps looked up once per row: one multiply per 8 bytes, where std::hash spends
// several. Transparent, so a std::string_view finds a std::string key without a copy. Not
// meant to resist chosen collisions.
struct TextHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept {
    constexpr uint64_t kMul = 0xBF58476D1CE4E5B9;
    uint64_t h = 0x9E3779B97F4A7C15 ^ s.size();
    const char* p = s.data();
    size_t n = s.size();
    for (; n >= 8; p += 8, n -= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      h = (h ^ w) * kMul;
      h ^= h >> 29;
    }
    uint64_t tail = 0;
    for (size_t i = 0; i < n; ++i)
      tail |= static_cast<uint64_t>(static_cast<unsigned char>(p[i])) << (8 * i);
    h = (h ^ tail) * kMul;
    h ^= h >> 31;
    return static_cast<size_t>(h);
  }
};

}  // namespace tollgate::budget
