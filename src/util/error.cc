#include "util/error.h"

namespace tollgate {

std::string SourceLocation::str() const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  return out;
}

std::string Error::message() const {
  if (!where_.known()) return what();
  return where_.str() + ": " + what();
}

ErrorList::ErrorList(std::vector<Error> errors)
    : Error(errors.empty() ? Error("no errors") : errors.front()), errors_(std::move(errors)) {}

}  // namespace tollgate
