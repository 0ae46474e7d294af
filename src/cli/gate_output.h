#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "verdict/report.h"
#include "verdict/verdict.h"

namespace tollgate::cli {

// --format and --output, shared by every gate command.
struct GateOutput {
  std::string format = "table";
  std::string output;  // empty: stdout
  // --report FORMAT=FILE, repeatable: more reports from the same run (a table in the job log
  // and GitLab's report file, without running the gate twice).
  std::vector<std::string> reports;
  // Formats particular to a gate ("gitlab", "k6"): name -> renderer.
  std::map<std::string, std::function<std::string(const verdict::Verdict&)>> extra;
  // What reports say beyond the verdict; the command line is filled in when it is written.
  verdict::RenderContext context;

  void add_options(CLI::App& command);
  // Writes the verdict in the chosen format (to --output when given, and then a one-line
  // summary on stdout too) and returns the verdict's exit code.
  int emit(const verdict::Verdict& v) const;

 private:
  std::string render(const std::string& format, const verdict::Verdict& v,
                     const verdict::RenderContext& ctx) const;
  std::vector<std::string> format_names() const;
};

// Runs a gate body; an Error it throws becomes an error Verdict (exit 2) written in the chosen
// format, so machine readers always get a verdict. Meant to be the last thing a gate's process
// does: the verdict is kept, not freed, until the process exits.
int run_gate(const std::string& gate, const GateOutput& out,
             const std::function<verdict::Verdict()>& body);

}  // namespace tollgate::cli
