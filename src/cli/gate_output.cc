#include "cli/gate_output.h"

#include <algorithm>
#include <iostream>

#include "util/files.h"
#include "util/strings.h"
#include "verdict/report.h"

namespace tollgate::cli {

void GateOutput::add_options(CLI::App& command) {
  // A gate may replace a shared format with its own renderer: list each name once.
  std::vector<std::string> names = verdict::format_names();
  for (const auto& [name, _] : extra)
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  command.add_option("--format,-f", format, "Output format: " + str::join(names, ", "))
      ->capture_default_str()
      ->check(CLI::IsMember(names));
  command.add_option("--output,-o", output,
                     "Write the report to FILE (a one-line result still goes to stdout)");
}

int GateOutput::emit(const verdict::Verdict& v) const {
  std::string text;
  auto custom = extra.find(format);
  if (custom != extra.end()) {
    text = custom->second(v);
  } else {
    text = verdict::render(v, verdict::parse_format(format).value_or(verdict::Format::Table));
  }
  if (output.empty()) {
    std::cout << text << std::flush;
  } else {
    files::write_atomic(output, text);
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
  return out.emit(v);
}

}  // namespace tollgate::cli
