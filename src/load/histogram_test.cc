#include "load/histogram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "util/error.h"

namespace tollgate::load {
namespace {

// The relative error the 3-significant-digit layout promises.
void expect_close(int64_t actual, double expected) {
  EXPECT_LE(std::abs(static_cast<double>(actual) - expected), expected * 0.001 + 1)
      << "actual " << actual << " expected " << expected;
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (int v = 0; v < 2048; ++v)
    h.record(v);
  EXPECT_EQ(h.count(), 2048u);
  EXPECT_EQ(h.min_us(), 0);
  EXPECT_EQ(h.max_us(), 2047);
  EXPECT_EQ(h.percentile_us(50), 1023);
  EXPECT_EQ(h.percentile_us(100), 2047);
  EXPECT_DOUBLE_EQ(h.mean_us(), 1023.5);
}

TEST(Histogram, BucketsCoverEveryValueWithinThreeDigits) {
  for (int64_t v : std::vector<int64_t>{1, 999, 2048, 4095, 123456, 999'999, 59'999'999,
                                        Histogram::kHighestUs}) {
    size_t i = Histogram::index_of(v);
    EXPECT_LE(Histogram::lowest_equivalent(i), v);
    EXPECT_GE(Histogram::highest_equivalent(i), v);
    double width =
        static_cast<double>(Histogram::highest_equivalent(i) - Histogram::lowest_equivalent(i) + 1);
    // Below 2048 every microsecond has its own bucket; above, buckets are within 0.1%.
    EXPECT_TRUE(width == 1 || width / static_cast<double>(v) <= 0.001) << v;
  }
}

TEST(Histogram, UniformDistributionPercentiles) {
  Histogram h;
  for (int64_t v = 1; v <= 1'000'000; ++v)
    h.record(v);
  expect_close(h.percentile_us(50), 500'000);
  expect_close(h.percentile_us(90), 900'000);
  expect_close(h.percentile_us(99), 990'000);
  expect_close(h.percentile_us(99.9), 999'000);
  EXPECT_EQ(h.percentile_us(100), 1'000'000);
  EXPECT_EQ(h.min_us(), 1);
  EXPECT_NEAR(h.mean_us(), 500'000.5, 0.01);
}

TEST(Histogram, BimodalDistributionShowsTheTail) {
  // 99% fast at 1 ms, 1% stalled at 2 s: p99 is still fast, p99.5 is the stall.
  Histogram h;
  h.record_n(1000, 9900);
  h.record_n(2'000'000, 100);
  expect_close(h.percentile_us(99), 1000);
  expect_close(h.percentile_us(99.5), 2'000'000);
  EXPECT_EQ(h.max_us(), 2'000'000);
}

TEST(Histogram, ExponentialDistributionMatchesSortedSamples) {
  std::mt19937_64 rng(42);
  std::exponential_distribution<double> dist(1.0 / 20'000);  // mean 20 ms
  std::vector<int64_t> samples;
  Histogram h;
  for (int i = 0; i < 200'000; ++i) {
    auto v = static_cast<int64_t>(dist(rng)) + 1;
    samples.push_back(v);
    h.record(v);
  }
  std::sort(samples.begin(), samples.end());
  for (double p : {50.0, 90.0, 95.0, 99.0, 99.9}) {
    auto rank = static_cast<size_t>(std::ceil(p / 100 * samples.size())) - 1;
    expect_close(h.percentile_us(p), static_cast<double>(samples[rank]));
  }
}

TEST(Histogram, MergeEqualsRecordingEverythingInOne) {
  Histogram a, b, all;
  for (int64_t v = 1; v < 100'000; v += 7) {
    (v % 2 ? a : b).record(v * 3);
    all.record(v * 3);
  }
  a.merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min_us(), all.min_us());
  EXPECT_EQ(a.max_us(), all.max_us());
  EXPECT_DOUBLE_EQ(a.mean_us(), all.mean_us());
  for (double p : {1.0, 50.0, 99.0, 99.99})
    EXPECT_EQ(a.percentile_us(p), all.percentile_us(p));
}

TEST(Histogram, ValuesAboveAnHourAreClampedAndCounted) {
  Histogram h;
  h.record(Histogram::kHighestUs * 2);
  EXPECT_EQ(h.clamped(), 1u);
  EXPECT_EQ(h.max_us(), Histogram::kHighestUs);
}

TEST(Histogram, JsonRoundTripKeepsEveryFigure) {
  Histogram h;
  for (int64_t v = 5; v < 5'000'000; v = v * 3 / 2 + 1)
    h.record(v);
  Histogram back = Histogram::from_json(h.to_json(), "test");
  EXPECT_EQ(back.count(), h.count());
  EXPECT_EQ(back.min_us(), h.min_us());
  EXPECT_EQ(back.max_us(), h.max_us());
  EXPECT_DOUBLE_EQ(back.mean_us(), h.mean_us());
  EXPECT_EQ(back.percentile_us(95), h.percentile_us(95));
}

TEST(Histogram, MalformedJsonIsAnError) {
  EXPECT_THROW(Histogram::from_json(nlohmann::json::parse(R"({"v": [[1]]})"), "x"), Error);
  EXPECT_THROW(Histogram::from_json(nlohmann::json::parse(R"([])"), "x"), Error);
  EXPECT_THROW(Histogram::from_json(nlohmann::json::parse(R"({"v": [[-5, 1]], "min_us": 0,
    "max_us": 0, "sum_us": 0})"),
                                    "x"),
               Error);
}

TEST(SparseHistogram, KeepsEveryFigureAndMergesLikeTheDenseOne) {
  Histogram a, b, all;
  for (int64_t v = 100; v < 90'000; v += 13) {
    (v % 3 ? a : b).record(v);
    all.record(v);
  }
  SparseHistogram sparse(a);
  sparse.merge(SparseHistogram(b));
  Histogram back = sparse.dense();
  EXPECT_EQ(back.count(), all.count());
  EXPECT_EQ(back.min_us(), all.min_us());
  EXPECT_EQ(back.max_us(), all.max_us());
  for (double p : {10.0, 50.0, 99.0})
    EXPECT_EQ(back.percentile_us(p), all.percentile_us(p));
}

TEST(Histogram, EmptyHistogramReportsZeros) {
  Histogram h;
  EXPECT_EQ(h.percentile_us(99), 0);
  EXPECT_EQ(h.mean_us(), 0);
}

}  // namespace
}  // namespace tollgate::load
