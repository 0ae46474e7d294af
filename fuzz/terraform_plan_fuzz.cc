// Terraform plan JSON (`terraform show -json`: posture/terraform_plan and the AWS rules, IAM
// policy documents inside them) through the posture gate, as `tollgate check posture plan.json`
// reads and judges it.
#include "fuzz_support.h"
#include "posture/gate.h"
#include "posture/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tollgate;
  fuzz::expect_errors([&] {
    posture::Inputs inputs;
    posture::add_stream(inputs, std::string(fuzz::text(data, size)), "plan.json");
    posture::Options options;
    options.today = "2026-06-01";
    posture::evaluate(inputs, options);
  });
  return 0;
}
