#pragma once

#include <functional>
#include <string>
#include <vector>

#include "scan/store.h"

namespace tollgate::scan {

struct ImportResult {
  int64_t records = 0;
  int64_t files = 0;
};

// Imports OSV records from each path: a .json file (one record or a list of them), a directory
// (every *.json and *.zip below it) or a zip archive as osv.dev publishes per ecosystem
// (Debian/all.zip). Everything goes in one transaction: a malformed file anywhere aborts the
// whole import with an Error naming the file (and zip entry, line and column) and leaves the
// store as it was. `progress` (optional) is called with the running record count.
ImportResult import_osv(VulnStore& store, const std::vector<std::string>& paths,
                        const std::function<void(int64_t)>& progress = {});

// Parses the records of one JSON document; `where` names it in errors.
std::vector<OsvRecord> parse_osv_document(std::string_view text, const std::string& where);

}  // namespace tollgate::scan
