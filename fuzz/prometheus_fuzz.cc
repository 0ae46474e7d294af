// The body of a Prometheus HTTP API answer (query and query_range), as the SLO gate reads it.
#include "fuzz_support.h"
#include "slo/prometheus.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tollgate;
  std::string body(fuzz::text(data, size));
  fuzz::expect_errors([&] { slo::parse_prometheus_response(200, body, "rate(x[5m])"); });
  fuzz::expect_errors([&] { slo::parse_prometheus_response(422, body, "rate(x[5m])"); });
  return 0;
}
