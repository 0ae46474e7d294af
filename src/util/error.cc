#include "util/error.h"

namespace tollgate {

std::string redact_credentials(std::string text) {
  static constexpr std::string_view kMask = "[MASKED]";
  size_t at = 0;
  while ((at = text.find("://", at)) != std::string::npos) {
    size_t start = at + 3;
    // The authority ends at the path, query, fragment, or where the URL itself ends.
    size_t end = text.find_first_of("/?#\"' \t\n<>", start);
    if (end == std::string::npos) end = text.size();
    size_t userinfo_end = text.rfind('@', end == 0 ? 0 : end - 1);
    if (userinfo_end != std::string::npos && userinfo_end >= start) {
      size_t colon = text.find(':', start);
      size_t from = colon != std::string::npos && colon < userinfo_end ? colon + 1 : start;
      if (text.compare(from, userinfo_end - from, kMask) != 0)
        text.replace(from, userinfo_end - from, kMask);
      at = from + kMask.size() + 1;
    } else {
      at = start;
    }
  }
  return text;
}

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
