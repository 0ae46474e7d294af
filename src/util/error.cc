#include "util/error.h"

#include <mutex>
#include <ostream>
#include <unordered_set>

namespace tollgate {
namespace {

struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

// Names are never freed: a process reads a bounded set of files, and a location may outlive
// whatever parsed it (an Error carries one out of any scope).
const std::string* intern(std::string_view name) {
  // Most names in a row are the same file's: no lock, no hash for those.
  thread_local const std::string* last = nullptr;
  if (last && *last == name) return last;
  static std::mutex mutex;
  static std::unordered_set<std::string, NameHash, std::equal_to<>> names;
  std::lock_guard lock(mutex);
  auto it = names.find(name);
  if (it == names.end()) it = names.emplace(name).first;
  last = &*it;
  return last;
}

}  // namespace

FileName::FileName(std::string_view name) : name_(name.empty() ? nullptr : intern(name)) {}

const std::string& FileName::empty_name() {
  static const std::string empty;
  return empty;
}

std::ostream& operator<<(std::ostream& out, const FileName& name) {
  return out << name.str();
}

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
  std::string out = file.str();
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
