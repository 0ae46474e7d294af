#include "budget/tags.h"

#include <unordered_map>

#include "budget/text_hash.h"
#include "util/error.h"
#include "util/strings.h"

namespace tollgate::budget {
namespace {

// A strict reader for the one JSON shape FOCUS allows in Tags: an object of scalars.
class FlatObjectReader {
 public:
  FlatObjectReader(std::string_view text, bool doubled, std::string& key_scratch,
                   std::string& value_scratch)
      : doubled_(doubled),
        p_(text.data()),
        end_(text.data() + text.size()),
        key_scratch_(key_scratch),
        value_scratch_(value_scratch) {}

  // Calls on_pair(key, value, is_string) for every pair, in order, after checking each; the
  // views point into the text or into the scratch strings, valid during the call only.
  template <class OnPair>
  void each(OnPair&& on_pair) {
    skip_space();
    expect('{');
    skip_space();
    if (peek() == '}') {
      ++p_;
      finish();
      return;
    }
    while (true) {
      skip_space();
      std::string_view key = read_string(key_scratch_);
      skip_space();
      expect(':');
      skip_space();
      bool is_string = false;
      std::string_view value = read_value(is_string);
      on_pair(key, value, is_string);
      skip_space();
      char c = next();
      if (c == '}') break;
      if (c != ',') fail("expected ',' or '}'");
    }
    finish();
  }

  // The value of key (a view into the text, or into `out` when it had escapes), after checking
  // the whole object.
  std::optional<std::string_view> find(std::string_view key, std::string& out, bool& is_string) {
    std::optional<std::string_view> found;
    each([&](std::string_view k, std::string_view value, bool value_is_string) {
      if (k != key) return;
      if (found) fail("duplicate tag key '" + std::string(key) + "'");
      if (value.data() == value_scratch_.data()) {
        out.assign(value);  // the next value would overwrite the scratch
        value = out;
      }
      found = value;
      is_string = value_is_string;
    });
    return found;
  }

  [[noreturn]] void fail(const std::string& what) {
    throw Error("Tags is not a flat JSON object: " + what);
  }

 private:
  void finish() {
    skip_space();
    if (p_ != end_) fail("text after the closing '}'");
  }

  char peek() const { return p_ < end_ ? *p_ : '\0'; }
  char next() {
    if (p_ >= end_) fail("unexpected end");
    return *p_++;
  }
  void expect(char c) {
    if (next() != c) fail(std::string("expected '") + c + "'");
  }
  // In CSV-doubled text every JSON quote is written twice: consume the second one.
  void take_doubled_quote() {
    if (!doubled_) return;
    if (p_ >= end_ || *p_ != '"') fail("a '\"' is not doubled as CSV requires");
    ++p_;
  }
  void skip_space() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r'))
      ++p_;
  }

  // Returns a view of the string's text: straight into the input when it has no escapes.
  std::string_view read_string(std::string& scratch) {
    expect('"');
    take_doubled_quote();
    const char* start = p_;
    while (p_ < end_ && *p_ != '"' && *p_ != '\\')
      ++p_;
    if (p_ < end_ && *p_ == '"') {
      std::string_view text(start, static_cast<size_t>(p_++ - start));
      take_doubled_quote();
      return text;
    }
    scratch.assign(start, p_);
    while (true) {
      char c = next();
      if (c == '"') {
        take_doubled_quote();
        return scratch;
      }
      if (c != '\\') {
        scratch += c;
        continue;
      }
      char e = next();
      switch (e) {
        case '"':
          take_doubled_quote();
          scratch += e;
          break;
        case '\\':
        case '/':
          scratch += e;
          break;
        case 'b':
          scratch += '\b';
          break;
        case 'f':
          scratch += '\f';
          break;
        case 'n':
          scratch += '\n';
          break;
        case 'r':
          scratch += '\r';
          break;
        case 't':
          scratch += '\t';
          break;
        case 'u':
          str::append_utf8(scratch, read_code_point());
          break;
        default:
          fail(std::string("bad escape \\") + e);
      }
    }
  }

