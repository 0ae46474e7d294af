#include "load/arrivals.h"

#include <gtest/gtest.h>

namespace tollgate::load {
namespace {

std::vector<int64_t> all_arrivals(ArrivalSchedule s) {
  std::vector<int64_t> out;
  while (!s.done()) {
    out.push_back(s.next_ns());
    s.pop();
  }
  return out;
}

TEST(ArrivalSchedule, ConstantRateIsEvenlySpaced) {
  auto times = all_arrivals(ArrivalSchedule({{4, 1'000'000}}, 1000));
  EXPECT_EQ(times, (std::vector<int64_t>{1000, 250'001'000, 500'001'000, 750'001'000}));
}

TEST(ArrivalSchedule, StagesFollowEachOther) {
  auto times = all_arrivals(ArrivalSchedule({{2, 1'000'000}, {3, 1'000'000}}, 0));
  EXPECT_EQ(times,
            (std::vector<int64_t>{0, 500'000'000, 1'000'000'000, 1'333'333'333, 1'666'666'666}));
}

TEST(ArrivalSchedule, NoDriftOverALongRun) {
  ArrivalSchedule s({{3, 3'600'000'000}}, 0);  // an hour at 3 per second
  uint64_t n = 0;
  int64_t last = 0;
  while (!s.done()) {
    last = s.next_ns();
    s.pop();
    ++n;
  }
  EXPECT_EQ(n, 10'800u);
  EXPECT_NEAR(static_cast<double>(last), 3'600e9 - 1e9 / 3, 1);
}

TEST(ArrivalSchedule, StopEndsIt) {
  ArrivalSchedule s({{10, 1'000'000}}, 0);
  s.pop();
  s.stop();
  EXPECT_TRUE(s.done());
  EXPECT_EQ(s.next_ns(), std::numeric_limits<int64_t>::max());
}

}  // namespace
}  // namespace tollgate::load
