#include "pipeline/glob.h"

#include <vector>

namespace tollgate::pipeline {
namespace {

// Matches a bracket class starting at p[i] == '['; sets i past the class. Returns whether c is
// in it; *ok is false when the class is not closed (then '[' is literal).
bool match_class(std::string_view p, size_t& i, char c, bool* ok) {
  size_t j = i + 1;
  bool negate = false;
  if (j < p.size() && (p[j] == '!' || p[j] == '^')) {
    negate = true;
    ++j;
  }
  bool matched = false;
  bool first = true;
  while (j < p.size() && (p[j] != ']' || first)) {
    first = false;
    char lo = p[j];
    if (lo == '\\' && j + 1 < p.size()) lo = p[++j];
    char hi = lo;
    if (j + 2 < p.size() && p[j + 1] == '-' && p[j + 2] != ']') {
      hi = p[j + 2];
      if (hi == '\\' && j + 3 < p.size()) hi = p[j + 3], ++j;
      j += 2;
    }
    if (c >= lo && c <= hi) matched = true;
    ++j;
  }
  if (j >= p.size()) {
    *ok = false;
    return false;
  }
  *ok = true;
  i = j + 1;
  return matched != negate && c != '/';
}

bool match_here(std::string_view p, size_t pi, std::string_view s, size_t si) {
  while (pi < p.size()) {
    char pc = p[pi];
    if (pc == '*') {
      bool double_star = pi + 1 < p.size() && p[pi + 1] == '*';
      bool at_segment_start = pi == 0 || p[pi - 1] == '/';
      if (double_star && at_segment_start && pi + 2 < p.size() && p[pi + 2] == '/') {
        // "**/": zero or more directories.
        size_t rest = pi + 3;
        if (match_here(p, rest, s, si)) return true;
        for (size_t k = si; k < s.size(); ++k)
          if (s[k] == '/' && match_here(p, rest, s, k + 1)) return true;
        return false;
      }
      while (pi < p.size() && p[pi] == '*')
        ++pi;
      for (size_t k = si;; ++k) {
        if (match_here(p, pi, s, k)) return true;
        if (k >= s.size() || s[k] == '/') return false;
      }
    }
    if (si >= s.size()) return false;
    if (pc == '?') {
      if (s[si] == '/') return false;
      ++pi;
      ++si;
      continue;
    }
    if (pc == '[') {
      bool ok = false;
      size_t save = pi;
      bool in = match_class(p, pi, s[si], &ok);
      if (ok) {
        if (!in) return false;
        ++si;
        continue;
      }
      pi = save;  // unterminated: a literal '['
    }
    if (pc == '\\' && pi + 1 < p.size()) pc = p[++pi];
    if (pc != s[si]) return false;
    ++pi;
    ++si;
  }
  return si == s.size();
}

}  // namespace

std::vector<std::string> expand_braces(std::string_view pattern) {
  size_t open = std::string_view::npos;
  int depth = 0;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
      continue;
    }
    if (pattern[i] == '{') {
      if (depth++ == 0) open = i;
    } else if (pattern[i] == '}' && depth > 0 && --depth == 0) {
      std::vector<std::string> out;
      std::string prefix(pattern.substr(0, open));
      std::string_view body = pattern.substr(open + 1, i - open - 1);
      std::string_view suffix = pattern.substr(i + 1);
      int d = 0;
      size_t start = 0;
      for (size_t k = 0; k <= body.size(); ++k) {
        if (k < body.size() && body[k] == '\\') {
          ++k;
          continue;
        }
        if (k < body.size() && body[k] == '{') ++d;
        if (k < body.size() && body[k] == '}') --d;
        if (k == body.size() || (body[k] == ',' && d == 0)) {
          std::string alt =
              prefix + std::string(body.substr(start, k - start)) + std::string(suffix);
          for (auto& e : expand_braces(alt))
            out.push_back(std::move(e));
          start = k + 1;
        }
      }
      return out;
    }
  }
  return {std::string(pattern)};
}

bool glob_match(std::string_view pattern, std::string_view path) {
  for (const auto& p : expand_braces(pattern))
    if (match_here(p, 0, path, 0)) return true;
  return false;
}

bool include_wildcard_match(std::string_view pattern, std::string_view path) {
  // can[j]: the pattern read so far matches path[0, j). One row per pattern token keeps it
  // O(pattern x path) whatever the stars.
  std::vector<char> can(path.size() + 1, 0);
  can[0] = 1;
  for (size_t i = 0; i < pattern.size(); ++i) {
    std::vector<char> next(path.size() + 1, 0);
    if (pattern[i] == '*') {
      bool any = i + 1 < pattern.size() && pattern[i + 1] == '*';
      if (any) ++i;
      for (size_t j = 0; j <= path.size(); ++j) {
        next[j] = can[j] || (j > 0 && next[j - 1] && (any || path[j - 1] != '/'));
      }
    } else {
      for (size_t j = 1; j <= path.size(); ++j)
        next[j] = can[j - 1] && path[j - 1] == pattern[i];
    }
    can.swap(next);
  }
  return can[path.size()];
}

}  // namespace tollgate::pipeline
