// The command line as a new user meets it: a typo in an option, a group without its command.
#include <gtest/gtest.h>

#include "support/server.h"
#include "util/process.h"

namespace tollgate::testing {
namespace {

process::Captured tollgate(std::vector<std::string> args) {
  process::Command cmd;
  cmd.argv = {tollgate_binary().string()};
  cmd.argv.insert(cmd.argv.end(), args.begin(), args.end());
  cmd.timeout = std::chrono::seconds(30);
  return process::run_capture(cmd);
}

TEST(Cli, AMistypedOptionIsNamedWithASuggestionBeforeAnythingElse) {
  // --source is also missing: the typo is the likelier cause, so it is what the user reads.
  auto r = tollgate({"check", "budget", "--reprt", "json=x.json"});
  EXPECT_EQ(r.outcome.exit_code, 2);
  EXPECT_NE(r.output.find("unknown option '--reprt' for 'tollgate check budget' (did you mean "
                          "--report?)"),
            std::string::npos)
      << r.output;
  r = tollgate({"run", "--formt=json"});
  EXPECT_EQ(r.outcome.exit_code, 2);
  EXPECT_NE(r.output.find("unknown option '--formt' for 'tollgate run' (did you mean --format?)"),
            std::string::npos)
      << r.output;
  r = tollgate({"run", "--wibble"});
  EXPECT_EQ(r.outcome.exit_code, 2);
  EXPECT_NE(r.output.find("unknown option '--wibble' for 'tollgate run'\n"), std::string::npos)
      << r.output;
}

TEST(Cli, AGroupWithoutItsCommandShowsItsCommands) {
  auto r = tollgate({"check"});
  EXPECT_EQ(r.outcome.exit_code, 2);
  for (const char* gate : {"posture", "budget", "slo"})
    EXPECT_NE(r.output.find(gate), std::string::npos) << r.output;
  r = tollgate({"--version"});
  EXPECT_EQ(r.outcome.exit_code, 0);
  EXPECT_EQ(r.output.rfind("tollgate ", 0), 0u) << r.output;
}

}  // namespace
}  // namespace tollgate::testing
