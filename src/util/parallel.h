#pragma once

#include <cstddef>
#include <functional>

namespace tollgate::parallel {

// How many pieces for_pieces cuts [0, count) into: one per core, each of at least min_piece
// items; 1 when there is too little work to share (0 when there is none).
size_t piece_count(size_t count, size_t min_piece);

// Runs work(piece, begin, end) for each contiguous piece of [0, count), piece 0 first in order,
// each on its own thread (the caller's takes piece 0). Every piece finishes before the first
// exception thrown (if any) is rethrown.
void for_pieces(size_t count, size_t min_piece,
                const std::function<void(size_t piece, size_t begin, size_t end)>& work);

}  // namespace tollgate::parallel
