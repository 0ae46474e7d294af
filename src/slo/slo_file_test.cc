#include "slo/slo_file.h"

#include <gtest/gtest.h>

namespace tollgate::slo {
namespace {

SloFile slo(std::string_view text) {
  return parse_slo(yaml::load(text, "slo.yaml"), "slo.yaml");
}

std::string error_of(std::string_view text) {
  try {
    slo(text);
  } catch (const Error& e) {
    return e.message();
  }
  return "no error";
}

TEST(SloFile, ReadsKeptnExample) {
  SloFile f = slo(R"(
spec_version: "1.0"
filter:
  handler: "ItemsController.addToCart"
comparison:
  compare_with: "several_results"
  include_result_with_score: "pass"
  number_of_comparison_results: 5
  aggregate_function: "p90"
objectives:
  - sli: response_time_p95
    displayName: "Response time P95"
    key_sli: true
    weight: 2
    pass:
      - criteria:
          - "<=+10%"
          - "<600"
    warning:
      - criteria:
          - "<=800"
  - sli: throughput
total_score:
  pass: "90%"
  warning: "75%"
)");
  EXPECT_EQ(f.filter.at("handler"), "ItemsController.addToCart");
  EXPECT_EQ(f.comparison.number_of_results, 5);
  EXPECT_EQ(f.comparison.include, IncludeResults::Pass);
  EXPECT_EQ(f.comparison.aggregate, Aggregate::P90);
  ASSERT_EQ(f.objectives.size(), 2u);
  const Objective& o = f.objectives[0];
  EXPECT_EQ(o.display_name, "Response time P95");
  EXPECT_TRUE(o.key_sli);
  EXPECT_EQ(o.weight, 2);
  ASSERT_EQ(o.pass.size(), 1u);
  EXPECT_EQ(o.pass[0].items.size(), 2u);
  EXPECT_TRUE(o.relative());
  EXPECT_EQ(o.where.line, 11);
  EXPECT_TRUE(f.objectives[1].informational());
  EXPECT_EQ(f.objectives[1].weight, 1);
  EXPECT_EQ(f.total_score.pass, 90);
  EXPECT_EQ(*f.total_score.warning, 75);
}

TEST(SloFile, ComparisonDefaults) {
  SloFile none = slo("objectives: []\ntotal_score: {pass: 90}\n");
  EXPECT_EQ(none.comparison.compare_with, "single_result");
  EXPECT_EQ(none.comparison.number_of_results, 1);
  EXPECT_EQ(none.comparison.include, IncludeResults::All);
  // comparison present with empty fields: several results, 3 of them, avg.
  SloFile empty = slo("comparison: {include_result_with_score: pass}\ntotal_score: {pass: 90}\n");
  EXPECT_EQ(empty.comparison.number_of_results, 3);
  EXPECT_EQ(empty.comparison.aggregate, Aggregate::Avg);
  SloFile single =
      slo("comparison: {compare_with: single_result, number_of_comparison_results: 4}\n"
          "total_score: {pass: 90}\n");
  EXPECT_EQ(single.comparison.number_of_results, 1);
}

TEST(SloFile, ZeroWeightCountsAsOne) {
  SloFile f = slo("objectives: [{sli: a, weight: 0}]\ntotal_score: {pass: 90}\n");
  EXPECT_EQ(f.objectives[0].weight, 1);
}

TEST(SloFile, MistakesAreErrorsAtTheirLocation) {
  EXPECT_EQ(error_of("objectives: []\n"),
            "slo.yaml: the SLO file needs total_score.pass (e.g. total_score: {pass: \"90%\"})");
  EXPECT_EQ(error_of("total_score: {pass: 90}\nobjectives:\n  - sli: a\n    key_sl1: true\n"),
            "slo.yaml:4:5: unknown key 'key_sl1' in an objective (did you mean 'key_sli'?)");
  EXPECT_EQ(error_of("total_score: {pass: 90}\nobjectives:\n  - sli: a\n    pass:\n      - "
                     "criteria: [\"<=abc\"]\n"),
            "slo.yaml:5:20: criterion '<=abc': 'abc' is not a number (write an operator <, <=, =, "
            ">=, > and a number, e.g. \"<=600\", \"<=+10%\")");
  EXPECT_EQ(
      error_of("total_score: {pass: 90}\ncomparison:\n  aggregate_function: p99\n"),
      "slo.yaml:3:23: aggregate_function: 'p99' is not one of avg, p50, p90, p95 (did you mean "
      "'p90'?)");
  EXPECT_EQ(error_of("total_score: {pass: 90}\ncomparison:\n  compare_with: last\n").substr(0, 34),
            "slo.yaml:3:17: compare_with: 'last");
  EXPECT_EQ(error_of("total_score: {pass: 90%, warning: 95%}\n"),
            "slo.yaml:1:35: total_score.warning must not be above total_score.pass");
  EXPECT_EQ(error_of("total_score: {pass: 190%}\n"),
            "slo.yaml:1:21: total_score.pass must be between 0% and 100%");
  EXPECT_EQ(error_of("total_score: {pass: 90}\nobjectives:\n  - displayName: x\n"),
            "slo.yaml:3:5: an objective needs 'sli', the name of an indicator in the SLI map");
  EXPECT_EQ(error_of("total_score: {pass: 90}\nobjectives:\n  - sli: a\n    weight: -1\n"),
            "slo.yaml:4:13: weight must not be negative");
  EXPECT_EQ(error_of("- a\n"),
            "slo.yaml: an SLO file must be a mapping with 'objectives' and "
            "'total_score', not a list");
}

}  // namespace
}  // namespace tollgate::slo
