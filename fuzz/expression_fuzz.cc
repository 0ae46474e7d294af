// `rules: if` and `only: variables` expressions (pipeline/expression.cc), with variables that
// hold text, patterns and nothing.
#include "fuzz_support.h"
#include "pipeline/expression.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tollgate;
  auto lookup = [](std::string_view name) -> std::optional<std::string> {
    if (name == "CI_COMMIT_BRANCH") return "main";
    if (name == "PATTERN") return "/^ma(in|ster)$/i";
    if (name == "BAD_PATTERN") return "/(/";
    if (name == "EMPTY") return "";
    return std::nullopt;
  };
  fuzz::expect_errors([&] {
    pipeline::evaluate_expression(fuzz::text(data, size), lookup, {"ci.yml", 3, 9});
  });
  return 0;
}
