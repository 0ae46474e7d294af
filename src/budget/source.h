#pragma once

#include <chrono>
#include <set>
#include <string>

#include "budget/cost_row.h"
#include "budget/focus_source.h"
#include "budget/scope.h"

namespace tollgate::budget {

// --source KIND:TARGET
struct SourceSpec {
  std::string kind;    // focus, aws-ce, cloudhealth, opencost
  std::string target;  // a file or a URL
  // Throws UsageError listing the kinds when text is not one of them.
  static SourceSpec parse(std::string_view text);
  // For reports and messages: an api_key in a URL's query shows as [MASKED].
  std::string str() const;
};

// The value of a URL's query parameter as written (not percent-decoded); "" when absent.
std::string query_parameter(std::string_view url, std::string_view name);

struct SourceOptions {
  Seconds as_of = 0;
  std::string api_key_env = "CLOUDHEALTH_API_KEY";  // CloudHealth's API key comes from here
  std::chrono::milliseconds timeout{30'000};
  std::string currency;      // for sources whose records carry none (OpenCost); "" = USD
  ParallelOptions parallel;  // for large plain FOCUS files
};

// Streams the source's charges into sink; `needed` lists the dimensions some scope or breakdown
// uses, so a source that cannot provide one says so instead of matching nothing. Throws Error
// (exit 2) on anything unreadable, unreachable or malformed. Returns the number of rows.
long read_source(const SourceSpec& source, const SourceOptions& options,
                 const std::set<Dimension>& needed, SplittableSink& sink);

}  // namespace tollgate::budget
