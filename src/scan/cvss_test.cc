#include "scan/cvss.h"

#include <gtest/gtest.h>

namespace tollgate::scan {
namespace {

using verdict::Severity;

TEST(Cvss3, ComputesBaseScoresAsTheSpecificationDoes) {
  // Scores as NVD publishes them for these vectors.
  struct {
    const char* vector;
    double score;
  } cases[] = {
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
      {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8},
      {"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", 5.5},
      {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N", 3.7},
      {"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.1},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 5.3},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},
      {"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9},
      {"CVSS:3.0/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2},
      {"CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6},
      {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0},
  };
  for (const auto& c : cases) {
    auto score = cvss3_base_score(c.vector);
    ASSERT_TRUE(score) << c.vector;
    EXPECT_DOUBLE_EQ(*score, c.score) << c.vector;
  }
}

TEST(Cvss3, RefusesIncompleteOrForeignVectors) {
  EXPECT_FALSE(cvss3_base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H"));
  EXPECT_FALSE(cvss3_base_score("AV:N/AC:L/Au:N/C:P/I:P/A:P"));
  EXPECT_FALSE(cvss3_base_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"));
  EXPECT_FALSE(cvss3_base_score("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"));
}

TEST(Cvss3, RatesScoresInTheSpecificationsBands) {
  EXPECT_EQ(cvss3_rating(9.0), Severity::Critical);
  EXPECT_EQ(cvss3_rating(8.9), Severity::High);
  EXPECT_EQ(cvss3_rating(7.0), Severity::High);
  EXPECT_EQ(cvss3_rating(6.9), Severity::Medium);
  EXPECT_EQ(cvss3_rating(4.0), Severity::Medium);
  EXPECT_EQ(cvss3_rating(3.9), Severity::Low);
  EXPECT_EQ(cvss3_rating(0.1), Severity::Low);
  EXPECT_EQ(cvss3_rating(0.0), Severity::Info);
}

}  // namespace
}  // namespace tollgate::scan
