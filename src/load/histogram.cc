#include "load/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "util/error.h"

namespace tollgate::load {
namespace {

// 3 significant digits need 2 * 10^3 distinct values per power of two: 2048 sub-buckets, of
// which the upper half is new in each bucket after the first (the lower half repeats the
// previous bucket's range at twice the resolution).
constexpr int kSubBucketBits = 11;
constexpr int kHalfBits = kSubBucketBits - 1;
constexpr int64_t kSubBucketCount = int64_t{1} << kSubBucketBits;
constexpr int64_t kHalfCount = kSubBucketCount / 2;
constexpr uint64_t kSubBucketMask = kSubBucketCount - 1;

constexpr int64_t power_of_ten(int n) {
  return n == 0 ? 1 : 10 * power_of_ten(n - 1);
}
// The sub-bucket count is the smallest power of two that holds the significant digits.
static_assert(kSubBucketCount >= 2 * power_of_ten(Histogram::kSignificantDigits) &&
              kHalfCount < 2 * power_of_ten(Histogram::kSignificantDigits));

constexpr int bucket_count() {
  int buckets = 1;
  int64_t smallest_untrackable = kSubBucketCount;
  while (smallest_untrackable <= Histogram::kHighestUs) {
    smallest_untrackable <<= 1;
    ++buckets;
  }
  return buckets;
}

constexpr size_t kCountsLength = static_cast<size_t>((bucket_count() + 1) * kHalfCount);

}  // namespace

Histogram::Histogram() : counts_(kCountsLength, 0) {}

nlohmann::json Histogram::settings_json() {
  return {{"lowest_us", kLowestUs},
          {"highest_us", kHighestUs},
          {"significant_digits", kSignificantDigits}};
}

size_t Histogram::index_of(int64_t us) {
  uint64_t v = static_cast<uint64_t>(std::clamp<int64_t>(us, 0, kHighestUs));
  int bucket = 64 - std::countl_zero(v | kSubBucketMask) - kSubBucketBits;
  int64_t sub = static_cast<int64_t>(v >> bucket);
  return static_cast<size_t>(((bucket + 1) << kHalfBits) + (sub - kHalfCount));
}

int64_t Histogram::lowest_equivalent(size_t index) {
  int bucket = static_cast<int>(index >> kHalfBits) - 1;
  int64_t sub = static_cast<int64_t>(index & (kHalfCount - 1)) + kHalfCount;
  if (bucket < 0) {
    sub -= kHalfCount;
    bucket = 0;
  }
  return sub << bucket;
}

int64_t Histogram::highest_equivalent(size_t index) {
  int bucket = std::max(0, static_cast<int>(index >> kHalfBits) - 1);
  return lowest_equivalent(index) + (int64_t{1} << bucket) - 1;
}

void Histogram::record_n(int64_t us, uint64_t n) {
  if (n == 0) return;
  if (us < 0) us = 0;
  if (us > kHighestUs) {
    us = kHighestUs;
    clamped_ += n;
  }
  counts_[index_of(us)] += n;
  if (total_ == 0 || us < min_) min_ = us;
  if (total_ == 0 || us > max_) max_ = us;
  total_ += n;
  sum_ += static_cast<double>(us) * static_cast<double>(n);
}

void Histogram::merge(const Histogram& other) {
  if (other.total_ == 0) return;
  for (size_t i = 0; i < counts_.size(); ++i)
    counts_[i] += other.counts_[i];
  if (total_ == 0 || other.min_ < min_) min_ = other.min_;
  if (total_ == 0 || other.max_ > max_) max_ = other.max_;
  total_ += other.total_;
  clamped_ += other.clamped_;
  sum_ += other.sum_;
}

void Histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = clamped_ = 0;
  min_ = max_ = 0;
  sum_ = 0;
}

