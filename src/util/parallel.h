#pragma once

#include <cstddef>
#include <functional>

namespace tollgate::parallel {

// Runs work(begin, end) over [0, count) cut into contiguous pieces, one per core, each of at
// least min_piece items; on the calling thread alone when there is too little work to share.
// The calling thread takes the first piece. Every piece finishes before the first exception
// thrown (if any) is rethrown.
void for_pieces(size_t count, size_t min_piece, const std::function<void(size_t, size_t)>& work);

}  // namespace tollgate::parallel
