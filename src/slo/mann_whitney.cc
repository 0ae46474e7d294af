#include "slo/mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "util/error.h"

namespace tollgate::slo {
namespace {

double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

// k-th smallest (0-based) without sorting everything.
double kth(std::vector<double>& v, size_t k) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

double normal_quantile(double p) {
  // Bisection on the CDF: slow by numerical standards, exact to double precision, and called a
  // handful of times per evaluation.
  double lo = -40, hi = 40;
  for (int i = 0; i < 200; ++i) {
    double mid = 0.5 * (lo + hi);
    if (normal_cdf(mid) < p)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

MannWhitney mann_whitney(const std::vector<double>& control, const std::vector<double>& experiment,
                         double confidence) {
  if (control.empty() || experiment.empty())
    throw Error("Mann-Whitney U needs at least one value on each side");
  MannWhitney r;
  r.n_control = control.size();
  r.n_experiment = experiment.size();
  const double nx = static_cast<double>(control.size());
  const double ny = static_cast<double>(experiment.size());
  const double n = nx + ny;

  // Ranks of the pooled sample, ties sharing their average rank.
  std::vector<std::pair<double, bool>> pooled;  // value, is experiment
  pooled.reserve(control.size() + experiment.size());
  for (double x : control)
    pooled.emplace_back(x, false);
  for (double y : experiment)
    pooled.emplace_back(y, true);
  std::sort(pooled.begin(), pooled.end());
  double rank_sum_y = 0, tie_term = 0;
  for (size_t i = 0; i < pooled.size();) {
    size_t j = i;
    while (j < pooled.size() && pooled[j].first == pooled[i].first)
      ++j;
    double t = static_cast<double>(j - i);
    double avg_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (size_t k = i; k < j; ++k)
      if (pooled[k].second) rank_sum_y += avg_rank;
    tie_term += t * t * t - t;
    i = j;
  }
  r.u = rank_sum_y - ny * (ny + 1) / 2.0;
  r.cles = r.u / (nx * ny);
  double mean = nx * ny / 2.0;
  double variance = nx * ny / 12.0 * ((n + 1) - tie_term / (n * (n - 1)));
  if (variance > 0) {
    double diff = r.u - mean;
    double corrected = diff > 0 ? diff - 0.5 : diff < 0 ? diff + 0.5 : 0;
    r.z = corrected / std::sqrt(variance);
    r.p_value = std::min(1.0, std::erfc(std::fabs(r.z) / std::sqrt(2.0)));
  }

  // Hodges-Lehmann estimate and the interval between order statistics of the pairwise
  // differences (Bauer 1972), with the normal approximation for the critical rank.
  std::vector<double> d;
  d.reserve(control.size() * experiment.size());
  for (double y : experiment)
    for (double x : control)
      d.push_back(y - x);
  size_t total = d.size();
  if (total % 2 == 1) {
    r.estimate = kth(d, total / 2);
  } else {
    double a = kth(d, total / 2 - 1);
    double b = *std::min_element(d.begin() + static_cast<std::ptrdiff_t>(total / 2), d.end());
    r.estimate = (a + b) / 2.0;
  }
  double zc = normal_quantile(1.0 - (1.0 - confidence) / 2.0);
  double k = std::floor(nx * ny / 2.0 - zc * std::sqrt(nx * ny * (n + 1) / 12.0));
  size_t lo = k < 0 ? 0 : static_cast<size_t>(k);
  lo = std::min(lo, total - 1);
  size_t hi = total - 1 - lo;
  if (hi < lo) std::swap(lo, hi);
  r.ci_low = kth(d, lo);
  r.ci_high = kth(d, hi);
  return r;
}

}  // namespace tollgate::slo
