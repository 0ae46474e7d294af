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
    for_pieces(count, 10, [&](size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i)
        ++seen[i];
      std::lock_guard lock(m);
      pieces.emplace_back(begin, end);
    });
    for (size_t i = 0; i < count; ++i)
      ASSERT_EQ(seen[i], 1) << count << " " << i;
    for (const auto& [b, e] : pieces)
      EXPECT_TRUE(e - b >= 10 || pieces.size() == 1) << count;
  }
}

TEST(Parallel, SmallWorkStaysOnTheCallingThread) {
  std::thread::id caller = std::this_thread::get_id(), ran;
  for_pieces(5, 10, [&](size_t, size_t) { ran = std::this_thread::get_id(); });
  EXPECT_EQ(ran, caller);
}

TEST(Parallel, AFailureIsRethrownAfterEveryPieceFinished) {
  std::atomic<size_t> done{0};
  size_t count = 64 * std::max(2u, std::thread::hardware_concurrency());
  EXPECT_THROW(for_pieces(count, 1,
                          [&](size_t begin, size_t end) {
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
