#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/error.h"

namespace tollgate::load {

// The JSONPath subset that checks and extraction need, compiled once: `$`, `.name`,
// `['name']` / `["name"]`, `[N]` and `[-N]` (from the end). Wildcards and filters select many
// values, which a check or an extracted variable cannot use, so they are rejected at load.
class JsonPath {
 public:
  JsonPath() = default;
  // Throws Error at `where` naming what is wrong.
  static JsonPath parse(std::string_view text, const SourceLocation& where);

  // The selected value, or nullptr when the path does not exist in doc.
  const nlohmann::json* find(const nlohmann::json& doc) const;
  const std::string& text() const { return text_; }

 private:
  std::vector<std::variant<std::string, long long>> steps_;
  std::string text_;
};

// A selected value as a string: strings as themselves, everything else as compact JSON.
std::string json_value_text(const nlohmann::json& v);

}  // namespace tollgate::load
