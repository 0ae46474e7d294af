#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/error.h"

namespace tollgate::load {

using VarMap = std::unordered_map<std::string, std::string>;

// A string with ${name} placeholders, split once when the scenario loads so that rendering per
// request is a few appends. `$${` writes a literal `${`.
class Template {
 public:
  Template() = default;
  // Throws Error at `where` on an unterminated or empty placeholder.
  static Template parse(std::string_view text, const SourceLocation& where);

  bool is_static() const { return vars_ == 0; }
  // The text of a static template (all parts joined).
  std::string static_text() const;
  std::vector<std::string> names() const;
  const SourceLocation& where() const { return where_; }

  // Appends the rendered text: a name is looked up in `local` first, then `global`; a name in
  // neither renders empty (the scenario checker rejects unknown names before any traffic).
  // json_escape: the value lands inside a JSON string literal.
  void render_to(std::string& out, const VarMap& local, const VarMap& global,
                 bool json_escape = false) const;
  std::string render(const VarMap& local, const VarMap& global) const {
    std::string out;
    render_to(out, local, global);
    return out;
  }

 private:
  struct Part {
    std::string text;  // literal text or a variable name
    bool is_var = false;
  };
  std::vector<Part> parts_;
  int vars_ = 0;
  SourceLocation where_;
};

}  // namespace tollgate::load
