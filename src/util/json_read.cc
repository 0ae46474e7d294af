#include "util/json_read.h"

namespace tollgate::json_read {

Depth nesting_depth(std::string_view text, size_t limit) {
  Depth deepest;
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;  // the escaped character, whatever it is, does not end the string
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest.depth) deepest = {depth, i};
      if (depth > limit) return deepest;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

SourceLocation locate(const std::string& file, std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  int line = 1;
  int column = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {file, line, column};
}

namespace {

// nlohmann's message starts "[json.exception.parse_error.101] parse error at line 1, column 2:
// syntax error while parsing value - ..."; the location is ours, keep the reason.
std::string reason(const nlohmann::json::parse_error& e) {
  std::string what = e.what();
  size_t colon = what.find(": ");
  return colon == std::string::npos ? what : what.substr(colon + 2);
}

}  // namespace

nlohmann::json parse(std::string_view text, const std::string& file) {
  Depth d = nesting_depth(text);
  if (d.depth > kMaxDepth)
    throw Error(locate(file, text, d.where), "JSON nested deeper than " +
                                                 std::to_string(kMaxDepth) +
                                                 " levels (the limit for every JSON input)");
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
      throw Error(SourceLocation{file}, "invalid JSON: empty");
    throw Error(locate(file, text, e.byte == 0 ? 0 : e.byte - 1), "invalid JSON: " + reason(e));
  }
}

nlohmann::json parse_or_discarded(std::string_view text) {
  if (nesting_depth(text).depth > kMaxDepth)
    return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(text, nullptr, false);
}

}  // namespace tollgate::json_read
