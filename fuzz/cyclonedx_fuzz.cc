// A CycloneDX JSON SBOM, as `tollgate scan sbom` reads it.
#include "fuzz_support.h"
#include "scan/sbom.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tollgate;
  fuzz::expect_errors([&] {
    for (const auto& p : scan::read_cyclonedx(fuzz::text(data, size), "sbom.json").packages)
      p.purl();
  });
  return 0;
}
