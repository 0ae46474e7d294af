#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "util/process.h"

namespace tollgate::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it back, close).
int free_port();

// Where the source tree is (TOLLGATE_SOURCE_DIR, set by CTest), for test data.
std::filesystem::path source_dir();
// The tollgate binary under test (TOLLGATE_BIN, set by CTest for e2e tests).
std::filesystem::path tollgate_binary();
// The tollgate image that e2e tests build from that binary and run gate jobs in
// (TOLLGATE_TEST_IMAGE, set by CTest): localhost/tollgate:latest, what `make image` builds, or
// for the sanitizer build localhost/tollgate-sanitize:latest, so that a sanitized binary never
// replaces the image everyone else's pipelines run.
std::string tollgate_image();
// Builds tollgate_image() from tollgate_binary() with scripts/build-image.sh.
process::Captured build_tollgate_image();

// A real server (nginx, prometheus, docker-registry, ...) started for a test in its own process
// group and stopped by PID when the object goes away. wait_for_port() blocks until it accepts.
class ServerProcess {
 public:
  ServerProcess(std::vector<std::string> argv, std::filesystem::path log_file,
                std::vector<std::string> extra_env = {});
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess();

  // Waits until 127.0.0.1:port accepts a connection; throws with the server's log if the
  // process exits or the time runs out.
  void wait_for_port(int port, std::chrono::seconds timeout = std::chrono::seconds(30));
  pid_t pid() const { return pid_; }
  void stop();

 private:
  pid_t pid_ = -1;
  std::filesystem::path log_file_;
};

// Is a program installed? A test that needs one fails without it, never skips: make test
// installs every program a test needs (scripts/install-deps.sh).
bool have_program(const std::string& name);

// Runs the tollgate under test with args on a pseudo-terminal made by script(1), as a user at a
// terminal sees it: colour, live lines. The output is what the terminal showed. Callers fail
// the test when have_program("script") is false.
process::Captured tollgate_on_a_terminal(const std::vector<std::string>& args,
                                         const std::filesystem::path& cwd = {},
                                         std::chrono::seconds timeout = std::chrono::seconds(60));

}  // namespace tollgate::testing
