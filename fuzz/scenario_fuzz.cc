// A load scenario (target, load model, journeys, requests, checks, extraction, feeders,
// thresholds), as `tollgate load SCENARIO` reads and checks it before any traffic.
#include "fuzz_support.h"
#include "load/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tollgate;
  fuzz::expect_errors([&] {
    load::Scenario s = load::parse_scenario(fuzz::text(data, size), "scenario.yaml");
    s.load.split(1, 3);
    s.load.total_duration_us();
  });
  return 0;
}
