// The command line as a new user meets it: a typo in an option, a group without its command.
#include <gtest/gtest.h>
#include <unistd.h>

#include "support/server.h"
#include "util/files.h"
#include "util/process.h"

namespace tollgate::testing {
namespace {

namespace fs = std::filesystem;

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

// At a terminal the table is coloured; a report written to a file from that same terminal is
// plain text, as cat, diff and CI artifact viewers expect, unless --color always asks for it.
TEST(Cli, ReportFilesCarryNoColourCodesFromATerminal) {
  ASSERT_TRUE(have_program("script")) << "script(1) from util-linux makes the pty";
  files::TempDir dir("cli-colour");
  fs::path manifest = source_dir() / "src/posture/testdata/privileged.yaml";
  fs::path out = dir.path() / "out.txt", extra = dir.path() / "extra.txt";
  const std::string esc = "\033[";
  auto tty = tollgate_on_a_terminal({"check", "posture", manifest.string()});
  EXPECT_EQ(tty.outcome.exit_code, 1) << tty.output;
  EXPECT_NE(tty.output.find(esc), std::string::npos) << "the terminal view is coloured";
  auto r = tollgate_on_a_terminal({"check", "posture", manifest.string(), "-o", out.string(),
                                   "--report", "table=" + extra.string()});
  EXPECT_EQ(r.outcome.exit_code, 1) << r.output;
  std::string text = files::read(out);
  EXPECT_NE(text.find("FAIL"), std::string::npos) << text;
  EXPECT_EQ(text.find(esc), std::string::npos) << text;
  EXPECT_EQ(files::read(extra).find(esc), std::string::npos);
  r = tollgate_on_a_terminal(
      {"--color", "always", "check", "posture", manifest.string(), "-o", out.string()});
  EXPECT_NE(files::read(out).find(esc), std::string::npos) << "--color always is obeyed";
}

// libcurl and the thirty libraries behind it are loaded at the first HTTP request, not at every
// start: a command that makes none never maps them (about 6 ms of each start otherwise).
TEST(Cli, LibcurlIsLoadedOnlyByCommandsThatMakeRequests) {
  auto loaded_with_ld_debug = [](std::vector<std::string> args) {
    process::Command cmd;
    cmd.argv = {tollgate_binary().string()};
    cmd.argv.insert(cmd.argv.end(), args.begin(), args.end());
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e)
      env.emplace_back(*e);
    env.emplace_back("LD_DEBUG=files");  // the dynamic loader names each library it opens
    cmd.env = env;
    cmd.timeout = std::chrono::seconds(30);
    return process::run_capture(cmd).output;
  };
  std::string start = loaded_with_ld_debug({"--version"});
  EXPECT_NE(start.find("libsqlite3"), std::string::npos) << "LD_DEBUG works: " << start;
  EXPECT_EQ(start.find("libcurl"), std::string::npos) << start;
  // A request that fails still had to load it: the Prometheus source of the slo gate.
  files::TempDir dir("cli-curl");
  files::write_atomic(dir.path() / "slo.yaml",
                      "objectives:\n  - {sli: up, pass: [{criteria: [\">=1\"]}]}\n"
                      "total_score: {pass: 90%}\n");
  files::write_atomic(dir.path() / "sli.yaml", "indicators:\n  up: up\n");
  std::string request = loaded_with_ld_debug(
      {"check", "slo", (dir.path() / "slo.yaml").string(), "--no-record", "--source",
       "prometheus:http://127.0.0.1:" + std::to_string(free_port())});
  EXPECT_NE(request.find("libcurl"), std::string::npos) << request;
}

}  // namespace
}  // namespace tollgate::testing
