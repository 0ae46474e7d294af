#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runner/context.h"
#include "util/error.h"

namespace tollgate::cli {

// The flags `run` and `plan` share: --file, --changes-since, --var, --input, --executor and the
// JOB arguments (in any order with the options).
struct PipelineFlags {
  runner::RunOptions opts;
  std::vector<std::string> vars;
  std::vector<std::string> inputs;
  std::string changes_since;

  void add(CLI::App& cmd, const std::string& job_help);
  // Checks and copies the raw flags into opts; throws UsageError on a bad --var.
  void resolve();
};

// NAME=VALUE arguments of a flag, split; throws UsageError naming the flag on a malformed one.
std::vector<std::pair<std::string, std::string>> parse_assignments(
    const std::vector<std::string>& raw, const std::string& flag);

// An invalid pipeline for --format json: {"errors": [{"file", "line", "column", "message"}]},
// line and column 0 when unknown.
nlohmann::json errors_json(const Error& e);

}  // namespace tollgate::cli
