#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/term.h"
#include "verdict/verdict.h"

namespace tollgate::verdict {

// The formats every gate can write. Gates with a format of their own (GitLab's
// container_scanning report, k6's summary export) add it in their module.
enum class Format { Table, Json, Sarif, Junit, Dotenv };

std::vector<std::string> format_names();
std::optional<Format> parse_format(std::string_view name);

std::string render(const Verdict& v, Format format);

// The colour every terminal view gives a severity (red, yellow, cyan, gray).
term::Color severity_color(Severity s);

std::string render_table(const Verdict& v);   // for people; colour when enabled on stdout
std::string render_json(const Verdict& v);    // the Verdict JSON of DESIGN.md, indented
std::string render_sarif(const Verdict& v);   // SARIF 2.1.0, one run, rules from finding ids
std::string render_junit(const Verdict& v);   // one testsuite; a testcase per finding
std::string render_dotenv(const Verdict& v);  // TOLLGATE_<GATE>_STATUS=... for later jobs

// A dotenv report becomes later jobs' variables, and GitLab reads at most 20 variables and 5 KB
// of one (a bigger file fails the job): a dotenv renderer never writes more. The JSON report
// carries everything; dotenv carries what pipelines gate on, most important first.
inline constexpr size_t kDotenvMaxVariables = 20;
inline constexpr size_t kDotenvMaxBytes = 5 * 1024;
using DotenvVariables = std::vector<std::pair<std::string, std::string>>;
// The shared variables in priority order: TOLLGATE_<GATE>_STATUS, _REASON, _FINDINGS, then the
// summary's scalar figures.
DotenvVariables dotenv_variables(const Verdict& v);
// KEY=VALUE lines in order, line breaks in values made spaces, a repeated key kept once (its
// first value), stopping before the limits above.
std::string format_dotenv(const DotenvVariables& vars);

}  // namespace tollgate::verdict
