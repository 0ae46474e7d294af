#include "slo/scoring.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace tollgate::slo {
namespace {

SloFile slo(std::string_view text) {
  return parse_slo(yaml::load(text, "slo.yaml"), "slo.yaml");
}

std::map<std::string, SliValue> values(std::map<std::string, double> v) {
  std::map<std::string, SliValue> out;
  for (const auto& [k, x] : v)
    out[k] = SliValue{x, "q_" + k, ""};
  return out;
}

const char* kTwoObjectives = R"(
objectives:
  - sli: response_time_p95
    pass:
      - criteria: ["<600"]
    warning:
      - criteria: ["<=800"]
  - sli: error_rate
    weight: 2
    pass:
      - criteria: ["<=0.01"]
total_score:
  pass: "90%"
  warning: "75%"
)";

TEST(Scoring, AllPassing) {
  Evaluation e =
      evaluate(slo(kTwoObjectives), values({{"response_time_p95", 500}, {"error_rate", 0}}), {});
  EXPECT_EQ(e.result, Result::Pass);
  EXPECT_EQ(e.score, 3);
  EXPECT_EQ(e.max_score, 3);
  EXPECT_EQ(e.percent, 100);
  EXPECT_EQ(e.objectives[0].result, Result::Pass);
  EXPECT_EQ(e.objectives[1].score, 2);
}

TEST(Scoring, WarningIsHalfTheWeight) {
  Evaluation e =
      evaluate(slo(kTwoObjectives), values({{"response_time_p95", 700}, {"error_rate", 0}}), {});
  EXPECT_EQ(e.objectives[0].result, Result::Warning);
  EXPECT_EQ(e.objectives[0].score, 0.5);
  // 2.5 of 3 = 83.3%: below pass 90, above warning 75.
  EXPECT_NEAR(e.percent, 250.0 / 3, 1e-9);
  EXPECT_EQ(e.result, Result::Warning);
}

TEST(Scoring, WeightsDecideTheTotal) {
  // error_rate (weight 2) fails: 1 of 3 = 33% -> fail.
  Evaluation e =
      evaluate(slo(kTwoObjectives), values({{"response_time_p95", 100}, {"error_rate", 0.5}}), {});
  EXPECT_EQ(e.objectives[1].result, Result::Fail);
  EXPECT_NEAR(e.percent, 100.0 / 3, 1e-9);
  EXPECT_EQ(e.result, Result::Fail);
  // response time fails instead: 2 of 3 = 66.7% -> still fail (warning is 75).
  e = evaluate(slo(kTwoObjectives), values({{"response_time_p95", 900}, {"error_rate", 0}}), {});
  EXPECT_NEAR(e.percent, 200.0 / 3, 1e-9);
  EXPECT_EQ(e.result, Result::Fail);
}

TEST(Scoring, ThresholdEqualityPasses) {
  SloFile f = slo(R"(
objectives:
  - {sli: a, pass: [{criteria: ["<=1"]}]}
  - {sli: b, pass: [{criteria: ["<=1"]}]}
  - {sli: c, pass: [{criteria: ["<=1"]}], warning: [{criteria: ["<=2"]}]}
total_score: {pass: "83.33333333333334%", warning: 50%}
)");
  // 2.5 / 3 = 83.333...%: equal to the pass threshold up to float noise.
  Evaluation e = evaluate(f, values({{"a", 1}, {"b", 1}, {"c", 2}}), {});
  EXPECT_EQ(e.result, Result::Pass);
}

TEST(Scoring, KeySliFailureOverridesTheScore) {
  SloFile f = slo(R"(
objectives:
  - {sli: a, weight: 10, pass: [{criteria: ["<=1"]}]}
  - {sli: b, key_sli: true, pass: [{criteria: ["<=1"]}]}
total_score: {pass: "50%", warning: "10%"}
)");
  Evaluation e = evaluate(f, values({{"a", 1}, {"b", 5}}), {});
  EXPECT_NEAR(e.percent, 1000.0 / 11, 1e-9);  // would pass on score alone
  EXPECT_TRUE(e.key_failed);
  EXPECT_TRUE(e.objectives[1].key_failed);
  EXPECT_EQ(e.result, Result::Fail);  // not even warning
  EXPECT_NE(e.reason.find("key SLI failed: b"), std::string::npos) << e.reason;
}

TEST(Scoring, KeySliInWarningIsNotAKeyFailure) {
  SloFile f = slo(R"(
objectives:
  - {sli: b, key_sli: true, pass: [{criteria: ["<=1"]}], warning: [{criteria: ["<=5"]}]}
total_score: {pass: "90%", warning: "50%"}
)");
  Evaluation e = evaluate(f, values({{"b", 5}}), {});
  EXPECT_FALSE(e.key_failed);
  EXPECT_EQ(e.result, Result::Warning);
}

TEST(Scoring, CriteriaInOneListAreAndedAcrossListsOred) {
  SloFile f = slo(R"(
objectives:
  - sli: rt
    pass:
      - criteria: ["<=+10%", "<600"]
      - criteria: ["<200"]
total_score: {pass: "90%"}
)");
  PreviousValues prev = {{"rt", {500}}};
  // 540 is within +10% of 500 and below 600: first set holds.
  EXPECT_EQ(evaluate(f, values({{"rt", 540}}), prev).result, Result::Pass);
  // 560 is below 600 but 12% over history: first set fails, second too -> fail.
  Evaluation e = evaluate(f, values({{"rt", 560}}), prev);
  EXPECT_EQ(e.result, Result::Fail);
  EXPECT_EQ(e.objectives[0].violated.size(), 2u);
  // With a history of 100 the first set fails, but 150 < 200 satisfies the second.
  EXPECT_EQ(evaluate(f, values({{"rt", 150}}), {{"rt", {100}}}).result, Result::Pass);
}

