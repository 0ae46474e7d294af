// One OSV JSON document (a record or a list of them), as `tollgate db import` reads each file
// and zip entry.
#include "fuzz_support.h"
#include "scan/osv_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tollgate;
  fuzz::expect_errors([&] { scan::parse_osv_document(fuzz::text(data, size), "osv.json"); });
  return 0;
}
