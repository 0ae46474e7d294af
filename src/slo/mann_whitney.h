#pragma once

#include <cstddef>
#include <vector>

namespace tollgate::slo {

// Two-sample Mann-Whitney U test of an experiment (the new version) against a control (the
// baseline), with the Hodges-Lehmann estimate of the shift and its distribution-free
// confidence interval, as Kayenta's judge uses them.
struct MannWhitney {
  size_t n_control = 0;
  size_t n_experiment = 0;
  double u = 0;         // U of the experiment: pairs where it is larger, ties counting half
  double z = 0;         // normal approximation, tie- and continuity-corrected
  double p_value = 1;   // two-sided
  double estimate = 0;  // Hodges-Lehmann: median of experiment[j] - control[i]
  double ci_low = 0;    // confidence interval of the shift
  double ci_high = 0;
  double cles = 0.5;  // common-language effect size: P(experiment > control) + P(=)/2
};

// Requires at least one value on each side; NaN values must be removed before.
MannWhitney mann_whitney(const std::vector<double>& control, const std::vector<double>& experiment,
                         double confidence);

// The standard normal quantile function, Φ⁻¹(p), for 0 < p < 1.
double normal_quantile(double p);

}  // namespace tollgate::slo
