// mimalloc's options for tollgate (the allocator is linked in every build but the sanitized one,
// see CMakeLists.txt). They are set from a static initializer: mimalloc reads them each time it
// takes memory from the OS, so everything after this point follows them.
#ifdef TOLLGATE_MIMALLOC
#include <mimalloc.h>

namespace {

// Large (2 MiB) pages: the heap is taken from the OS in large pages (transparent huge pages,
// where the kernel allows them), so filling it costs one page fault per 2 MiB instead of one per
// 4 KiB. Planning 40,000 jobs builds some 200 MB of trees and jobs; with 4 KiB pages half its time
// went to page faults (issue 18, on a busy machine: 60,000 -> 13,000 faults, 1.7 s -> 1.2 s).
// MIMALLOC_LARGE_OS_PAGES=1 in the environment, read when mimalloc starts, covers even the
// memory taken before this runs (2,600 faults).
const bool kLargePages = [] {
  mi_option_enable(mi_option_large_os_pages);
  return true;
}();

}  // namespace
#endif
