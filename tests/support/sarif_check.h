#pragma once

#include <string>

namespace tollgate::testing {

// Validates a SARIF log against the SARIF 2.1.0 JSON schema and GitHub code scanning's ingestion
// rules (tests/sarif/validate_sarif.py, with Debian's python3-jsonschema): an empty string when
// it passes, else every problem found, one a line.
std::string sarif_problems(const std::string& sarif);

}  // namespace tollgate::testing
