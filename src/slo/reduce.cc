#include "slo/reduce.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <utility>

namespace tollgate::slo {
namespace {

constexpr std::array<std::pair<std::string_view, Reduce>, 11> kNames = {{
    {"mean", Reduce::Mean},
    {"median", Reduce::Median},
    {"min", Reduce::Min},
    {"max", Reduce::Max},
    {"sum", Reduce::Sum},
    {"count", Reduce::Count},
    {"first", Reduce::First},
    {"last", Reduce::Last},
    {"p90", Reduce::P90},
    {"p95", Reduce::P95},
    {"p99", Reduce::P99},
}};

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  double rank = p * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(rank));
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (rank - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

}  // namespace

std::optional<Reduce> parse_reduce(std::string_view name) {
  if (name == "avg" || name == "average") return Reduce::Mean;
  if (name == "p50") return Reduce::Median;
  for (const auto& [n, r] : kNames)
    if (n == name) return r;
  return std::nullopt;
}

std::string_view to_string(Reduce r) {
  for (const auto& [n, value] : kNames)
    if (value == r) return n;
  return "mean";
}

std::vector<std::string> reduce_names() {
  std::vector<std::string> out;
  for (const auto& [n, r] : kNames)
    out.emplace_back(n);
  return out;
}

std::optional<double> reduce(const std::vector<double>& points, Reduce how) {
  std::vector<double> v;
  v.reserve(points.size());
  for (double x : points)
    if (!std::isnan(x)) v.push_back(x);
  if (v.empty()) return std::nullopt;
  switch (how) {
    case Reduce::Mean:
      return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    case Reduce::Median:
      return percentile(std::move(v), 0.5);
    case Reduce::Min:
      return *std::min_element(v.begin(), v.end());
    case Reduce::Max:
      return *std::max_element(v.begin(), v.end());
    case Reduce::Sum:
      return std::accumulate(v.begin(), v.end(), 0.0);
    case Reduce::Count:
      return static_cast<double>(v.size());
    case Reduce::First:
      return v.front();
    case Reduce::Last:
      return v.back();
    case Reduce::P90:
      return percentile(std::move(v), 0.9);
    case Reduce::P95:
      return percentile(std::move(v), 0.95);
    case Reduce::P99:
      return percentile(std::move(v), 0.99);
  }
  return std::nullopt;
}

}  // namespace tollgate::slo
