#include "util/json_text.h"

#include <array>
#include <charconv>

namespace tollgate::json_text {
namespace {

// Bytes that stop a run of plain bytes: control characters, '"', '\' and every non-ASCII byte
// (checked as UTF-8).
constexpr std::array<bool, 256> kSpecial = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c)
    t[c] = true;
  t['"'] = t['\\'] = true;
  for (int c = 0x80; c < 0x100; ++c)
    t[c] = true;
  return t;
}();

// The length of the valid UTF-8 sequence at s[i], or 0 (overlong forms, surrogates, code points
// above U+10FFFF and cut-off sequences are invalid, as RFC 3629 says).
size_t utf8_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  auto cont = [&](size_t k) { return k < s.size() && (byte(k) & 0xC0) == 0x80; };
  unsigned char b = byte(i);
  if (b >= 0xC2 && b <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (b >= 0xE0 && b <= 0xEF) {
    if (!cont(i + 1) || !cont(i + 2)) return 0;
    unsigned char b1 = byte(i + 1);
    if (b == 0xE0 && b1 < 0xA0) return 0;  // overlong
    if (b == 0xED && b1 > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (b >= 0xF0 && b <= 0xF4) {
    if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    unsigned char b1 = byte(i + 1);
    if (b == 0xF0 && b1 < 0x90) return 0;  // overlong
    if (b == 0xF4 && b1 > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

void spaces(std::string& out, unsigned n) {
  out.append(n, ' ');
}

}  // namespace

void append_string(std::string& out, std::string_view s) {
  out += '"';
  append_escaped(out, s);
  out += '"';
}

void append_escaped(std::string& out, std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t run = i;
    while (run < s.size() && !kSpecial[static_cast<unsigned char>(s[run])])
      ++run;
    out.append(s.data() + i, run - i);
    i = run;
    if (i == s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = utf8_length(s, i);
      if (n == 0) {
        out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
        ++i;
      } else {
        out.append(s.data() + i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
      }
    }
    ++i;
  }
}

void append(std::string& out, const nlohmann::json& j, unsigned indent, unsigned current) {
  using value_t = nlohmann::json::value_t;
  switch (j.type()) {
    case value_t::object: {
      const auto& o = j.get_ref<const nlohmann::json::object_t&>();
      if (o.empty()) {
        out += "{}";
        return;
      }
      out += "{\n";
      bool first = true;
      for (const auto& [key, value] : o) {
        if (!first) out += ",\n";
        first = false;
        spaces(out, current + indent);
        append_string(out, key);
        out += ": ";
        append(out, value, indent, current + indent);
      }
      out += '\n';
      spaces(out, current);
      out += '}';
      return;
    }
    case value_t::array: {
      const auto& a = j.get_ref<const nlohmann::json::array_t&>();
      if (a.empty()) {
        out += "[]";
        return;
      }
      out += "[\n";
      for (size_t i = 0; i < a.size(); ++i) {
        if (i > 0) out += ",\n";
        spaces(out, current + indent);
        append(out, a[i], indent, current + indent);
      }
      out += '\n';
      spaces(out, current);
      out += ']';
      return;
    }
    case value_t::string:
      append_string(out, j.get_ref<const std::string&>());
      return;
    case value_t::boolean:
      out += j.get<bool>() ? "true" : "false";
      return;
    case value_t::null:
      out += "null";
      return;
    case value_t::number_integer:
    case value_t::number_unsigned: {
      char buf[24];
      auto r = j.type() == value_t::number_integer
                   ? std::to_chars(buf, buf + sizeof buf, j.get<int64_t>())
                   : std::to_chars(buf, buf + sizeof buf, j.get<uint64_t>());
      out.append(buf, r.ptr);
      return;
    }
    default:  // floats (the library's shortest round-trip form), binary, discarded
      out += j.dump();
      return;
  }
}

}  // namespace tollgate::json_text
