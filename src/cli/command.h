#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace tollgate::cli {

// A command adds its options to its CLI11 subcommand and returns what to run once the command
// line is parsed. The returned function gives the exit code: 0 verified, 1 failed, 2 could not
// verify; it may throw tollgate::Error, which main prints and turns into exit 2.
using Runner = std::function<int()>;
using Setup = std::function<Runner(CLI::App& command)>;

struct CommandSpec {
  std::string path;  // "run", "check posture", "db import"
  std::string help;  // one line for the command list
  Setup setup;
};

// Called from a static initialiser in each command's file:
//   static const bool registered = register_command({"run", "Run a pipeline", setup_run});
bool register_command(CommandSpec spec);

}  // namespace tollgate::cli
