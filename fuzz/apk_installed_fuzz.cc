// Alpine's installed database (lib/apk/db/installed), as a scan reads it from an image.
#include "fuzz_support.h"
#include "scan/inventory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tollgate;
  fuzz::expect_errors([&] {
    for (const auto& p : scan::parse_apk_installed(fuzz::text(data, size), "lib/apk/db/installed"))
      p.purl();
  });
  return 0;
}
