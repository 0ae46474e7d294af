// SemVer 2.0.0 precedence (semver.org section 11): major.minor.patch compared numerically, a
// pre-release sorts before its release, pre-release identifiers compare numerically when both
// are numeric, numeric before alphanumeric, and a longer list wins a tie; build metadata is
// ignored. Go module pseudo-versions are ordinary pre-releases here. A leading "v" and missing
// minor or patch numbers ("1.2") are accepted, as ecosystem data contains them.
#include <cctype>
#include <string>
#include <vector>

#include "scan/version.h"
#include "util/error.h"
#include "util/strings.h"

namespace tollgate::scan {
namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// Compares two digit strings of any length as numbers.
int compare_numeric(std::string_view a, std::string_view b) {
  while (a.size() > 1 && a[0] == '0')
    a.remove_prefix(1);
  while (b.size() > 1 && b[0] == '0')
    b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

struct SemVersion {
  std::vector<std::string> core;  // exactly three numbers
  std::vector<std::string> pre;
};

SemVersion parse(std::string_view v) {
  std::string_view original = v;
  if (!v.empty() && (v[0] == 'v' || v[0] == 'V')) v.remove_prefix(1);
  v = v.substr(0, v.find('+'));
  SemVersion out;
  size_t dash = v.find('-');
  if (dash != std::string_view::npos) {
    out.pre = str::split(v.substr(dash + 1), '.');
    v = v.substr(0, dash);
    for (const auto& id : out.pre)
      if (id.empty())
        throw Error("semver '" + std::string(original) + "': empty pre-release identifier");
  }
  out.core = str::split(v, '.');
  if (out.core.size() > 3)
    throw Error("semver '" + std::string(original) + "': more than three numbers");
  for (const auto& n : out.core)
    if (!all_digits(n)) throw Error("semver '" + std::string(original) + "' is not a version");
  out.core.resize(3, "0");
  return out;
}

}  // namespace

int compare_semver(std::string_view a, std::string_view b) {
  SemVersion va = parse(a), vb = parse(b);
  for (size_t i = 0; i < 3; ++i)
    if (int c = compare_numeric(va.core[i], vb.core[i])) return c;
  if (va.pre.empty() || vb.pre.empty()) {
    if (va.pre.empty() && vb.pre.empty()) return 0;
    return va.pre.empty() ? 1 : -1;
  }
  for (size_t i = 0; i < va.pre.size() && i < vb.pre.size(); ++i) {
    const std::string &x = va.pre[i], &y = vb.pre[i];
    bool nx = all_digits(x), ny = all_digits(y);
    int c = 0;
    if (nx && ny)
      c = compare_numeric(x, y);
    else if (nx != ny)
      c = nx ? -1 : 1;
    else
      c = x.compare(y) < 0 ? -1 : (x == y ? 0 : 1);
    if (c) return c;
  }
  if (va.pre.size() == vb.pre.size()) return 0;
  return va.pre.size() < vb.pre.size() ? -1 : 1;
}

}  // namespace tollgate::scan
