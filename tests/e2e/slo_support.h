#pragma once
// Helpers shared by the slo e2e tests: run the binary, write files, read its JSON verdict.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/server.h"
#include "util/process.h"

namespace tollgate::slo_e2e {

struct SloRun {
  int exit_code = -1;
  std::string output;      // stdout and stderr
  nlohmann::json verdict;  // from -o when asked for json
};

inline void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

inline std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs `tollgate check slo ARGS...` in dir; with json=true adds --format json -o and parses it.
inline SloRun check_slo(const std::filesystem::path& dir, std::vector<std::string> args,
                        bool json = true, std::vector<std::string> env = {}) {
  process::Command cmd;
  cmd.argv = {testing::tollgate_binary().string(), "check", "slo"};
  cmd.argv.insert(cmd.argv.end(), args.begin(), args.end());
  std::filesystem::path out = dir / "verdict.json";
  std::filesystem::remove(out);
  if (json) {
    cmd.argv.insert(cmd.argv.end(), {"--format", "json", "-o", out.string()});
  }
  cmd.cwd = dir.string();
  cmd.timeout = std::chrono::seconds(60);
  if (!env.empty()) {
    auto e = process::current_environment();
    e.insert(e.end(), env.begin(), env.end());
    cmd.env = e;
  }
  auto captured = process::run_capture(cmd);
  SloRun r;
  r.exit_code = captured.outcome.exit_code;
  r.output = captured.output;
  if (json && std::filesystem::exists(out))
    r.verdict = nlohmann::json::parse(read(out), nullptr, false);
  return r;
}

inline std::string str_first_line(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

inline const nlohmann::json& objective(const SloRun& r, const std::string& sli) {
  for (const auto& o : r.verdict["summary"]["objectives"])
    if (o["sli"] == sli) return o;
  throw std::runtime_error("no objective " + sli + " in " + r.verdict.dump());
}

}  // namespace tollgate::slo_e2e
