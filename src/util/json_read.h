#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "util/error.h"

// Reading JSON from outside: image manifests, OSV records, SBOMs, API answers, cost exports.
// Every reader goes through here so that two things hold everywhere:
// - nesting is bounded. The library builds and frees its tree recursively, and so do the readers
//   that walk it, so a file of a million '[' would overflow the stack. Past kMaxDepth levels the
//   text is refused before it is parsed; no real document of ours comes near it (a Terraform plan
//   nests about 30 deep).
// - a fault is reported at its line and column, with the library's reason.
namespace tollgate::json_read {

inline constexpr size_t kMaxDepth = 512;

// The deepest nesting of arrays and objects in text, brackets inside strings not counted. The
// count stops at `limit` + 1, so a hostile text is not scanned further than needed; where is the
// byte at which that depth was reached (or text.size()).
struct Depth {
  size_t depth = 0;
  size_t where = 0;
};
Depth nesting_depth(std::string_view text, size_t limit = kMaxDepth);

// The line and column (1-based) of byte `offset` in text, for file:line:col messages.
SourceLocation locate(const std::string& file, std::string_view text, size_t offset);

// text parsed. Not JSON, or nested deeper than kMaxDepth: Error at file:line:col naming why.
nlohmann::json parse(std::string_view text, const std::string& file);

// text parsed, or a discarded value (is_discarded()) when it is not JSON or nests too deep: for
// readers that word their own error (an HTTP answer that is an HTML page, say).
nlohmann::json parse_or_discarded(std::string_view text);

}  // namespace tollgate::json_read
