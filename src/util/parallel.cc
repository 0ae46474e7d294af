#include "util/parallel.h"

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

namespace tollgate::parallel {

void for_pieces(size_t count, size_t min_piece, const std::function<void(size_t, size_t)>& work) {
  size_t cores = std::max(1u, std::thread::hardware_concurrency());
  size_t pieces = std::min(cores, count / std::max<size_t>(min_piece, 1));
  if (pieces < 2) {
    if (count > 0) work(0, count);
    return;
  }
  std::vector<std::exception_ptr> failures(pieces);
  auto run = [&](size_t i) {
    try {
      work(count * i / pieces, count * (i + 1) / pieces);
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
