#include "runner/coverage.h"

#include <gtest/gtest.h>

namespace tollgate::runner {
namespace {

// The cases of GitLab's own spec of Trace::Stream#extract_coverage.
TEST(ExtractCoverage, TheFirstNumberOfTheMatch) {
  EXPECT_EQ(
      extract_coverage("Coverage 1033 / 1051 LOC (98.29%) covered\n", R"(\(\d+.\d+\%\) covered)"),
      98.29);
  EXPECT_EQ(extract_coverage("95.0 ゴッドファット\n", R"(\d+\.\d+ ゴッドファット)"), 95.0);
}

TEST(ExtractCoverage, NoMatchIsNoFigure) {
  EXPECT_FALSE(extract_coverage("Coverage 1033 / 1051 LOC (98.29%) covered\n", "very covered"));
  EXPECT_FALSE(extract_coverage("No coverage for today :sad:", R"(\(\d+.\d+\%\) covered)"));
  EXPECT_FALSE(extract_coverage("TOTAL 65%\n", ""));
}

TEST(ExtractCoverage, TheLastLineThatMatchesWins) {
  EXPECT_EQ(extract_coverage("(98.39%) covered\n(98.29%) covered\n", R"(\(\d+.\d+\%\) covered)"),
            98.29);
}

TEST(ExtractCoverage, ACaptureGroupNarrowsTheMatch) {
  EXPECT_EQ(extract_coverage("TOTAL      9926   3489    65%", R"(TOTAL\s+\d+\s+\d+\s+(\d{1,3}\%))"),
            65);
}

TEST(ExtractCoverage, AnchorsHoldForEachLine) {
  EXPECT_EQ(extract_coverage("\n65%\n", R"(^(\d+)\%$)"), 65);
}

TEST(ExtractCoverage, TheKeywordsSlashesAreNotPartOfThePattern) {
  EXPECT_EQ(extract_coverage("Lines: 71.4%\nlater output\n", R"(/Lines:\s*(\d+\.?\d*)%/)"), 71.4);
}

// Of several matches on one line the last; of several groups the last, as GitLab flattens
// what RE2's scan gives.
TEST(ExtractCoverage, TheLastMatchOnALineAndItsLastGroup) {
  EXPECT_EQ(extract_coverage("unit 50% integration 75%", R"((\d+)%)"), 75);
  EXPECT_EQ(extract_coverage("lines 10% branches 20%", R"(lines (\d+)% branches (\d+)%)"), 20);
}

// A line whose match holds no number gives nothing and the search goes on upwards.
TEST(ExtractCoverage, AMatchWithoutANumberIsPassedOver) {
  EXPECT_EQ(extract_coverage("coverage: 80.5%\ncoverage: n/a\n", R"(coverage: \S+)"), 80.5);
}

TEST(ExtractCoverage, AnInvalidPatternGivesNoFigure) {
  EXPECT_FALSE(extract_coverage("coverage 80%", "(unclosed"));
}

}  // namespace
}  // namespace tollgate::runner
