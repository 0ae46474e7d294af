// The image reader on a file: the tar index (scan/tar_index), docker save's manifest.json and
// config or an OCI archive's index and manifests (scan/image_source), the layers they name
// (scan/layer_reader) and the package databases found in them (scan/inventory), as
// `tollgate scan image FILE` reads it.
#include "fuzz_support.h"
#include "scan/image_source.h"
#include "scan/inventory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tollgate;
  auto path = fuzz::write_file("image.tar", fuzz::text(data, size));
  fuzz::expect_errors([&] {
    scan::ImageSourceOptions options;
    options.limits.max_entry_bytes = 64 << 20;
    options.limits.max_layer_bytes = 256 << 20;
    options.limits.bomb_min_bytes = 16 << 20;
    options.limits.max_kept_file_bytes = 16 << 20;
    scan::OpenedImage image = scan::open_image(path.string(), options);
    scan::read_inventory(*image.fs);
  });
  return 0;
}
