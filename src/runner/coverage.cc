#include "runner/coverage.h"

#include <re2/re2.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "util/strings.h"

namespace tollgate::runner {
namespace {

// The last capture group of the last match on the line (the whole match when the pattern has
// no group); nullopt without a match or when that group took no part in it.
std::optional<std::string_view> last_match(std::string_view line, const RE2& re) {
  size_t group = static_cast<size_t>(re.NumberOfCapturingGroups());
  std::vector<re2::StringPiece> groups(group + 1);
  std::optional<std::string_view> last;
  for (size_t pos = 0; pos <= line.size();) {
    if (!re.Match(line, pos, line.size(), RE2::UNANCHORED, groups.data(),
                  static_cast<int>(groups.size())))
      break;
    last = groups[group].data()
               ? std::optional(std::string_view(groups[group].data(), groups[group].size()))
               : std::nullopt;
    size_t end = static_cast<size_t>(groups[0].data() - line.data()) + groups[0].size();
    pos = groups[0].empty() ? end + 1 : end;  // past an empty match, as a scan moves on
  }
  return last;
}

// The first run of digits, with its fraction when one follows.
std::optional<double> first_number(std::string_view text) {
  static const RE2 number(R"((\d+(?:\.\d+)?))");
  std::string figure;
  if (!RE2::PartialMatch(text, number, &figure)) return std::nullopt;
  return std::strtod(figure.c_str(), nullptr);
}

}  // namespace

std::optional<double> extract_coverage(std::string_view log, std::string_view pattern) {
  if (pattern.size() >= 2 && pattern.front() == '/' && pattern.back() == '/')
    pattern = pattern.substr(1, pattern.size() - 2);
  if (pattern.empty()) return std::nullopt;
  RE2::Options options;
  options.set_log_errors(false);
  RE2 re(pattern, options);
  if (!re.ok()) return std::nullopt;
  std::vector<std::string> lines = str::split_lines(log);
  for (auto line = lines.rbegin(); line != lines.rend(); ++line)
    if (std::optional<std::string_view> match = last_match(*line, re))
      if (std::optional<double> figure = first_number(*match)) return figure;
  return std::nullopt;
}

}  // namespace tollgate::runner
