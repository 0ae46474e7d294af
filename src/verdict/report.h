#pragma once

#include <functional>
#include <optional>
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

// What a gate adds to the shared table instead of replacing it (DESIGN.md: one set of
// reporters): its own view of its figures as a head section, and which of the shared parts
// follow. The shared table keeps the findings, the figures, the colours and the result line.
struct TableSections {
  // The gate's view above the shared table (budget bars, latency percentiles, vulnerabilities
  // by package); nullopt when it has none for this verdict (an error before any figures was
  // read), and then the plain shared table is written.
  std::function<std::optional<std::string>(const Verdict&)> head;
  bool findings = true;  // false: the head already shows every finding
  // The summary figures listed under the findings; nullopt: every scalar one.
  std::optional<std::vector<std::string>> figures;
  // The result word, painted, when a gate names a passing verdict more finely (slo: WARNING).
  std::function<std::optional<std::string>(const Verdict&)> status;
};

// A test case of a gate's own in the shared JUnit (slo: one per objective and the total score).
struct JunitCase {
  std::string name;
  std::string failure;  // empty: the case passed
  std::string output;   // what a passing case says in its system-out
};

// What a gate adds to the shared JUnit: its own cases, which then stand for the findings and
// the gate case (an SLO's findings are its failing objectives); nullopt for a verdict it has
// none for (an error), which gets the plain report. The shared renderer keeps the envelope, the
// counts, the escaping and GitLab's unique case keys.
struct JunitSections {
  std::function<std::optional<std::vector<JunitCase>>(const Verdict&)> cases;
};

// What a gate adds to the shared dotenv report: variables named for its own users
// (BUDGET_STATUS=OVER), written right after the shared TOLLGATE_<GATE>_STATUS and _REASON and
// before the shared findings count and figures, so they survive the variable limit below.
struct DotenvSections {
  std::function<std::vector<std::pair<std::string, std::string>>(const Verdict&)> variables;
};

// What a report may say beyond the verdict: how the gate was run and, for a scan, the file the
// image was built from; and what the gate adds to the shared table, JUnit and dotenv.
struct RenderContext {
  std::string command_line;  // SARIF invocation; where a finding without a file points
  std::string dockerfile;    // scan: where GitHub places findings inside the image
  TableSections table;
  JunitSections junit;
  DotenvSections dotenv;
};

std::string render(const Verdict& v, Format format, const RenderContext& ctx = {});

// The colour every terminal view gives a severity (red, yellow, cyan, gray).
term::Color severity_color(Severity s);

// For people; colour when enabled on stdout. A gate's head section first, then the findings,
// the figures and the result line.
std::string render_table(const Verdict& v, const TableSections& sections = {});
std::string render_json(const Verdict& v);  // the Verdict JSON of DESIGN.md, indented
// SARIF 2.1.0 for GitHub code scanning: one run, a rule per finding id, a result per finding
// that failed or warns (a finding whose properties.passed is true, a met threshold, is listed in
// run.properties.met instead).
std::string render_sarif(const Verdict& v, const RenderContext& ctx = {});
// One testsuite; a testcase per finding, or the gate's own cases.
std::string render_junit(const Verdict& v, const JunitSections& sections = {});
// TOLLGATE_<GATE>_STATUS=... and the gate's own variables, for later jobs.
std::string render_dotenv(const Verdict& v, const DotenvSections& sections = {});

// A dotenv report becomes later jobs' variables. GitLab refuses a file of 5 KB or more and more
// than 20 variables (its default limit; the upload then fails the job): a dotenv renderer stays
// strictly under the size and keeps one variable free, so a job can add its own line. The JSON
// report carries everything; dotenv carries what pipelines gate on, most important first.
inline constexpr size_t kDotenvMaxVariables = 19;
inline constexpr size_t kDotenvMaxBytes = 5 * 1024 - 1;
using DotenvVariables = std::vector<std::pair<std::string, std::string>>;
// The shared variables in priority order: TOLLGATE_<GATE>_STATUS, _REASON, _FINDINGS, then the
// summary's scalar figures.
DotenvVariables dotenv_variables(const Verdict& v);
// KEY=VALUE lines in order, a repeated key kept once (its first value), stopping before the
// limits above. A value is written as GitLab's parser reads it back: GitLab takes everything
// after the first '=' and strips the ends, keeping quotes as text, so a value with spaces goes
// unquoted (quotes would become part of it), its line breaks made spaces and its ends trimmed.
std::string format_dotenv(const DotenvVariables& vars);

// This process's command line as a shell would take it, credentials and URL queries masked.
std::string command_line();
// The file: URI of the working directory, which SARIF's %SRCROOT% stands for.
std::string srcroot_uri();

}  // namespace tollgate::verdict
