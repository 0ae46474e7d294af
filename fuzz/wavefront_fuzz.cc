// The body of a Wavefront chart API answer, as the SLO gate reads it over a window.
#include "fuzz_support.h"
#include "slo/wavefront.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tollgate;
  slo::Window window;
  window.start = timefmt::Clock::time_point(std::chrono::seconds(1'700'000'000));
  window.end = window.start + std::chrono::minutes(10);
  fuzz::expect_errors([&] {
    slo::parse_wavefront_response(200, std::string(fuzz::text(data, size)), "ts(cpu)", window);
  });
  return 0;
}
