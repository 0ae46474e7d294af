#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "verdict/verdict.h"

namespace tollgate::verdict {

// The formats every gate can write. Gates with a format of their own (GitLab's
// container_scanning report, k6's summary export) add it in their module.
enum class Format { Table, Json, Sarif, Junit, Dotenv };

std::vector<std::string> format_names();
std::optional<Format> parse_format(std::string_view name);

std::string render(const Verdict& v, Format format);

std::string render_table(const Verdict& v);   // for people; colour when enabled on stdout
std::string render_json(const Verdict& v);    // the Verdict JSON of DESIGN.md, indented
std::string render_sarif(const Verdict& v);   // SARIF 2.1.0, one run, rules from finding ids
std::string render_junit(const Verdict& v);   // one testsuite; a testcase per finding
std::string render_dotenv(const Verdict& v);  // TOLLGATE_<GATE>_STATUS=... for later jobs

}  // namespace tollgate::verdict
