#include "support/sarif_check.h"

#include "support/server.h"
#include "util/process.h"

namespace tollgate::testing {

std::string sarif_problems(const std::string& sarif) {
  process::Command cmd({"python3", (source_dir() / "tests/sarif/validate_sarif.py").string()});
  cmd.input = sarif;
  cmd.timeout = std::chrono::seconds(60);
  auto r = process::run_capture(cmd);
  if (r.outcome.exit_code == 0 && r.output.empty()) return "";
  return r.output.empty() ? "validate_sarif.py failed without a message" : r.output;
}

}  // namespace tollgate::testing
