#include "load/template.h"

#include "util/json_text.h"

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
      json_text::append_escaped(out, *value);
    else
      out += *value;
  }
}

}  // namespace tollgate::load
