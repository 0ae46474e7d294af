#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::str {

std::vector<std::string> split(std::string_view s, char sep);
std::vector<std::string> split_lines(std::string_view s);
std::string_view trim(std::string_view s);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string lower(std::string_view s);
std::string upper(std::string_view s);
std::string replace_all(std::string s, std::string_view from, std::string_view to);

// Levenshtein distance, for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);
// The candidate closest to word if it is close enough to be a likely typo, else "".
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

// Text safe inside XML or HTML content and attribute values; control characters XML 1.0
// forbids become spaces.
std::string xml_escape(std::string_view s);
void append_xml_escaped(std::string& out, std::string_view s);
// Text from the wire or a file for a message: at most `most` bytes, those outside printable
// ASCII as \xNN.
std::string printable(std::string_view s, size_t most = 80);
// A URL component: every byte but RFC 3986's unreserved characters percent-encoded, so
// "test: [a, b]/x" stays one path segment or query value.
std::string url_encode(std::string_view s);
// Standard base64 (with '=' padding) decoded, or nullopt when it is not base64.
std::optional<std::string> base64_decode(std::string_view s);
// Appends the UTF-8 encoding of a Unicode code point (as JSON and YAML escapes produce them).
void append_utf8(std::string& out, uint32_t code_point);

// A value for a shell single-quoted context: 'it'\''s'.
std::string shell_quote(std::string_view s);
// A name safe as a file name: job "build: [a, b]" -> "build_a_b".
std::string file_safe(std::string_view s);

}  // namespace tollgate::str
