// A Keptn SLO file (slo.yaml: objectives, criteria, comparison, total score), as
// `tollgate check slo --slo FILE` reads it.
#include "fuzz_support.h"
#include "slo/slo_file.h"
#include "util/yaml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tollgate;
  fuzz::expect_errors(
      [&] { slo::parse_slo(yaml::load(fuzz::text(data, size), "slo.yaml"), "slo.yaml"); });
  return 0;
}
