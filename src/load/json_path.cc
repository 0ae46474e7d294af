#include "load/json_path.h"

#include <cctype>

namespace tollgate::load {

JsonPath JsonPath::parse(std::string_view text, const SourceLocation& where) {
  JsonPath p;
  p.text_ = std::string(text);
  auto bad = [&](const std::string& why) {
    return Error(where, "JSON path '" + std::string(text) + "': " + why +
                            " (supported: $.name, $['name'], $.list[0], $.list[-1])");
  };
  if (text.empty() || text[0] != '$') throw bad("must start with $");
  size_t i = 1;
  while (i < text.size()) {
    if (text[i] == '.') {
      size_t start = ++i;
      while (i < text.size() && text[i] != '.' && text[i] != '[')
        ++i;
      std::string name(text.substr(start, i - start));
      if (name.empty()) throw bad("empty name after '.'");
      if (name == "*") throw bad("wildcards select many values");
      p.steps_.emplace_back(std::move(name));
    } else if (text[i] == '[') {
      size_t close = text.find(']', i);
      if (close == std::string_view::npos) throw bad("unclosed [");
      std::string_view inner = text.substr(i + 1, close - i - 1);
      if (inner == "*") throw bad("wildcards select many values");
      if (inner.size() >= 2 && (inner.front() == '\'' || inner.front() == '"') &&
          inner.back() == inner.front()) {
        p.steps_.emplace_back(std::string(inner.substr(1, inner.size() - 2)));
      } else {
        size_t k = (!inner.empty() && inner[0] == '-') ? 1 : 0;
        if (k == inner.size()) throw bad("empty index");
        for (size_t j = k; j < inner.size(); ++j)
          if (!std::isdigit(static_cast<unsigned char>(inner[j])))
            throw bad("'[" + std::string(inner) + "]' is not an index or a quoted name");
        p.steps_.emplace_back(std::stoll(std::string(inner)));
      }
      i = close + 1;
    } else {
      throw bad(std::string("unexpected '") + text[i] + "'");
    }
  }
  return p;
}

const nlohmann::json* JsonPath::find(const nlohmann::json& doc) const {
  const nlohmann::json* cur = &doc;
  for (const auto& step : steps_) {
    if (const auto* name = std::get_if<std::string>(&step)) {
      if (!cur->is_object()) return nullptr;
      auto it = cur->find(*name);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else {
      long long index = std::get<long long>(step);
      if (!cur->is_array()) return nullptr;
      auto size = static_cast<long long>(cur->size());
      if (index < 0) index += size;
      if (index < 0 || index >= size) return nullptr;
      cur = &(*cur)[static_cast<size_t>(index)];
    }
  }
  return cur;
}

std::string json_value_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

}  // namespace tollgate::load
