#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace tollgate::load {

// A latency histogram in the HdrHistogram layout: values from 1 us to 1 h kept to 3 significant
// digits (relative error below 0.1%) in constant memory, so percentiles are exact to that
// precision whatever the distribution, and two histograms merge by adding their counts. That is
// what lets threads and separate `--share I/N` processes combine results exactly.
class Histogram {
 public:
  static constexpr int64_t kLowestUs = 1;
  static constexpr int64_t kHighestUs = 3'600'000'000;  // 1 h
  static constexpr int kSignificantDigits = 3;

  // {"lowest_us", "highest_us", "significant_digits"}: histograms merge exactly only when these
  // are equal, so result files carry them.
  static nlohmann::json settings_json();

  Histogram();

  // Records a latency in microseconds; values above 1 h are clamped (and counted as such).
  void record(int64_t us) { record_n(us, 1); }
  void record_n(int64_t us, uint64_t n);
  void merge(const Histogram& other);
  void reset();

  uint64_t count() const { return total_; }
  uint64_t clamped() const { return clamped_; }
  int64_t min_us() const { return total_ ? min_ : 0; }
  int64_t max_us() const { return total_ ? max_ : 0; }
  double mean_us() const { return total_ ? sum_ / static_cast<double>(total_) : 0.0; }
  // The value at or below which `percentile` percent of the samples lie (0..100), reported as
  // the highest value equivalent to that bucket but never above the recorded maximum.
  int64_t percentile_us(double percentile) const;

  // Sparse form for reports and `load merge`: {"v":[[bucket value us, count], ...], "min", "max",
  // "sum_us"}. Only non-empty buckets are written.
  nlohmann::json to_json() const;
  // Throws Error on malformed input (`what` names it in the message).
  static Histogram from_json(const nlohmann::json& j, const std::string& what);

  // Bucket arithmetic, public for tests.
  static size_t index_of(int64_t us);
  static int64_t lowest_equivalent(size_t index);
  static int64_t highest_equivalent(size_t index);

 private:
  friend class SparseHistogram;
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
  uint64_t clamped_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  double sum_ = 0;
};

// A compact copy of a Histogram holding only its non-empty buckets: a run keeps one per second
// for its time series, where a full Histogram (about 180 KiB) per second would not fit an hour.
class SparseHistogram {
 public:
  SparseHistogram() = default;
  explicit SparseHistogram(const Histogram& h);

  void merge(const SparseHistogram& other);
  uint64_t count() const { return total_; }
  // Expands into a full Histogram for percentiles and JSON.
  Histogram dense() const;

 private:
  std::vector<std::pair<uint32_t, uint64_t>> buckets_;  // (index, count), ascending index
  uint64_t total_ = 0;
  uint64_t clamped_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  double sum_ = 0;
};

}  // namespace tollgate::load
