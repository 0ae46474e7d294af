// Scalars: plain (with multi-line folding), single- and double-quoted (escapes, folding),
// literal and folded block scalars (indentation and chomping indicators).
#include <algorithm>
#include <cstring>

#include "util/strings.h"
#include "util/yaml_parse_internal.h"

namespace tollgate::yaml_parse {
namespace {

bool is_flow_indicator(char c) {
  return c == ',' || c == '[' || c == ']' || c == '{' || c == '}';
}

bool is_null_text(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

const char* after_break(const char* q, const char* end) {
  if (q < end && *q == '\r') ++q;
  if (q < end && *q == '\n') ++q;
  return q;
}

// Bytes a plain scalar's line may hold without a second look (block context).
struct PlainTable {
  bool plain[256];
  constexpr PlainTable() : plain() {
    for (int c = 0; c < 256; ++c)
      plain[c] = c != '\n' && c != '\r' && c != ':' && c != '#' && c != ' ' && c != '\t' &&
                 c != ',' && c != '[' && c != ']' && c != '{' && c != '}';
  }
};
constexpr PlainTable kPlain;

// Where a plain scalar's line stops: a line break, ": ", " #", or in flow context a flow
// indicator or ':' before one. Returns the stop and sets text_end past the last non-space.
const char* scan_plain_line(const char* p, const char* end, bool flow, const char*& text_end) {
  const char* first = p;
  text_end = p;
  while (p < end) {
    if (kPlain.plain[static_cast<unsigned char>(*p)]) {
      ++p;
      while (p < end && kPlain.plain[static_cast<unsigned char>(*p)])
        ++p;
      text_end = p;
      continue;
    }
    char c = *p;
    if (c == '\n' || c == '\r') break;
    if (c == ':') {
      char n = p + 1 < end ? p[1] : ' ';
      if (n == ' ' || n == '\t' || n == '\n' || n == '\r' || (flow && is_flow_indicator(n))) break;
    } else if (c == '#') {
      if (p > first && (p[-1] == ' ' || p[-1] == '\t')) break;
    } else if (c == ' ' || c == '\t') {
      ++p;
      continue;
    } else if (flow) {  // a flow indicator
      break;
    }
    text_end = ++p;
  }
  return p;
}

bool cannot_start_plain(char c) {
  switch (c) {
    case ',':
    case '[':
    case ']':
    case '{':
    case '}':
    case '#':
    case '&':
    case '*':
    case '!':
    case '|':
    case '>':
    case '\'':
    case '"':
    case '%':
    case '@':
    case '`':
      return true;
    default:
      return false;
  }
}

}  // namespace

Node Builder::make_scalar(std::string_view text, Style style, const Mark& start) {
  Node n;
  n.kind_ = style == Style::Plain && is_null_text(text) ? Kind::Null : Kind::Scalar;
  n.style_ = style;
  n.data_ = text.data();
  n.size_ = static_cast<uint32_t>(text.size());
  n.line_ = start.line;
  n.column_ = column_of(start);
  n.source_ = &source_;
  count(1);
  return n;
}

// Does the plain scalar ending at p_ (a line break) go on, on a later line? Sets where its
// next line's text starts, how many lines ahead that is and how many were blank.
bool Builder::plain_continues(int parent, bool flow, const char*& next, uint32_t& lines,
                              const char*& line_start, size_t& blanks) const {
  const char* q = p_;
  lines = 0;
  blanks = 0;
  while (q < end_ && (*q == '\n' || *q == '\r')) {
    q = after_break(q, end_);
    ++lines;
    line_start = q;
    const char* s = q;
    while (s < end_ && *s == ' ')
      ++s;
    int indent = static_cast<int>(s - q);
    while (s < end_ && (*s == ' ' || *s == '\t'))
      ++s;
    if (s < end_ && (*s == '\n' || *s == '\r')) {
      ++blanks;
      q = s;
      continue;
    }
    if (s >= end_ || *s == '#') return false;
    if (indent == 0 && end_ - q >= 3 &&
        (std::memcmp(q, "---", 3) == 0 || std::memcmp(q, "...", 3) == 0) &&
        (q + 3 >= end_ || q[3] == ' ' || q[3] == '\t' || q[3] == '\n' || q[3] == '\r'))
      return false;
    if (!flow && indent <= parent) return false;
    if (flow && is_flow_indicator(*s)) return false;
    next = s;
    return true;
  }
  return false;
}

Node Builder::plain_scalar(int parent, bool flow) {
  Mark start = mark();
  char c = *p_;
  bool indicator_first = cannot_start_plain(c);
  bool needs_safe_next = c == '-' || c == '?' || c == ':';
  if (indicator_first ||
      (needs_safe_next && (at_blank_or_end(p_ + 1) || (flow && is_flow_indicator(p_[1]))))) {
    if (c == '@' || c == '`')
      fail("'" + std::string(1, c) + "' is reserved and cannot start a plain value: quote it");
    fail("'" + std::string(1, c) + "' cannot start a plain value here: quote the value");
  }
  const char* text_end;
  p_ = scan_plain_line(p_, end_, flow, text_end);
  std::string_view first(start.at, text_end - start.at);
  const char* next;
  uint32_t lines;
  const char* next_line_start;
  size_t blanks;
  if (!at_break() || !plain_continues(parent, flow, next, lines, next_line_start, blanks))
    return make_scalar(first, Style::Plain, start);
  // Multi-line: line breaks fold to a space, blank lines to newlines.
  buffer_.assign(first);
  do {
    if (blanks == 0)
      buffer_ += ' ';
    else
      buffer_.append(blanks, '\n');
    line_ += lines;
    line_start_ = next_line_start;
    p_ = scan_plain_line(next, end_, flow, text_end);
    buffer_.append(next, text_end - next);
    if (!flow && p_ < end_ && *p_ == ':')
      fail(
          "a plain value that spans lines cannot hold ': ' (this would be a multi-line key): "
          "quote the value, or indent it less if it is a new key");
  } while (at_break() && plain_continues(parent, flow, next, lines, next_line_start, blanks));
  return make_scalar(arena_.copy(buffer_), Style::Plain, start);
}

void Builder::escape(std::string& out) {
  Mark at = mark();
  ++p_;  // the backslash
  if (p_ >= end_) fail(at, "the stream ends inside an escape sequence");
  char c = *p_++;
  int hex = 0;
  switch (c) {
    case '0':
      out += '\0';
      return;
    case 'a':
      out += '\a';
      return;
    case 'b':
      out += '\b';
      return;
    case 't':
    case '\t':
      out += '\t';
      return;
    case 'n':
      out += '\n';
      return;
    case 'v':
      out += '\v';
      return;
    case 'f':
      out += '\f';
      return;
    case 'r':
      out += '\r';
      return;
    case 'e':
      out += '\x1B';
      return;
    case ' ':
      out += ' ';
      return;
    case '"':
      out += '"';
      return;
    case '/':
      out += '/';
      return;
    case '\\':
      out += '\\';
      return;
    case 'N':
      str::append_utf8(out, 0x85);
      return;
    case '_':
      str::append_utf8(out, 0xA0);
      return;
    case 'L':
      str::append_utf8(out, 0x2028);
      return;
    case 'P':
      str::append_utf8(out, 0x2029);
      return;
    case 'x':
      hex = 2;
      break;
    case 'u':
      hex = 4;
      break;
    case 'U':
      hex = 8;
      break;
    default:
      fail(at, "unknown escape '\\" + std::string(1, c) + "' in a double-quoted value");
  }
  auto read_hex = [&](int digits) {
    uint32_t cp = 0;
    for (int i = 0; i < digits; ++i) {
      char h = p_ < end_ ? *p_ : '\0';
      int v = h >= '0' && h <= '9'   ? h - '0'
              : h >= 'a' && h <= 'f' ? h - 'a' + 10
              : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                     : -1;
      if (v < 0)
        fail(at, "escape '\\" + std::string(1, c) + "' needs " + std::to_string(digits) +
                     " hexadecimal digits");
      cp = cp * 16 + static_cast<uint32_t>(v);
      ++p_;
    }
    return cp;
  };
  uint32_t cp = read_hex(hex);
  // JSON writes characters beyond the BMP as a surrogate pair of \u escapes.
  if (cp >= 0xD800 && cp <= 0xDBFF && end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
    p_ += 2;
    uint32_t low = read_hex(4);
    if (low < 0xDC00 || low > 0xDFFF) fail(at, "a high surrogate escape without its low half");
    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
  }
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
    fail(at, "escape is not a Unicode character");
  str::append_utf8(out, cp);
}

Node Builder::quoted_scalar() {
  Mark start = mark();
  const char quote = *p_++;
  const bool dq = quote == '"';
  const char* s = p_;
  // Most quoted values hold no escape and no line break: a view into the input.
  while (p_ < end_ && *p_ != quote && *p_ != '\n' && *p_ != '\r' && !(dq && *p_ == '\\'))
    ++p_;
  if (p_ < end_ && *p_ == quote && (dq || p_ + 1 >= end_ || p_[1] != '\'')) {
    std::string_view text(s, p_ - s);
    ++p_;
    return make_scalar(text, dq ? Style::DoubleQuoted : Style::SingleQuoted, start);
  }
  buffer_.assign(s, p_ - s);
  size_t keep = 0;  // escaped characters are never trimmed by folding
  while (true) {
    if (p_ >= end_) fail(start, "this quoted value is never closed");
    char c = *p_;
    if (c == quote) {
      if (!dq && p_ + 1 < end_ && p_[1] == '\'') {
        buffer_ += '\'';
        p_ += 2;
        keep = buffer_.size();
        continue;
      }
      ++p_;
      break;
    }
    if (dq && c == '\\') {
      if (p_ + 1 < end_ && (p_[1] == '\n' || p_[1] == '\r')) {
        // An escaped line break joins the lines without a space.
        ++p_;
        next_line();
        skip_spaces();
        keep = buffer_.size();
        continue;
      }
      escape(buffer_);
      keep = buffer_.size();
      continue;
    }
    if (c == '\n' || c == '\r') {
      while (buffer_.size() > keep && (buffer_.back() == ' ' || buffer_.back() == '\t'))
        buffer_.pop_back();
      size_t blanks = 0;
      next_line();
      while (true) {
        if (at_document_marker()) fail(start, "this quoted value is not closed before '---'");
        skip_spaces();
        if (!at_break()) break;
        ++blanks;
        next_line();
      }
      if (blanks == 0)
        buffer_ += ' ';
      else
        buffer_.append(blanks, '\n');
      keep = buffer_.size();
      continue;
    }
    buffer_ += c;
    ++p_;
  }
  return make_scalar(arena_.copy(buffer_), dq ? Style::DoubleQuoted : Style::SingleQuoted, start);
}

Node Builder::block_scalar(int parent) {
  Mark start = mark();
  const bool literal = *p_++ == '|';
  int explicit_indent = 0;
  char chomp = ' ';
  for (int i = 0; i < 2 && p_ < end_; ++i) {
    if (*p_ >= '1' && *p_ <= '9' && explicit_indent == 0) {
      explicit_indent = *p_++ - '0';
    } else if ((*p_ == '+' || *p_ == '-') && chomp == ' ') {
      chomp = *p_++;
    } else if (*p_ == '0') {
      fail("a block scalar's indentation indicator is 1 to 9");
    }
  }
  expect_line_end("the block scalar header ('|' or '>', then optionally 1-9 and + or -)");
  if (at_break()) next_line();
  const int base = parent < 0 ? 0 : parent;
  int indent = explicit_indent > 0 ? base + explicit_indent : -1;
  if (indent < 0) {
    // The first line with text sets the indentation; blank lines before it may not be deeper.
    size_t max_blank = 0;
    Mark deepest;
    uint32_t ln = line_;
    for (const char* q = p_; q < end_; ++ln) {
      const char* s = q;
      while (s < end_ && *s == ' ')
        ++s;
      if (s < end_ && *s != '\n' && *s != '\r') {
        indent = static_cast<int>(s - q);
        if (indent > parent && max_blank > static_cast<size_t>(indent))
          fail(deepest,
               "a blank line at the start of this block scalar has more spaces than "
               "its first line of text");
        break;
      }
      if (static_cast<size_t>(s - q) > max_blank) {
        max_blank = s - q;
        deepest = {s, ln, q};
      }
      if (s >= end_) break;
      q = after_break(s, end_);
    }
    if (indent <= parent) indent = std::max<int>(parent + 1, static_cast<int>(max_blank));
  }
  buffer_.clear();
  size_t pending = 0;  // empty lines not yet written
  bool have_text = false, last_had_break = false, prev_more = false;
  while (p_ < end_) {
    const char* ls = p_;
    int spaces = 0;
    while (spaces < indent && p_ < end_ && *p_ == ' ') {
      ++p_;
      ++spaces;
    }
    if (spaces == 0 && at_document_marker()) break;
    if (p_ >= end_) break;  // trailing spaces without a line break add nothing
    if (at_break()) {
      ++pending;
      next_line();
      continue;
    }
    if (spaces < indent) {
      p_ = ls;
      break;
    }
    const char* text = p_;
    while (p_ < end_ && !at_break())
      ++p_;
    std::string_view line(text, p_ - text);
    if (literal) {
      if (have_text) buffer_ += '\n';
      buffer_.append(pending, '\n');
    } else {
      bool more = line.front() == ' ' || line.front() == '\t';
      if (!have_text)
        buffer_.append(pending, '\n');
      else if (!more && !prev_more && pending == 0)
        buffer_ += ' ';
      else if (!more && !prev_more)
        buffer_.append(pending, '\n');
      else
        buffer_.append(pending + 1, '\n');
      prev_more = more;
    }
    buffer_ += line;
    have_text = true;
    pending = 0;
    last_had_break = at_break();
    if (last_had_break) next_line();
  }
  if (chomp == '+') {
    if (have_text && last_had_break) buffer_ += '\n';
    buffer_.append(pending, '\n');
  } else if (chomp == ' ' && have_text && last_had_break) {
    buffer_ += '\n';
  }
  return make_scalar(arena_.copy(buffer_), literal ? Style::Literal : Style::Folded, start);
}

}  // namespace tollgate::yaml_parse
