#include "load/template.h"

#include <cstdio>

namespace tollgate::load {

Template Template::parse(std::string_view text, const SourceLocation& where) {
  Template t;
  t.where_ = where;
  std::string literal;
  size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 3, "$${") == 0) {
      literal += "${";
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      literal += text[i++];
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos)
      throw Error(where,
                  "unterminated ${ in '" + std::string(text) + "' (write $${ for a literal)");
    std::string name(text.substr(i + 2, close - i - 2));
    if (name.empty() || name.find_first_of(" \t${") != std::string::npos)
      throw Error(where, "bad variable name '${" + name + "}' in '" + std::string(text) + "'");
    if (!literal.empty()) t.parts_.push_back({std::move(literal), false});
    literal.clear();
    t.parts_.push_back({std::move(name), true});
    ++t.vars_;
    i = close + 1;
  }
  if (!literal.empty()) t.parts_.push_back({std::move(literal), false});
  return t;
}

std::string Template::static_text() const {
  std::string out;
  for (const auto& p : parts_)
    out += p.is_var ? "${" + p.text + "}" : p.text;
  return out;
}

std::vector<std::string> Template::names() const {
  std::vector<std::string> out;
  for (const auto& p : parts_)
    if (p.is_var) out.push_back(p.text);
  return out;
}

void Template::render_to(std::string& out, const VarMap& local, const VarMap& global,
                         bool json_escape) const {
  for (const auto& p : parts_) {
    if (!p.is_var) {
      out += p.text;
      continue;
    }
    const std::string* value = nullptr;
    if (auto it = local.find(p.text); it != local.end()) {
      value = &it->second;
    } else if (auto g = global.find(p.text); g != global.end()) {
      value = &g->second;
    }
    if (!value) continue;
    if (json_escape)
      append_json_escaped(out, *value);
    else
      out += *value;
  }
}

void append_json_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
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
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
}

}  // namespace tollgate::load
