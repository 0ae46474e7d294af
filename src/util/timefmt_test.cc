#include "util/timefmt.h"

#include <gtest/gtest.h>

namespace tollgate::timefmt {
namespace {

using std::chrono::milliseconds;

TEST(Duration, GitLabTimeoutForms) {
  EXPECT_EQ(parse_duration("3h 30m"), milliseconds(12'600'000));
  EXPECT_EQ(parse_duration("3 hours 30 minutes"), milliseconds(12'600'000));
  EXPECT_EQ(parse_duration("90"), milliseconds(90'000));
  EXPECT_EQ(parse_duration("2 seconds"), milliseconds(2'000));
  EXPECT_EQ(parse_duration("1.5h"), milliseconds(5'400'000));
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(parse_duration("1 day"), milliseconds(86'400'000));
  EXPECT_FALSE(parse_duration("soon"));
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("5 parsecs"));
}

// gitlab-runner reads RUNNER_SCRIPT_TIMEOUT with Go's time.ParseDuration: units are required and
// spaces are not allowed, unlike GitLab's `timeout:`.
TEST(Duration, GoFormsAsGitLabRunnerReadsThem) {
  EXPECT_EQ(parse_go_duration("1h30m"), milliseconds(5'400'000));
  EXPECT_EQ(parse_go_duration("1.5s"), milliseconds(1'500));
  EXPECT_EQ(parse_go_duration("300ms"), milliseconds(300));
  EXPECT_EQ(parse_go_duration("2m3.5s"), milliseconds(123'500));  // 120 s + 3.5 s
  EXPECT_EQ(parse_go_duration("-10m"), milliseconds(-600'000));
  EXPECT_EQ(parse_go_duration("+5s"), milliseconds(5'000));
  EXPECT_EQ(parse_go_duration("0"), milliseconds(0));
  EXPECT_EQ(parse_go_duration("1500us"), milliseconds(1));  // 1.5 ms, rounded down
  EXPECT_FALSE(parse_go_duration("90"));                    // no unit
  EXPECT_FALSE(parse_go_duration("1h 30m"));                // a space
  EXPECT_FALSE(parse_go_duration("5 minutes"));
  EXPECT_FALSE(parse_go_duration("1d"));  // Go has no days
  EXPECT_FALSE(parse_go_duration(""));
  EXPECT_FALSE(parse_go_duration("."));
  EXPECT_FALSE(parse_go_duration("1..5s"));
}

TEST(Iso8601, RoundTripAndOffsets) {
  auto t = parse_iso8601("2026-11-26T18:29:47.123Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(iso8601(*t), "2026-11-26T18:29:47.123Z");
  auto shifted = parse_iso8601("2026-11-26T20:29:47.123+02:00");
  ASSERT_TRUE(shifted);
  EXPECT_EQ(iso8601(*shifted), "2026-11-26T18:29:47.123Z");
  EXPECT_EQ(iso8601(*parse_iso8601("2026-02-01")), "2026-02-01T00:00:00.000Z");
  EXPECT_FALSE(parse_iso8601("2026-13-01"));
  EXPECT_FALSE(parse_iso8601("yesterday"));
}

TEST(Iso8601, DatesTheClockCannotHoldAndNegativeFieldsAreRefused) {
  EXPECT_FALSE(parse_iso8601("4048-07-01T00:00:00+03:00"));
  EXPECT_FALSE(parse_iso8601("1000-01-01"));
  auto late = parse_iso8601("2261-01-01T00:00:00Z");
  ASSERT_TRUE(late);
  EXPECT_EQ(iso8601(*late), "2261-01-01T00:00:00.000Z");
  auto epoch = parse_iso8601("1970-01-01T00:00:00Z");
  ASSERT_TRUE(epoch);
  EXPECT_EQ(iso8601(*epoch), "1970-01-01T00:00:00.000Z");
  EXPECT_FALSE(parse_iso8601("2026-01-01T-1:00:00Z"));
  EXPECT_FALSE(parse_iso8601("2026-01-01T00:00:00+-1:00"));
}

TEST(Duration, Formatting) {
  EXPECT_EQ(format_duration(0.42), "420ms");
  EXPECT_EQ(format_duration(4.25), "4.2s");
  EXPECT_EQ(format_duration(185), "3m05s");
  EXPECT_EQ(format_duration(3720), "1h02m");
}

}  // namespace
}  // namespace tollgate::timefmt

#include "util/hash.h"

namespace tollgate::hash {
namespace {
TEST(Hash, Sha256KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
}  // namespace
}  // namespace tollgate::hash
