// One image layer as raw bytes: gzip, zstd or plain tar (detected from the bytes), streamed with
// whiteouts, links and the package databases kept (scan/layer_reader, scan/image_fs), then read
// as an image's inventory. The input is handed over in pieces of varying size, as a socket or a
// file would.
#include <algorithm>
#include <cstring>

#include "fuzz_support.h"
#include "scan/image_fs.h"
#include "scan/inventory.h"
#include "scan/layer_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tollgate;
  fuzz::expect_errors([&] {
    scan::LayeredFs fs;
    size_t at = 0, piece = 1 + size % 7919;
    scan::ByteSource source = [&](char* buf, size_t n) -> size_t {
      size_t k = std::min({n, piece, size - at});
      std::memcpy(buf, data + at, k);
      at += k;
      return k;
    };
    scan::LayerLimits limits;
    limits.max_entry_bytes = 64 << 20;
    limits.max_layer_bytes = 256 << 20;
    limits.bomb_min_bytes = 16 << 20;
    limits.max_kept_file_bytes = 16 << 20;
    fs.begin_layer();
    scan::apply_layer(fs, source, "layer", "", "", limits);
    scan::read_inventory(fs);
  });
  return 0;
}
