#include "budget/csv_index.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace tollgate::budget {
namespace {

// Indexes text in chunks the way CsvReader feeds it, with one implementation.
CsvIndex run(void (*index)(CsvIndex&, const char*, size_t, bool), const std::string& text) {
  std::string buffer = text + std::string(64, '\0');  // the reader's padding
  CsvIndex x;
  x.reset(0);
  index(x, buffer.data(), text.size() / 2, false);
  index(x, buffer.data(), text.size(), true);
  return x;
}

void sse2(CsvIndex& x, const char* base, size_t end, bool eof) {
  detail::index_sse2(x, base, end, eof);
}

void best(CsvIndex& x, const char* base, size_t end, bool eof) {
  x.extend(base, end, eof);
}

std::vector<uint32_t> seps(const CsvIndex& x) {
  return {x.seps.begin(), x.seps.begin() + static_cast<long>(x.seps_size)};
}

TEST(CsvIndex, FindsDelimitersOutsideQuotes) {
  std::string text = "a,\"b,c\"\r\n\"x\ny\",\"\"\"\"\n";
  CsvIndex x = run(sse2, text);
  EXPECT_EQ(seps(x), (std::vector<uint32_t>{1, 8, 14, 19}));
  EXPECT_EQ(x.quoted_lfs, (std::vector<uint32_t>{11}));
  EXPECT_EQ(x.anomaly, SIZE_MAX);
}

TEST(CsvIndex, StopsAtTheFirstMalformedByte) {
  EXPECT_EQ(run(sse2, "a,b\"c\n").anomaly, 3u);    // a quote inside an unquoted field
  EXPECT_EQ(run(sse2, "a,\"b\"c\n").anomaly, 4u);  // text after a closing quote
  EXPECT_EQ(run(sse2, "a\rb\n").anomaly, 1u);      // a CR that does not end the line
  EXPECT_EQ(seps(run(sse2, "a,b\"c\n")), (std::vector<uint32_t>{1}));
}

// Every instruction set gives the same index: random bytes from the CSV alphabet, so quotes,
// CRs and delimiters land on every block edge.
TEST(CsvIndex, EveryImplementationAgrees) {
  std::mt19937 rng(11);
  const std::string alphabet = "ab,\"\n\r xy\"\",";
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    size_t size = rng() % 400;
    for (size_t i = 0; i < size; ++i)
      text += alphabet[rng() % alphabet.size()];
    CsvIndex a = run(sse2, text), b = run(best, text);
    ASSERT_EQ(seps(a), seps(b)) << round;
    ASSERT_EQ(a.quoted_lfs, b.quoted_lfs) << round;
    ASSERT_EQ(a.anomaly, b.anomaly) << round;
    ASSERT_EQ(a.scanned, b.scanned) << round;
  }
}

}  // namespace
}  // namespace tollgate::budget
