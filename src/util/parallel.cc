#include "util/parallel.h"

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

namespace tollgate::parallel {

size_t piece_count(size_t count, size_t min_piece) {
  if (count == 0) return 0;
  size_t cores = std::max(1u, std::thread::hardware_concurrency());
  return std::max<size_t>(1, std::min(cores, count / std::max<size_t>(min_piece, 1)));
}

void for_pieces(size_t count, size_t min_piece,
                const std::function<void(size_t piece, size_t begin, size_t end)>& work) {
  size_t pieces = piece_count(count, min_piece);
  if (pieces <= 1) {
    if (count > 0) work(0, 0, count);
    return;
  }
  std::vector<std::exception_ptr> failures(pieces);
  auto run = [&](size_t i) {
    try {
      work(i, count * i / pieces, count * (i + 1) / pieces);
    } catch (...) {
      failures[i] = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  for (size_t i = 1; i < pieces; ++i)
    threads.emplace_back(run, i);
  run(0);
  for (auto& t : threads)
    t.join();
  for (auto& f : failures)
    if (f) std::rethrow_exception(f);
}

}  // namespace tollgate::parallel
