// Debian version ordering as deb-version(7) defines it: [epoch:]upstream[-revision], each part
// compared by alternating non-digit runs (letters before other characters, '~' before
// everything, even the end of the string) and digit runs compared as numbers.
#include <cctype>
#include <string>

#include "scan/version.h"
#include "util/error.h"

namespace tollgate::scan {
namespace {

struct DebVersion {
  unsigned long long epoch = 0;
  std::string_view upstream;
  std::string_view revision;
};

DebVersion parse(std::string_view v) {
  std::string_view original = v;
  while (!v.empty() && v.front() == ' ')
    v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ')
    v.remove_suffix(1);
  if (v.empty()) throw Error("empty dpkg version");
  DebVersion out;
  size_t colon = v.find(':');
  if (colon != std::string_view::npos) {
    std::string_view epoch = v.substr(0, colon);
    if (epoch.empty() || epoch.size() > 9)
      throw Error("dpkg version '" + std::string(original) + "': bad epoch");
    for (char c : epoch) {
      if (!std::isdigit(static_cast<unsigned char>(c)))
        throw Error("dpkg version '" + std::string(original) + "': epoch is not a number");
      out.epoch = out.epoch * 10 + static_cast<unsigned>(c - '0');
    }
    v.remove_prefix(colon + 1);
  }
  size_t dash = v.rfind('-');
  if (dash != std::string_view::npos) {
    out.revision = v.substr(dash + 1);
    if (out.revision.empty())
      throw Error("dpkg version '" + std::string(original) + "': empty revision after '-'");
    v = v.substr(0, dash);
  }
  if (v.empty()) throw Error("dpkg version '" + std::string(original) + "': empty upstream part");
  out.upstream = v;
  return out;
}

// The weight of one character in a non-digit run; 0 stands for "end of run".
int weight(char c) {
  if (c == '~') return -1;
  if (std::isalpha(static_cast<unsigned char>(c))) return static_cast<unsigned char>(c);
  return static_cast<unsigned char>(c) + 256;
}

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

int compare_part(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    // Non-digit runs, character by character; a shorter run compares as if padded with 0.
    while ((i < a.size() && !is_digit(a[i])) || (j < b.size() && !is_digit(b[j]))) {
      int wa = (i < a.size() && !is_digit(a[i])) ? weight(a[i]) : 0;
      int wb = (j < b.size() && !is_digit(b[j])) ? weight(b[j]) : 0;
      if (wa != wb) return wa < wb ? -1 : 1;
      if (i < a.size() && !is_digit(a[i])) ++i;
      if (j < b.size() && !is_digit(b[j])) ++j;
    }
    // Digit runs as numbers of any length: skip leading zeros, then longer is larger.
    while (i < a.size() && a[i] == '0')
      ++i;
    while (j < b.size() && b[j] == '0')
      ++j;
    size_t si = i, sj = j;
    while (i < a.size() && is_digit(a[i]))
      ++i;
    while (j < b.size() && is_digit(b[j]))
      ++j;
    size_t la = i - si, lb = j - sj;
    if (la != lb) return la < lb ? -1 : 1;
    int c = a.substr(si, la).compare(b.substr(sj, lb));
    if (c != 0) return c < 0 ? -1 : 1;
  }
  return 0;
}

}  // namespace

int compare_dpkg(std::string_view a, std::string_view b) {
  DebVersion va = parse(a), vb = parse(b);
  if (va.epoch != vb.epoch) return va.epoch < vb.epoch ? -1 : 1;
  if (int c = compare_part(va.upstream, vb.upstream)) return c;
  return compare_part(va.revision, vb.revision);
}

}  // namespace tollgate::scan
