#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

// Writing JSON text fast. The JSON library's own writer escapes strings one byte at a time and a
// tree must exist before it writes; reports of thousands of findings spent most of their time
// there. These write the same text (nlohmann's dump with an indent, keys in its order) straight
// into a string.
namespace tollgate::json_text {

// s as a JSON string literal: quoted, '"', '\' and control characters escaped as JSON requires
// (\b \f \n \r \t, else \u00XX), other UTF-8 passed through. A byte that does not start a valid
// UTF-8 sequence becomes U+FFFD, so the text is always valid JSON (the library would throw).
void append_string(std::string& out, std::string_view s);
// The same without the quotes: for text that goes inside a string literal written elsewhere (a
// request body template's "${user}").
void append_escaped(std::string& out, std::string_view s);

// j as j.dump(indent) writes it, nested at depth `current_indent` (spaces), with no newline
// after it. Float numbers are written by the library itself, so they read back bit for bit.
void append(std::string& out, const nlohmann::json& j, unsigned indent,
            unsigned current_indent = 0);

}  // namespace tollgate::json_text
