#include "util/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace tollgate::parallel {
namespace {

TEST(Parallel, EveryItemOnceInContiguousPieces) {
  for (size_t count : {0u, 1u, 7u, 100u, 10007u}) {
    std::vector<int> seen(count, 0);
    std::mutex m;
    std::vector<std::pair<size_t, size_t>> pieces;
    for_pieces(count, 10, [&](size_t piece, size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i)
        ++seen[i];
      std::lock_guard lock(m);
      if (pieces.size() <= piece) pieces.resize(piece + 1);
      pieces[piece] = {begin, end};
    });
    for (size_t i = 0; i < count; ++i)
      ASSERT_EQ(seen[i], 1) << count << " " << i;
    EXPECT_EQ(pieces.size(), piece_count(count, 10));
    for (size_t p = 0; p < pieces.size(); ++p) {
      EXPECT_TRUE(pieces[p].second - pieces[p].first >= 10 || pieces.size() == 1) << count;
      EXPECT_EQ(pieces[p].first, p == 0 ? 0 : pieces[p - 1].second) << "in order, contiguous";
    }
  }
}

TEST(Parallel, SmallWorkStaysOnTheCallingThread) {
  std::thread::id caller = std::this_thread::get_id(), ran;
  for_pieces(5, 10, [&](size_t, size_t, size_t) { ran = std::this_thread::get_id(); });
  EXPECT_EQ(piece_count(5, 10), 1u);
  EXPECT_EQ(piece_count(0, 10), 0u);
  EXPECT_EQ(ran, caller);
}

TEST(Parallel, AFailureIsRethrownAfterEveryPieceFinished) {
  std::atomic<size_t> done{0};
  size_t count = 64 * std::max(2u, std::thread::hardware_concurrency());
  EXPECT_THROW(for_pieces(count, 1,
                          [&](size_t, size_t begin, size_t end) {
                            if (begin == 0) throw std::runtime_error("first piece");
                            done += end - begin;
                          }),
               std::runtime_error);
  size_t cores = std::max(1u, std::thread::hardware_concurrency());
  if (cores > 1) {
    EXPECT_GT(done.load(), 0u);  // the other pieces ran to their end
  }
}

}  // namespace
}  // namespace tollgate::parallel
