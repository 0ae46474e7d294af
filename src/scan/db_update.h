#pragma once

#include <functional>
#include <string>
#include <vector>

#include "scan/osv_import.h"

namespace tollgate::scan {

// osv.dev's per-ecosystem archives, the default sources of `tollgate db update`.
std::vector<std::string> default_update_sources();

// Downloads every source (http(s) URL of an OSV zip or JSON file; a local path works too) into a
// private temporary directory, then imports them all in one transaction: a failed download or a
// broken archive leaves the database as it was. `step` is told each download and how big it
// was; `progress` follows the import.
ImportResult update_database(VulnStore& store, const std::vector<std::string>& sources,
                             const std::function<void(const std::string&)>& step = {},
                             const std::function<void(const ImportProgress&)>& progress = {});

}  // namespace tollgate::scan
