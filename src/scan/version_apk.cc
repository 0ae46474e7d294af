// Alpine version ordering as apk-tools implements it:
//   digits{.digits}...[letter]{_suffix[digits]}...[~commithash][-rN]
// Suffixes _alpha < _beta < _pre < _rc sort before the bare version; _cvs < _svn < _git < _hg <
// _p sort after it. Dotted components compare as numbers, except that a component with a leading
// zero on either side compares as a string ("1.01" < "1.1", as in the Gentoo rules apk follows).
// When one version runs out first, the longer one is newer unless it goes on with a pre-release.
// Like apk-tools' apk_version_compare, a string outside this grammar still gets an answer: the
// tokens are compared up to where one stops fitting the grammar, and there a valid end or
// token ranks above the invalid one ("1.0" < "1.0bc", "23_foo" > "4_beta"), as apk-tools' own
// test vectors (test/unit/version.data) say.
#include <array>
#include <string>

#include "scan/version.h"

namespace tollgate::scan {
namespace {

// In the order the grammar allows them, which is also how apk ranks the token that follows a
// common prefix.
enum class Kind {
  Initial,
  Digit,
  Letter,
  Suffix,
  SuffixNumber,
  CommitHash,
  Revision,
  End,
  Invalid
};

// Ranks of suffixes; kNoSuffix is the bare version they are measured against.
constexpr std::array<std::string_view, 4> kPreSuffixes = {"alpha", "beta", "pre", "rc"};
constexpr std::array<std::string_view, 5> kPostSuffixes = {"cvs", "svn", "git", "hg", "p"};
constexpr int kNoSuffix = static_cast<int>(kPreSuffixes.size());

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_lower(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int suffix_rank(std::string_view s) {
  for (size_t i = 0; i < kPreSuffixes.size(); ++i)
    if (s == kPreSuffixes[i]) return static_cast<int>(i);
  for (size_t i = 0; i < kPostSuffixes.size(); ++i)
    if (s == kPostSuffixes[i]) return kNoSuffix + 1 + static_cast<int>(i);
  return -1;
}

struct Token {
  Kind kind = Kind::Initial;
  std::string_view text;  // the digits, letter, suffix name or hash
  int suffix = kNoSuffix;
};

class Tokens {
 public:
  explicit Tokens(std::string_view s) : rest_(s) { take_digits(Kind::Initial); }

  const Token& current() const { return token_; }

  void next() {
    if (rest_.empty()) {
      token_.kind = Kind::End;
      return;
    }
    Kind prev = token_.kind;
    char c = rest_[0];
    if (is_lower(c)) {
      if (prev > Kind::Digit) return invalid();
      token_ = {Kind::Letter, rest_.substr(0, 1)};
      rest_.remove_prefix(1);
    } else if (c == '.' || is_digit(c)) {
      if (c == '.') {
        if (prev > Kind::Digit) return invalid();
        rest_.remove_prefix(1);
      }
      if (prev == Kind::Initial || prev == Kind::Digit)
        take_digits(Kind::Digit);
      else if (prev == Kind::Suffix)
        take_digits(Kind::SuffixNumber);
      else
        invalid();
    } else if (c == '_') {
      if (prev > Kind::SuffixNumber) return invalid();
      rest_.remove_prefix(1);
      std::string_view name = take_while(is_lower);
      int rank = suffix_rank(name);
      if (rank < 0) return invalid();
      token_ = {Kind::Suffix, name, rank};
    } else if (c == '~') {
      if (prev >= Kind::CommitHash) return invalid();
      rest_.remove_prefix(1);
      std::string_view hash = take_while(is_hex);
      if (hash.empty()) return invalid();
      token_ = {Kind::CommitHash, hash};
    } else if (c == '-' && rest_.size() > 1 && rest_[1] == 'r' && prev < Kind::Revision) {
      rest_.remove_prefix(2);
      take_digits(Kind::Revision);
    } else {
      invalid();
    }
  }

 private:
  template <typename Pred>
  std::string_view take_while(Pred pred) {
    size_t n = 0;
    while (n < rest_.size() && pred(rest_[n]))
      ++n;
    std::string_view out = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return out;
  }
  void take_digits(Kind kind) {
    std::string_view digits = take_while(is_digit);
    if (digits.empty()) return invalid();
    token_ = {kind, digits};
  }
  void invalid() { token_.kind = Kind::Invalid; }

  std::string_view rest_;
  Token token_;
};

int compare_numbers(std::string_view a, std::string_view b) {
  while (a.size() > 1 && a[0] == '0')
    a.remove_prefix(1);
  while (b.size() > 1 && b[0] == '0')
    b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return a < b ? -1 : (a > b ? 1 : 0);
}

int compare_tokens(const Token& a, const Token& b) {
  switch (a.kind) {
    case Kind::Digit:
      if (a.text[0] != '0' && b.text[0] != '0') return compare_numbers(a.text, b.text);
      break;  // a leading zero on either side: compare as strings
    case Kind::Initial:
    case Kind::SuffixNumber:
    case Kind::Revision:
      return compare_numbers(a.text, b.text);
    case Kind::Suffix:
      return a.suffix < b.suffix ? -1 : (a.suffix > b.suffix ? 1 : 0);
    default:
      break;
  }
  return a.text < b.text ? -1 : (a.text > b.text ? 1 : 0);
}

}  // namespace

int compare_apk(std::string_view a, std::string_view b) {
  Tokens ta(a), tb(b);
  for (; ta.current().kind == tb.current().kind && ta.current().kind < Kind::End;
       ta.next(), tb.next()) {
    if (int c = compare_tokens(ta.current(), tb.current())) return c;
  }
  const Token &x = ta.current(), &y = tb.current();
  if (x.kind == y.kind) return 0;
  if (x.kind == Kind::Suffix && x.suffix < kNoSuffix) return -1;
  if (y.kind == Kind::Suffix && y.suffix < kNoSuffix) return 1;
  return x.kind > y.kind ? -1 : 1;
}

}  // namespace tollgate::scan
