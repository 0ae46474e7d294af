#pragma once

// Shared by the scan e2e tests: running the tollgate binary and building rootfs fixtures.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/server.h"
#include "util/process.h"

namespace tollgate::scan_e2e {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string out;  // stdout and stderr merged
  nlohmann::json json() const { return nlohmann::json::parse(out.substr(out.find('{'))); }
};

inline Result run(std::vector<std::string> args, const std::string& input = "",
                  std::vector<std::string> extra_env = {}) {
  args.insert(args.begin(), testing::tollgate_binary().string());
  process::Command cmd(args);
  cmd.input = input;
  cmd.timeout = std::chrono::seconds(120);
  if (!extra_env.empty()) {
    auto env = process::current_environment();
    // An override replaces the variable: getenv() would find the first of two.
    for (const auto& e : extra_env) {
      std::string key = e.substr(0, e.find('=') + 1);
      std::erase_if(env, [&](const std::string& x) { return x.starts_with(key); });
      env.push_back(e);
    }
    cmd.env = env;
  }
  auto r = process::run_capture(cmd);
  return {r.outcome.exit_code, r.output};
}

inline Result sh(const std::string& script) {
  process::Command cmd({"/bin/sh", "-c", script});
  cmd.timeout = std::chrono::seconds(120);
  auto r = process::run_capture(cmd);
  return {r.outcome.exit_code, r.output};
}

inline fs::path testdata() {
  return testing::source_dir() / "src/scan/testdata";
}

// A root filesystem made from this machine's own Debian: its real os-release (behind the same
// relative symlink Debian 12 uses) and its real dpkg status.
inline void make_host_rootfs(const fs::path& root) {
  fs::create_directories(root / "usr/lib");
  fs::create_directories(root / "etc");
  fs::create_directories(root / "var/lib/dpkg");
  fs::copy_file("/usr/lib/os-release", root / "usr/lib/os-release");
  fs::create_symlink("../usr/lib/os-release", root / "etc/os-release");
  fs::copy_file("/var/lib/dpkg/status", root / "var/lib/dpkg/status");
}

inline std::string db_with_testdata(const fs::path& dir) {
  std::string db = (dir / "vulndb.sqlite").string();
  Result r = run({"db", "import", (testdata() / "osv").string(), "--db", db});
  EXPECT_EQ(r.code, 0) << r.out;
  return db;
}

}  // namespace tollgate::scan_e2e
