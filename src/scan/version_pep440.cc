// PEP 440 version ordering for PyPI: [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local], with the
// spelling variants PEP 440 normalises (alpha, beta, c, pre, preview, rev, r, "-1" as a post
// release, separators '-', '_', '.', a leading 'v', any case). Release numbers ignore trailing
// zeros (1.0 == 1.0.0); 1.0.dev0 < 1.0a1 < 1.0 < 1.0.post1 < 1.0+local.
#include <re2/re2.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "scan/version.h"
#include "util/error.h"
#include "util/strings.h"

namespace tollgate::scan {
namespace {

// The pattern of PEP 440's appendix, anchored.
const RE2& pattern() {
  static const RE2 re(R"((?i)^\s*v?(?:([0-9]+)!)?([0-9]+(?:\.[0-9]+)*))"
                      R"(((?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?))?)"
                      R"(((?:-([0-9]+))|(?:[-_.]?(post|rev|r)[-_.]?([0-9]+)?))?)"
                      R"(((?:[-_.]?(dev)[-_.]?([0-9]+)?))?)"
                      R"((?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?\s*$)");
  return re;
}

unsigned long long number(const std::string& digits) {
  unsigned long long n = 0;
  for (char c : digits) {
    if (n > 100'000'000'000'000'000ULL) throw Error("PEP 440 number too large: " + digits);
    n = n * 10 + static_cast<unsigned>(c - '0');
  }
  return n;
}

// A component that may be absent, sorting below (kLow) or above (kHigh) every present value.
constexpr int kLow = -1, kPresent = 0, kHigh = 1;

struct LocalPart {
  bool numeric = false;
  unsigned long long n = 0;
  std::string s;
  auto operator<=>(const LocalPart& o) const {
    if (numeric != o.numeric) return numeric <=> o.numeric;  // numbers beat strings
    if (numeric) return n <=> o.n;
    return s <=> o.s;
  }
  bool operator==(const LocalPart&) const = default;
};

struct Key {
  unsigned long long epoch = 0;
  std::vector<unsigned long long> release;
  int pre_bound = kHigh;
  int pre_letter = 0;  // a=0, b=1, rc=2
  unsigned long long pre_n = 0;
  int post_bound = kLow;
  unsigned long long post_n = 0;
  int dev_bound = kHigh;
  unsigned long long dev_n = 0;
  int local_bound = kLow;
  std::vector<LocalPart> local;

  auto tie() const {
    return std::tie(epoch, release, pre_bound, pre_letter, pre_n, post_bound, post_n, dev_bound,
                    dev_n, local_bound, local);
  }
};

Key parse(std::string_view v) {
  std::string epoch, release, pre, pre_l, pre_n, post, post_n1, post_l, post_n2, dev, dev_l, dev_n,
      local;
  if (!RE2::FullMatch(v, pattern(), &epoch, &release, &pre, &pre_l, &pre_n, &post, &post_n1,
                      &post_l, &post_n2, &dev, &dev_l, &dev_n, &local))
    throw Error("'" + std::string(v) + "' is not a PEP 440 version");
  Key k;
  if (!epoch.empty()) k.epoch = number(epoch);
  for (const auto& part : str::split(release, '.'))
    k.release.push_back(number(part));
  while (k.release.size() > 1 && k.release.back() == 0)
    k.release.pop_back();
  if (!pre.empty()) {
    std::string l = str::lower(pre_l);
    k.pre_bound = kPresent;
    k.pre_letter = (l == "a" || l == "alpha") ? 0 : (l == "b" || l == "beta") ? 1 : 2;
    k.pre_n = pre_n.empty() ? 0 : number(pre_n);
  }
  if (!post.empty()) {
    k.post_bound = kPresent;
    const std::string& n = post_n1.empty() ? post_n2 : post_n1;
    k.post_n = n.empty() ? 0 : number(n);
  }
  if (!dev.empty()) {
    k.dev_bound = kPresent;
    k.dev_n = dev_n.empty() ? 0 : number(dev_n);
    // A bare dev release (1.0.dev0) precedes the pre-releases of the same version.
    if (pre.empty() && post.empty()) k.pre_bound = kLow;
  }
  if (!local.empty()) {
    k.local_bound = kPresent;
    std::string l = str::lower(local);
    std::replace(l.begin(), l.end(), '-', '.');
    std::replace(l.begin(), l.end(), '_', '.');
    for (auto& part : str::split(l, '.')) {
      LocalPart p;
      p.numeric =
          std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (p.numeric)
        p.n = number(part);
      else
        p.s = part;
      k.local.push_back(std::move(p));
    }
  }
  return k;
}

}  // namespace

int compare_pep440(std::string_view a, std::string_view b) {
  Key ka = parse(a), kb = parse(b);
  auto c = ka.tie() <=> kb.tie();
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace tollgate::scan
