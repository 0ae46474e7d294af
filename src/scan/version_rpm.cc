// RPM version ordering (rpmvercmp over epoch, version and release): strings split into
// alphanumeric segments at any other character; a numeric segment beats an alphabetic one;
// '~' sorts before everything (pre-releases), '^' after the end but before anything else
// (post-release snapshots).
#include <cctype>
#include <string>

#include "scan/version.h"
#include "util/error.h"

namespace tollgate::scan {
namespace {

bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}
bool is_alpha(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0;
}

int sign(int c) {
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int compare_segments(std::string_view a, std::string_view b) {
  if (a == b) return 0;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    while (i < a.size() && !is_alnum(a[i]) && a[i] != '~' && a[i] != '^')
      ++i;
    while (j < b.size() && !is_alnum(b[j]) && b[j] != '~' && b[j] != '^')
      ++j;
    bool ta = i < a.size() && a[i] == '~', tb = j < b.size() && b[j] == '~';
    if (ta || tb) {
      if (!ta) return 1;
      if (!tb) return -1;
      ++i, ++j;
      continue;
    }
    bool ca = i < a.size() && a[i] == '^', cb = j < b.size() && b[j] == '^';
    if (ca || cb) {
      if (i == a.size()) return -1;
      if (j == b.size()) return 1;
      if (!ca) return 1;
      if (!cb) return -1;
      ++i, ++j;
      continue;
    }
    if (i == a.size() || j == b.size()) break;
    bool numeric = is_digit(a[i]);
    auto in_segment = [numeric](char c) { return numeric ? is_digit(c) : is_alpha(c); };
    size_t si = i, sj = j;
    while (i < a.size() && in_segment(a[i]))
      ++i;
    while (j < b.size() && in_segment(b[j]))
      ++j;
    // A segment of the other type in b: numbers are newer than letters.
    if (j == sj) return numeric ? 1 : -1;
    std::string_view sa = a.substr(si, i - si), sb = b.substr(sj, j - sj);
    if (numeric) {
      while (sa.size() > 1 && sa[0] == '0')
        sa.remove_prefix(1);
      while (sb.size() > 1 && sb[0] == '0')
        sb.remove_prefix(1);
      if (sa.size() != sb.size()) return sa.size() < sb.size() ? -1 : 1;
    }
    if (int c = sign(sa.compare(sb))) return c;
  }
  if (i >= a.size() && j >= b.size()) return 0;
  return i >= a.size() ? -1 : 1;
}

struct Evr {
  std::string_view epoch, version, release;
};

Evr parse(std::string_view v) {
  if (v.empty()) throw Error("empty rpm version");
  Evr out;
  size_t colon = v.find(':');
  if (colon != std::string_view::npos) {
    out.epoch = v.substr(0, colon);
    for (char c : out.epoch)
      if (!is_digit(c)) throw Error("rpm version '" + std::string(v) + "': epoch is not a number");
    v.remove_prefix(colon + 1);
  }
  size_t dash = v.rfind('-');
  if (dash != std::string_view::npos) {
    out.release = v.substr(dash + 1);
    v = v.substr(0, dash);
  }
  out.version = v;
  return out;
}

int compare_epoch(std::string_view a, std::string_view b) {
  auto value = [](std::string_view e) {
    unsigned long long n = 0;
    for (char c : e)
      n = n * 10 + static_cast<unsigned>(c - '0');
    return n;
  };
  unsigned long long ea = value(a), eb = value(b);
  return ea == eb ? 0 : (ea < eb ? -1 : 1);
}

}  // namespace

int compare_rpm(std::string_view a, std::string_view b) {
  Evr va = parse(a), vb = parse(b);
  if (int c = compare_epoch(va.epoch, vb.epoch)) return c;
  if (int c = compare_segments(va.version, vb.version)) return c;
  return compare_segments(va.release, vb.release);
}

}  // namespace tollgate::scan