TEST(Scoring, RelativeCriteriaWithoutHistoryPassAndSaySo) {
  SloFile f = slo(R"(
objectives:
  - {sli: rt, pass: [{criteria: ["<=+10%"]}]}
total_score: {pass: "90%"}
)");
  Evaluation e = evaluate(f, values({{"rt", 99999}}), {});
  EXPECT_EQ(e.result, Result::Pass);
  EXPECT_TRUE(e.objectives[0].relative_without_history);
  e = evaluate(f, values({{"rt", 99999}}), {{"rt", {}}});
  EXPECT_EQ(e.result, Result::Pass);
  e = evaluate(f, values({{"rt", 99999}}), {{"rt", {100}}});
  EXPECT_EQ(e.result, Result::Fail);
  EXPECT_FALSE(e.objectives[0].relative_without_history);
  ASSERT_TRUE(e.objectives[0].compared_with);
  EXPECT_EQ(*e.objectives[0].compared_with, 100);
}

TEST(Scoring, RelativeCriteriaUseTheAggregatedHistory) {
  SloFile f = slo(R"(
comparison:
  compare_with: several_results
  number_of_comparison_results: 3
  aggregate_function: p90
objectives:
  - {sli: rt, pass: [{criteria: ["<=+0%"]}]}
total_score: {pass: "90%"}
)");
  // p90 of {100, 200, 300}: pos = 0.9*4 = 3.6 >= n -> the last value, 300.
  EXPECT_EQ(evaluate(f, values({{"rt", 300}}), {{"rt", {100, 300, 200}}}).result, Result::Pass);
  EXPECT_EQ(evaluate(f, values({{"rt", 301}}), {{"rt", {100, 300, 200}}}).result, Result::Fail);
}

TEST(Scoring, MissingValuesAndNaNFail) {
  Evaluation e = evaluate(slo(kTwoObjectives), values({{"response_time_p95", 100}}), {});
  EXPECT_EQ(e.objectives[1].result, Result::Fail);
  EXPECT_FALSE(e.objectives[1].value);
  EXPECT_EQ(e.result, Result::Fail);
  std::map<std::string, SliValue> v = values({{"response_time_p95", 100}});
  v["error_rate"] = SliValue{std::nan(""), "q", ""};
  e = evaluate(slo(kTwoObjectives), v, {});
  EXPECT_EQ(e.objectives[1].result, Result::Fail);
  v["error_rate"] = SliValue{std::nullopt, "rate(x[5m])", "query returned no data"};
  e = evaluate(slo(kTwoObjectives), v, {});
  EXPECT_EQ(e.objectives[1].reason, "query returned no data");
  // Prometheus answers "-Inf" for a ratio over nothing: it meets "<=0.01" as a number, but it
  // measures nothing.
  v["error_rate"] = SliValue{-std::numeric_limits<double>::infinity(), "q", ""};
  e = evaluate(slo(kTwoObjectives), v, {});
  EXPECT_EQ(e.objectives[1].result, Result::Fail);
  EXPECT_EQ(e.objectives[1].reason, "no data (-Inf)");
  EXPECT_EQ(e.result, Result::Fail);
  v["response_time_p95"] = SliValue{std::numeric_limits<double>::infinity(), "q", ""};
  e = evaluate(slo(kTwoObjectives), v, {});
  EXPECT_EQ(e.objectives[0].reason, "no data (+Inf)");
}

TEST(Scoring, InformationalObjectivesAreNotScored) {
  SloFile f = slo(R"(
objectives:
  - {sli: rt, pass: [{criteria: ["<=1"]}]}
  - {sli: throughput}
total_score: {pass: "100%"}
)");
  Evaluation e = evaluate(f, values({{"rt", 1}, {"throughput", 5}}), {});
  EXPECT_EQ(e.objectives[1].result, Result::Info);
  EXPECT_EQ(e.max_score, 1);
  EXPECT_EQ(e.result, Result::Pass);
}

TEST(Scoring, OnlyInformationalObjectivesPassWithFullScore) {
  SloFile f = slo("objectives: [{sli: throughput}]\ntotal_score: {pass: '90%'}\n");
  Evaluation e = evaluate(f, values({{"throughput", 5}}), {});
  EXPECT_EQ(e.percent, 100);
  EXPECT_EQ(e.result, Result::Pass);
}

TEST(Scoring, NoObjectivesFails) {
  Evaluation e = evaluate(slo("total_score: {pass: '90%'}\n"), {}, {});
  EXPECT_EQ(e.result, Result::Fail);
  EXPECT_EQ(e.percent, 0);
}

TEST(Aggregate, KeptnPercentiles) {
  EXPECT_EQ(*aggregate({1, 2, 3, 4}, Aggregate::Avg), 2.5);
  // p50 of 4 values: pos = 2.5 -> 2 + 0.5*(3-2).
  EXPECT_EQ(*aggregate({4, 3, 2, 1}, Aggregate::P50), 2.5);
  // p90 of 10 values 1..10: pos = 9.9 -> 9 + 0.9*(10-9).
  std::vector<double> ten = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  EXPECT_NEAR(*aggregate(ten, Aggregate::P90), 9.9, 1e-12);
  // p95 of 10: pos = 10.45 >= n -> last.
  EXPECT_EQ(*aggregate(ten, Aggregate::P95), 10);
  // One value: pos < 1 or >= n -> that value.
  EXPECT_EQ(*aggregate({7}, Aggregate::P50), 7);
  EXPECT_FALSE(aggregate({}, Aggregate::Avg));
}

}  // namespace
}  // namespace tollgate::slo
