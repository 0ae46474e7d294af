#include "slo/mann_whitney.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "slo/baseline.h"

namespace tollgate::slo {
namespace {

// ClickHouse's mannWhitneyUTest regression data (tests/queries/0_stateless/01560_mann_whitney):
// two-sided with continuity correction, p = 0.5426959774289482 (U = 223 for the second group).
TEST(MannWhitney, MatchesAPublishedTwoSidedPValue) {
  std::vector<double> a = {310, 195, 530, 155, 530, 245, 385, 450, 465, 545,
                           170, 180, 125, 180, 230, 75,  430, 480, 495, 295};
  std::vector<double> b = {116, 171, 176, 421, 111, 326, 481, 111, 346, 441,
                           261, 411, 206, 521, 456, 446, 296, 51,  426, 261};
  MannWhitney r = mann_whitney(a, b, 0.95);
  EXPECT_EQ(r.n_control, 20u);
  EXPECT_DOUBLE_EQ(std::min(r.u, 400 - r.u), 177);
  EXPECT_NEAR(r.p_value, 0.5426959774289482, 1e-12);
  EXPECT_NEAR(r.cles, r.u / 400.0, 1e-15);
}

TEST(MannWhitney, HodgesLehmannEstimatesAPureShift) {
  std::vector<double> control = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  std::vector<double> experiment;
  for (double x : control)
    experiment.push_back(x + 5);
  MannWhitney r = mann_whitney(control, experiment, 0.98);
  EXPECT_DOUBLE_EQ(r.estimate, 5);
  EXPECT_LE(r.ci_low, 5);
  EXPECT_GE(r.ci_high, 5);
}

TEST(MannWhitney, SeparatedSamplesHaveTheWholeRangeAsInterval) {
  // With 3 values a side the critical rank is below zero: the interval spans every difference.
  MannWhitney r = mann_whitney({1, 2, 3}, {11, 12, 13}, 0.98);
  EXPECT_DOUBLE_EQ(r.estimate, 10);
  EXPECT_DOUBLE_EQ(r.ci_low, 8);
  EXPECT_DOUBLE_EQ(r.ci_high, 12);
  EXPECT_DOUBLE_EQ(r.u, 9);
  EXPECT_DOUBLE_EQ(r.cles, 1);
}

TEST(MannWhitney, IdenticalSamplesShowNoDifference) {
  MannWhitney r = mann_whitney({5, 5, 5, 5}, {5, 5, 5}, 0.98);
  EXPECT_EQ(r.p_value, 1);
  EXPECT_EQ(r.estimate, 0);
  EXPECT_EQ(r.cles, 0.5);
}

TEST(NormalQuantile, KnownValues) {
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-12);
  EXPECT_NEAR(normal_quantile(0.99), 2.326347874040841, 1e-12);
  EXPECT_NEAR(normal_quantile(0.5), 0, 1e-15);
}

// Deterministic noise in [-5, 5): the same "latency" shape on both sides.
std::vector<double> latencies(double centre, int n, unsigned seed) {
  std::vector<double> v;
  unsigned x = seed;
  for (int i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    v.push_back(centre + static_cast<double>((x >> 16) % 1000) / 100.0 - 5.0);
  }
  return v;
}

TEST(Baseline, ARealIncreaseIsHigh) {
  Objective o;
  o.sli = "latency";
  BaselineOptions options;
  BaselineMetric m = judge_metric(o, latencies(100, 60, 1), latencies(120, 60, 2), options);
  EXPECT_EQ(m.judgement, Judgement::High);
  EXPECT_TRUE(m.failed);
  EXPECT_NEAR(m.test.estimate, 20, 2);
  EXPECT_GT(m.mean_ratio, 1.15);
  // An increase is allowed when only a decrease is bad.
  o.direction = Direction::Decrease;
  m = judge_metric(o, latencies(100, 60, 1), latencies(120, 60, 2), options);
  EXPECT_EQ(m.judgement, Judgement::High);
  EXPECT_FALSE(m.failed);
}

TEST(Baseline, ADecreaseIsLow) {
  Objective o;
  o.direction = Direction::Increase;
  BaselineMetric m = judge_metric(o, latencies(100, 60, 1), latencies(80, 60, 2), {});
  EXPECT_EQ(m.judgement, Judgement::Low);
  EXPECT_FALSE(m.failed);
  o.direction = Direction::Either;
  EXPECT_TRUE(judge_metric(o, latencies(100, 60, 1), latencies(80, 60, 2), {}).failed);
}

TEST(Baseline, NoiseAloneIsAPass) {
  Objective o;
  BaselineMetric m = judge_metric(o, latencies(100, 60, 1), latencies(100, 60, 2), {});
  EXPECT_EQ(m.judgement, Judgement::Pass);
  EXPECT_FALSE(m.failed);
  EXPECT_GT(m.test.p_value, 0.02);
}

TEST(Baseline, TooFewSamplesFailClosed) {
  Objective o;
  BaselineMetric m = judge_metric(o, {1, 2}, {1, 2, 3}, {});
  EXPECT_EQ(m.judgement, Judgement::NoData);
  EXPECT_TRUE(m.failed);
  m = judge_metric(o, {NAN, NAN, NAN, 1}, {1, 2, 3}, {});
  EXPECT_EQ(m.judgement, Judgement::NoData);
}

}  // namespace
}  // namespace tollgate::slo

namespace tollgate::slo {
namespace {

TEST(Baseline, SingleValuesAreNotComparedButNothingComparedIsAnError) {
  SloFile slo;
  slo.objectives = {Objective{.sli = "instant"}, Objective{.sli = "range"}};
  MeasuredSamples before = {{"instant", {5}}, {"range", {1, 2, 3, 4}}};
  MeasuredSamples after = {{"instant", {9}}, {"range", {1, 2, 3, 4}}};
  BaselineReport r = judge_baseline(slo, before, after, {});
  EXPECT_EQ(r.metrics[0].judgement, Judgement::Skipped);
  EXPECT_FALSE(r.metrics[0].failed);
  EXPECT_EQ(r.metrics[1].judgement, Judgement::Pass);
  EXPECT_FALSE(r.failed());
  slo.objectives.pop_back();
  EXPECT_THROW(judge_baseline(slo, before, after, {}), Error);
  // No data on one side is not "one value each": it fails.
  slo.objectives = {Objective{.sli = "instant"}, Objective{.sli = "range"}};
  after.erase("instant");
  r = judge_baseline(slo, before, after, {});
  EXPECT_EQ(r.metrics[0].judgement, Judgement::NoData);
  EXPECT_TRUE(r.failed());
}

}  // namespace
}  // namespace tollgate::slo
