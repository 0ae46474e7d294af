#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::slo {

// How many points become one SLI value. Always written out: "the p95 over the window" and "the
// p95 at the end of the window" are different verdicts.
enum class Reduce { Mean, Median, Min, Max, Sum, Count, First, Last, P90, P95, P99 };

std::optional<Reduce> parse_reduce(std::string_view name);
std::string_view to_string(Reduce r);
std::vector<std::string> reduce_names();

// NaN points are dropped first (NaN is no data); nullopt when nothing is left. Percentiles
// interpolate linearly between closest ranks (numpy's default), First/Last keep input order.
std::optional<double> reduce(const std::vector<double>& points, Reduce how);

}  // namespace tollgate::slo
