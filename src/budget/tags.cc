#include "budget/tags.h"

#include "util/error.h"

namespace tollgate::budget {
namespace {

// A strict reader for the one JSON shape FOCUS allows in Tags: an object of scalars.
class FlatObjectReader {
 public:
  explicit FlatObjectReader(std::string_view text)
      : p_(text.data()), end_(text.data() + text.size()) {}

  std::optional<TagValue> find(std::string_view key) {
    std::optional<TagValue> found;
    skip_space();
    expect('{');
    skip_space();
    if (peek() == '}') {
      ++p_;
      finish();
      return found;
    }
    while (true) {
      skip_space();
      bool key_matches = read_string(key_scratch_) == key;
      skip_space();
      expect(':');
      skip_space();
      TagValue value;
      read_value(value);
      if (key_matches) {
        if (found) fail("duplicate tag key '" + std::string(key) + "'");
        found = std::move(value);
      }
      skip_space();
      char c = next();
      if (c == '}') break;
      if (c != ',') fail("expected ',' or '}'");
    }
    finish();
    return found;
  }

 private:
  void finish() {
    skip_space();
    if (p_ != end_) fail("text after the closing '}'");
  }

  [[noreturn]] void fail(const std::string& what) {
    throw Error("Tags is not a flat JSON object: " + what);
  }
  char peek() const { return p_ < end_ ? *p_ : '\0'; }
  char next() {
    if (p_ >= end_) fail("unexpected end");
    return *p_++;
  }
  void expect(char c) {
    if (next() != c) fail(std::string("expected '") + c + "'");
  }
  void skip_space() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r'))
      ++p_;
  }

  // Returns a view of the string's text: straight into the input when it has no escapes.
  std::string_view read_string(std::string& scratch) {
    expect('"');
    const char* start = p_;
    while (p_ < end_ && *p_ != '"' && *p_ != '\\')
      ++p_;
    if (p_ < end_ && *p_ == '"') return {start, static_cast<size_t>(p_++ - start)};
    scratch.assign(start, p_);
    while (true) {
      char c = next();
      if (c == '"') return scratch;
      if (c != '\\') {
        scratch += c;
        continue;
      }
      char e = next();
      switch (e) {
        case '"':
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
          append_utf8(scratch, read_code_point());
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

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  void read_value(TagValue& out) {
    char c = peek();
    if (c == '"') {
      std::string scratch;
      std::string_view s = read_string(scratch);
      out.text.assign(s);
      out.is_string = true;
      return;
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
    out.text.assign(literal);
    out.is_string = false;
  }

  const char* p_;
  const char* end_;
  std::string key_scratch_;
};

}  // namespace

std::optional<TagValue> find_tag(std::string_view tags, std::string_view key) {
  if (tags.empty()) return std::nullopt;
  return FlatObjectReader(tags).find(key);
}

}  // namespace tollgate::budget
