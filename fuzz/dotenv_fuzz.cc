// A job's dotenv report (artifacts:reports:dotenv), as the runner reads it to hand its
// variables to later jobs (runner/workspace).
#include "fuzz_support.h"
#include "runner/workspace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tollgate;
  auto path = fuzz::write_file("build.env", fuzz::text(data, size));
  fuzz::expect_errors([&] { runner::read_dotenv(path); });
  return 0;
}
