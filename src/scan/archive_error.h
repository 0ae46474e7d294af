#pragma once

#include <archive.h>

#include <string>

namespace tollgate::scan {

// libarchive's message for its last error. It has none (a null pointer) after some failures,
// such as a corrupt gzip stream refused while the format is probed.
inline std::string archive_error(archive* a) {
  const char* message = archive_error_string(a);
  return message && *message ? message : "libarchive gave no reason";
}

}  // namespace tollgate::scan
