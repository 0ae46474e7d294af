// dpkg's status database (and one file of distroless's status.d), and os-release, as a scan
// reads them from an image.
#include "fuzz_support.h"
#include "scan/inventory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tollgate;
  auto input = fuzz::text(data, size);
  fuzz::expect_errors([&] {
    for (const auto& p : scan::parse_dpkg_status(input, "var/lib/dpkg/status", true))
      p.purl();
  });
  fuzz::expect_errors([&] { scan::parse_dpkg_status(input, "var/lib/dpkg/status.d/x", false); });
  fuzz::expect_errors([&] { scan::parse_os_release(input).label(); });
  return 0;
}
