#include "cli/gate_output.h"

#include <algorithm>
#include <iostream>

#include "util/files.h"
#include "util/strings.h"
#include "util/term.h"
#include "verdict/report.h"

namespace tollgate::cli {

std::vector<std::string> GateOutput::format_names() const {
  // A gate may replace a shared format with its own renderer: list each name once.
  std::vector<std::string> names = verdict::format_names();
  for (const auto& [name, _] : extra)
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  return names;
}

void GateOutput::add_options(CLI::App& command) {
  std::vector<std::string> names = format_names();
  command.add_option("--format,-f", format, "Output format: " + str::join(names, ", "))
      ->capture_default_str()
      ->check(CLI::IsMember(names));
  command.add_option("--output,-o", output,
                     "Write the report to FILE (a one-line result still goes to stdout)");
  command
      .add_option("--report", reports,
                  "Also write FORMAT to FILE, repeatable: --report gitlab=report.json "
                  "--report junit=report.xml (formats as for --format)")
      ->type_name("FORMAT=FILE")
      ->allow_extra_args(false)  // one FORMAT=FILE a --report; what follows is a path
      ->check([names](const std::string& spec) -> std::string {
        size_t eq = spec.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
          return "expected FORMAT=FILE, e.g. junit=report.xml";
        std::string fmt = spec.substr(0, eq);
        if (std::find(names.begin(), names.end(), fmt) == names.end()) {
          std::string hint = str::closest(fmt, names);
          return "unknown format '" + fmt + "'" +
                 (hint.empty() ? "" : " (did you mean " + hint + "?)") +
                 "; formats: " + str::join(names, ", ");
        }
        return "";
      });
}

std::string GateOutput::render(const std::string& name, const verdict::Verdict& v,
                               const verdict::RenderContext& ctx) const {
  auto custom = extra.find(name);
  if (custom != extra.end()) return custom->second(v);
  return verdict::render(v, verdict::parse_format(name).value_or(verdict::Format::Table), ctx);
}

int GateOutput::emit(const verdict::Verdict& v) const {
  verdict::RenderContext ctx = context;
  if (ctx.command_line.empty()) ctx.command_line = verdict::command_line();
  // The files first: a reader of the terminal output can rely on them being there.
  for (const auto& spec : reports) {
    size_t eq = spec.find('=');
    term::NoColorScope plain;
    files::write_atomic(spec.substr(eq + 1), render(spec.substr(0, eq), v, ctx));
  }
  if (output.empty()) {
    std::cout << render(format, v, ctx) << std::flush;
  } else {
    term::NoColorScope plain;
    files::write_atomic(output, render(format, v, ctx));
    std::cout << v.gate << ": " << verdict::to_string(v.status)
              << (v.reason.empty() ? "" : " - " + v.reason) << " (report: " << output << ")\n";
  }
  return v.exit_code();
}

int run_gate(const std::string& gate, const GateOutput& out,
             const std::function<verdict::Verdict()>& body) {
  verdict::Verdict v;
  try {
    v = body();
  } catch (const UsageError&) {
    throw;
  } catch (const Error& e) {
    std::cerr << "tollgate: error: " << e.message() << "\n";
    v = verdict::Verdict::error(gate, e.message());
  } catch (const std::exception& e) {
    // Anything else is still a verdict that could not verify, never a crash or a pass.
    std::cerr << "tollgate: error: " << e.what() << "\n";
    v = verdict::Verdict::error(gate, e.what());
  }
  int code = out.emit(v);
  // The process ends once its verdict is written, and the OS takes its memory back at once:
  // freeing a verdict of thousands of findings node by node cost a big scan 10 ms. It is kept
  // reachable (not leaked) until exit.
  static auto* kept = new std::vector<verdict::Verdict>;
  kept->push_back(std::move(v));
  return code;
}

}  // namespace tollgate::cli
