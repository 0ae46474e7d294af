#pragma once

#include <optional>
#include <string_view>

namespace tollgate::runner {

// The coverage figure a job's `coverage:` pattern finds in its log, as GitLab reads it
// (Gitlab::Ci::Trace::Stream#extract_coverage, with RE2 as GitLab's UntrustedRegexp): the lines
// from the last one back; on the first line the pattern matches, the last match, of it the
// last capture group (the whole match when the pattern has none), and of that the first number
// (digits, optionally a '.' and more digits). A line whose match holds no number is passed
// over. pattern is the keyword's value, with or without its /slashes/. nullopt when no line
// gives a figure or the pattern is not a valid RE2 expression.
std::optional<double> extract_coverage(std::string_view log, std::string_view pattern);

}  // namespace tollgate::runner
