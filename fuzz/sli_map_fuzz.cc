// An SLI file (sli.yaml: indicators and their queries, reductions and steps), and the expansion
// of its $placeholders, as `tollgate check slo --sli FILE` reads it.
#include "fuzz_support.h"
#include "slo/sli_map.h"
#include "util/yaml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tollgate;
  fuzz::expect_errors([&] {
    slo::SliMap map =
        slo::parse_sli_map(yaml::load(fuzz::text(data, size), "sli.yaml"), "sli.yaml");
    for (const auto& indicator : map.indicators) {
      const slo::SliSpec& spec = indicator.second;
      fuzz::expect_errors([&] {
        slo::expand_placeholders(spec, {{"service", "cart"}, {"project", "acme"}});
      });
    }
  });
  return 0;
}
