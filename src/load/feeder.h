#pragma once

#include <filesystem>
#include <string>

#include "load/scenario.h"

namespace tollgate::load {

// Reads a CSV file (RFC 4180: quoted fields, doubled quotes, CRLF) whose first row names the
// columns. Throws Error at file:line on a row with the wrong number of fields.
Feeder read_csv_feeder(const std::string& name, const std::filesystem::path& path,
                       const SourceLocation& where);
Feeder parse_csv_feeder(const std::string& name, std::string_view text, const std::string& file);

}  // namespace tollgate::load
