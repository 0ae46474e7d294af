#pragma once

#include <functional>
#include <string>
#include <vector>

#include "scan/store.h"

namespace tollgate::scan {

// The largest OSV document (a .json file, or one entry of a zip) read: 64 MiB. Read whole and
// parsed, it takes about three times that; a larger one is refused before it is read.
inline constexpr uint64_t kMaxOsvDocumentBytes = 64ULL << 20;

struct ImportResult {
  int64_t records = 0;
  int64_t files = 0;
};

// Where a running import is, for a progress line.
struct ImportProgress {
  int64_t records = 0;  // written to the store so far
  uint64_t bytes = 0;   // JSON read so far (uncompressed)
  std::string path;     // the PATH being read (as given: a zip, a directory, a file)
};

// Imports OSV records from each path: a .json file (one record or a list of them), a directory
// (every *.json and *.zip below it) or a zip archive as osv.dev publishes per ecosystem
// (Debian/all.zip). Everything goes in one transaction: a malformed file anywhere aborts the
// whole import with an Error naming the file (and zip entry, line and column) and leaves the
// store as it was. Files are read and parsed on a second thread while this one writes to
// SQLite. `progress` (optional) is called on this thread every few thousand records and when a
// new file starts.
ImportResult import_osv(VulnStore& store, const std::vector<std::string>& paths,
                        const std::function<void(const ImportProgress&)>& progress = {});

// Parses the records of one JSON document; `where` names it in errors.
std::vector<OsvRecord> parse_osv_document(std::string_view text, const std::string& where);

}  // namespace tollgate::scan
