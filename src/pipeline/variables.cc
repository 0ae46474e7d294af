#include "pipeline/variables.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "util/error.h"

namespace tollgate::pipeline {
namespace {

constexpr int kMaxDepth = 10;
// Ten levels of variables that each name the next ten times make 10^10 lookups and gigabytes:
// expansion stops, as an error, past these. A value longer than 1 MiB could not even be passed
// in a job's environment (Linux takes 128 KiB per variable).
constexpr size_t kMaxExpandedBytes = 1 << 20;
constexpr size_t kMaxLookups = 100'000;

[[noreturn]] void expansion_too_large(std::string_view what, std::string_view limit) {
  throw Error(fmt::format(
      "{} {} when expanded; tollgate stops there (do variables name each other many times "
      "over?)",
      what.empty() ? std::string("text") : fmt::format("variable {}", what), limit));
}

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// text with its variables replaced; `what` names it in the error past kMaxExpandedBytes.
std::string expand_with(std::string_view text,
                        const std::function<std::optional<std::string>(std::string_view)>& lookup,
                        std::string_view what = "") {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (out.size() > kMaxExpandedBytes) expansion_too_large(what, "is longer than 1 MiB");
    char c = text[i];
    if (c != '$' || i + 1 >= text.size()) {
      out += c;
      continue;
    }
    char n = text[i + 1];
    if (n == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (n == '{') {
      size_t close = text.find('}', i + 2);
      if (close == std::string_view::npos) {
        out += c;
        continue;
      }
      std::string_view name = text.substr(i + 2, close - i - 2);
      if (!name.empty() && std::all_of(name.begin(), name.end(), is_name_char)) {
        out += lookup(name).value_or("");
        i = close;
        continue;
      }
      out += c;
      continue;
    }
    if (is_name_char(n) && !std::isdigit(static_cast<unsigned char>(n))) {
      size_t end = i + 1;
      while (end < text.size() && is_name_char(text[end]))
        ++end;
      out += lookup(text.substr(i + 1, end - i - 1)).value_or("");
      i = end - 1;
      continue;
    }
    out += c;
  }
  if (out.size() > kMaxExpandedBytes) expansion_too_large(what, "is longer than 1 MiB");
  return out;
}

}  // namespace

std::string expand_variables(std::string_view text, const VariableLookup& lookup) {
  return expand_with(text, lookup);
}

std::optional<std::string> VariableSet::get(std::string_view name) const {
  Expansion expansion{name};
  std::string out;
  if (!get(name, 0, expansion, out)) return std::nullopt;
  return out;
}

bool VariableSet::get(std::string_view name, int depth, Expansion& expansion,
                      std::string& out) const {
  auto it = vars_.find(std::string(name));
  if (it == vars_.end()) return false;
  const Variable& v = it->second;
  if (!v.expand || depth >= kMaxDepth || v.value.find('$') == std::string::npos) {
    out = v.value;
    return true;
  }
  out = expand_with(
      v.value,
      [&](std::string_view other) -> std::optional<std::string> {
        // A variable that names itself ($PATH: "$PATH:/x") sees the value below it, which is
        // gone once replaced; treat the self-reference as its raw text rather than looping.
        if (other == name) return std::nullopt;
        if (++expansion.lookups > kMaxLookups)
          expansion_too_large(expansion.variable,
                              "takes more than 100,000 lookups of other variables");
        std::string value;
        if (!get(other, depth + 1, expansion, value)) return std::nullopt;
        return value;
      },
      name);
  return true;
}

std::vector<std::string> VariableSet::environment() const {
  std::vector<std::string> env;
  env.reserve(vars_.size());
  for (const auto& [name, v] : vars_)
    env.push_back(name + "=" + get(name).value_or(""));
  return env;
}

std::vector<std::pair<std::string, std::string>> VariableSet::file_contents() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, v] : vars_)
    if (v.file) out.emplace_back(name, get(name).value_or(""));
  return out;
}

std::string unmaskable_because(std::string_view value, bool raw) {
  static constexpr std::string_view kPunct = "_+=/@:.~-";
  std::string bad;
  for (unsigned char c : value) {
    bool ok = raw ? c > 0x20 && c != 0x7f
                  : std::isalnum(c) || kPunct.find(static_cast<char>(c)) != std::string_view::npos;
    if (!ok && bad.size() < 24) {
      std::string shown = c == '\n'               ? "a line break"
                          : c == ' '              ? "a space"
                          : c < 0x20 || c >= 0x7f ? fmt::format("byte 0x{:02x}", c)
                                                  : fmt::format("'{}'", static_cast<char>(c));
      if (bad.find(shown) == std::string::npos) bad += (bad.empty() ? "" : ", ") + shown;
    }
  }
  std::string why;
  if (value.size() < 8) why = fmt::format("it has {} characters, fewer than 8", value.size());
  if (!bad.empty()) why += (why.empty() ? "it holds " : " and holds ") + bad;
  if (why.empty()) return "";
  return why + (raw ? " (a masked raw value is 8 or more characters without spaces)"
                    : " (a masked value is 8 or more characters of A-Z a-z 0-9 _ + = / @ : . ~ -;"
                      " with expand: false any characters but spaces)");
}

std::vector<std::string> VariableSet::masked_values() const {
  std::vector<std::string> out;
  for (const auto& [name, v] : vars_)
    if (v.masked) {
      std::string value = get(name).value_or("");
      if (!value.empty()) out.push_back(value);
    }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.size() > b.size(); });
  return out;
}

}  // namespace tollgate::pipeline