  unsigned read_hex4() {
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = next();
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<unsigned>(c - 'A' + 10);
      else
        fail("bad \\u escape");
    }
    return v;
  }

  unsigned read_code_point() {
    unsigned cp = read_hex4();
    if (cp >= 0xD800 && cp < 0xDC00) {  // a surrogate pair spells one code point
      if (next() != '\\' || next() != 'u') fail("lone surrogate in \\u escape");
      unsigned low = read_hex4();
      if (low < 0xDC00 || low > 0xDFFF) fail("lone surrogate in \\u escape");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    return cp;
  }

  std::string_view read_value(bool& is_string) {
    char c = peek();
    if (c == '"') {
      is_string = true;
      return read_string(value_scratch_);
    }
    if (c == '{' || c == '[') fail("nested objects and arrays are not allowed in Tags");
    const char* start = p_;
    while (p_ < end_ && *p_ != ',' && *p_ != '}' && *p_ != ' ' && *p_ != '\t' && *p_ != '\n' &&
           *p_ != '\r')
      ++p_;
    std::string_view literal(start, static_cast<size_t>(p_ - start));
    if (literal.empty()) fail("a value is missing");
    if (literal != "true" && literal != "false" && literal != "null") {
      for (char d : literal)
        if (!((d >= '0' && d <= '9') || d == '-' || d == '+' || d == '.' || d == 'e' || d == 'E'))
          fail("'" + std::string(literal) + "' is not a JSON value");
    }
    is_string = false;
    return literal;
  }

  bool doubled_;
  const char* p_;
  const char* end_;
  std::string& key_scratch_;
  std::string& value_scratch_;
};

}  // namespace

std::optional<std::string_view> find_tag_view(std::string_view tags, std::string_view key,
                                              std::string& scratch, bool* is_string, bool doubled) {
  if (tags.empty()) return std::nullopt;
  // Per-thread scratch: lookups run once per row, and must not allocate once warmed up.
  thread_local std::string key_scratch, value_scratch;
  bool string_value = false;
  auto found =
      FlatObjectReader(tags, doubled, key_scratch, value_scratch).find(key, scratch, string_value);
  if (is_string) *is_string = string_value;
  return found;
}

std::optional<std::string_view> TagSet::find(std::string_view key) const {
  for (const auto& [k, v] : pairs)
    if (k == key) return std::string_view(v);
  return std::nullopt;
}

namespace {

// Distinct Tags values parsed so far on this thread, per quoting. Bounded: a bill with more
// distinct values than this starts the cache over, so memory never grows with the file.
class TagSetCache {
 public:
  static constexpr size_t kMaxEntries = 1 << 14;

  const TagSet& get(std::string_view tags, bool doubled) {
    auto& map = doubled ? doubled_ : plain_;
    if (auto it = map.find(tags); it != map.end()) return it->second;
    TagSet set;
    std::string key_scratch, value_scratch;
    FlatObjectReader reader(tags, doubled, key_scratch, value_scratch);
    reader.each([&](std::string_view k, std::string_view v, bool) {
      if (set.find(k)) reader.fail("duplicate tag key '" + std::string(k) + "'");
      set.pairs.emplace_back(std::string(k), std::string(v));
    });
    if (map.size() >= kMaxEntries) map.clear();
    return map.emplace(std::string(tags), std::move(set)).first->second;
  }

 private:
  std::unordered_map<std::string, TagSet, TextHash, std::equal_to<>> plain_, doubled_;
};

}  // namespace

const TagSet& parsed_tags(std::string_view tags, bool doubled) {
  static const TagSet kNone;
  if (tags.empty()) return kNone;
  thread_local TagSetCache cache;
  return cache.get(tags, doubled);
}

std::optional<TagValue> find_tag(std::string_view tags, std::string_view key) {
  std::string scratch;
  bool is_string = false;
  auto view = find_tag_view(tags, key, scratch, &is_string);
  if (!view) return std::nullopt;
  return TagValue{std::string(*view), is_string};
}

}  // namespace tollgate::budget
