#include "budget/source.h"

#include "budget/api_sources.h"
#include "budget/focus_source.h"
#include "util/error.h"
#include "util/strings.h"

namespace tollgate::budget {

SourceSpec SourceSpec::parse(std::string_view text) {
  size_t colon = text.find(':');
  std::string kind(text.substr(0, colon == std::string_view::npos ? 0 : colon));
  if (kind != "focus" && kind != "aws-ce" && kind != "cloudhealth" && kind != "opencost")
    throw UsageError(
        "--source '" + std::string(text) +
        "': write focus:FILE.csv[.gz], aws-ce:FILE.json, cloudhealth:URL or opencost:URL");
  SourceSpec s{kind, std::string(text.substr(colon + 1))};
  if (s.target.empty())
    throw UsageError("--source '" + std::string(text) + "': the file or URL is missing");
  return s;
}

std::string SourceSpec::str() const {
  std::string shown = kind + ":" + target;
  std::string key = query_parameter(target, "api_key");
  return key.empty() ? shown : str::replace_all(shown, key, "[MASKED]");
}

std::string query_parameter(std::string_view url, std::string_view name) {
  size_t query = url.find('?');
  if (query == std::string_view::npos) return "";
  std::string_view rest = url.substr(query + 1);
  rest = rest.substr(0, rest.find('#'));
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
        pair[name.size()] == '=')
      return std::string(pair.substr(name.size() + 1));
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return "";
}

long read_source(const SourceSpec& source, const SourceOptions& options,
                 const std::set<Dimension>& needed, SplittableSink& sink) {
  if (source.kind == "focus")
    return read_focus_parallel(source.target, sink, needed, options.parallel);
  if (source.kind == "aws-ce") return read_aws_ce(source.target, needed, sink);
  if (source.kind == "cloudhealth") return read_cloudhealth(source.target, options, needed, sink);
  return read_opencost(source.target, options, needed, sink);
}

}  // namespace tollgate::budget