int64_t Histogram::percentile_us(double percentile) const {
  if (total_ == 0) return 0;
  percentile = std::clamp(percentile, 0.0, 100.0);
  // The rank of the sample that `percentile` names, 1-based: p50 of 10 samples is the 5th.
  auto rank = static_cast<uint64_t>(std::ceil(percentile / 100.0 * static_cast<double>(total_)));
  rank = std::clamp<uint64_t>(rank, 1, total_);
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(highest_equivalent(i), min_, max_);
  }
  return max_;
}

nlohmann::json Histogram::to_json() const {
  nlohmann::json values = nlohmann::json::array();
  for (size_t i = 0; i < counts_.size(); ++i)
    if (counts_[i]) values.push_back({lowest_equivalent(i), counts_[i]});
  return {{"v", std::move(values)},
          {"min_us", min_us()},
          {"max_us", max_us()},
          {"sum_us", sum_},
          {"clamped", clamped_}};
}

Histogram Histogram::from_json(const nlohmann::json& j, const std::string& what) {
  auto bad = [&](const std::string& why) { return Error(what + ": malformed histogram: " + why); };
  if (!j.is_object() || !j.contains("v") || !j["v"].is_array()) throw bad("no \"v\" list");
  Histogram h;
  for (const auto& pair : j["v"]) {
    if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_integer() ||
        !pair[1].is_number_unsigned())
      throw bad("each entry must be [value_us, count]");
    int64_t value = pair[0].get<int64_t>();
    if (value < 0 || value > kHighestUs) throw bad("value out of range");
    size_t index = index_of(value);
    uint64_t n = pair[1].get<uint64_t>();
    h.counts_[index] += n;
    h.total_ += n;
  }
  if (h.total_ == 0) return h;
  auto number = [&](const char* key) {
    if (!j.contains(key) || !j[key].is_number()) throw bad(std::string("no \"") + key + "\"");
    return j[key];
  };
  h.min_ = number("min_us").get<int64_t>();
  h.max_ = number("max_us").get<int64_t>();
  h.sum_ = number("sum_us").get<double>();
  if (j.contains("clamped") && j["clamped"].is_number_unsigned())
    h.clamped_ = j["clamped"].get<uint64_t>();
  if (h.min_ > h.max_) throw bad("min_us above max_us");
  return h;
}

SparseHistogram::SparseHistogram(const Histogram& h)
    : total_(h.total_), clamped_(h.clamped_), min_(h.min_), max_(h.max_), sum_(h.sum_) {
  if (total_ == 0) return;
  for (size_t i = 0; i < h.counts_.size(); ++i)
    if (h.counts_[i]) buckets_.emplace_back(static_cast<uint32_t>(i), h.counts_[i]);
}

void SparseHistogram::merge(const SparseHistogram& other) {
  if (other.total_ == 0) return;
  std::vector<std::pair<uint32_t, uint64_t>> out;
  out.reserve(buckets_.size() + other.buckets_.size());
  size_t a = 0, b = 0;
  while (a < buckets_.size() || b < other.buckets_.size()) {
    if (b == other.buckets_.size() ||
        (a < buckets_.size() && buckets_[a].first < other.buckets_[b].first)) {
      out.push_back(buckets_[a++]);
    } else if (a == buckets_.size() || other.buckets_[b].first < buckets_[a].first) {
      out.push_back(other.buckets_[b++]);
    } else {
      out.emplace_back(buckets_[a].first, buckets_[a].second + other.buckets_[b].second);
      ++a;
      ++b;
    }
  }
  buckets_ = std::move(out);
  if (total_ == 0 || other.min_ < min_) min_ = other.min_;
  if (total_ == 0 || other.max_ > max_) max_ = other.max_;
  total_ += other.total_;
  clamped_ += other.clamped_;
  sum_ += other.sum_;
}

Histogram SparseHistogram::dense() const {
  Histogram h;
  for (const auto& [index, n] : buckets_)
    h.counts_[index] = n;
  h.total_ = total_;
  h.clamped_ = clamped_;
  h.min_ = min_;
  h.max_ = max_;
  h.sum_ = sum_;
  return h;
}

}  // namespace tollgate::load
