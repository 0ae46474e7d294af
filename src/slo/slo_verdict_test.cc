#include "slo/slo_verdict.h"

#include <gtest/gtest.h>

#include "support/server.h"
#include "util/process.h"
#include "util/term.h"

namespace tollgate::slo {
namespace {

SloFile slo(std::string_view text) {
  return parse_slo(yaml::load(text, "slo.yaml"), "slo.yaml");
}

const char* kSlo = R"(objectives:
  - {sli: rt, displayName: "Response time", pass: [{criteria: ["<100"]}], warning: [{criteria: ["<200"]}]}
  - {sli: errors, key_sli: true, pass: [{criteria: ["<=0.01"]}]}
  - {sli: cpu, pass: [{criteria: ["<=+10%"]}]}
total_score: {pass: "90%", warning: "50%"}
)";

verdict::Verdict verdict_for(const SloFile& f, std::map<std::string, SliValue> values,
                             bool fail_on_warning = false) {
  SloContext c{&f, "test:source", Window{}, HistoryInfo{"k", "h.db", 0, true}, fail_on_warning};
  return make_verdict(c, evaluate(f, values, {}), std::nullopt);
}

TEST(SloVerdict, WarningOpensTheGateUnlessAskedNotTo) {
  term::set_color_mode(term::ColorMode::Never);
  SloFile f = slo(kSlo);
  std::map<std::string, SliValue> values = {
      {"rt", {150, "q_rt"}}, {"errors", {0, "q_e"}}, {"cpu", {50, "q_c"}}};
  verdict::Verdict v = verdict_for(f, values);
  EXPECT_EQ(v.status, verdict::Status::Pass);
  EXPECT_EQ(v.summary["result"], "warning");
  ASSERT_EQ(v.findings.size(), 1u);
  EXPECT_EQ(v.findings[0].id, "slo-warning");
  EXPECT_FALSE(v.findings[0].blocking);
  EXPECT_EQ(v.findings[0].location.line, 2);
  std::string table = render_slo_table(v);
  EXPECT_NE(table.find("slo: WARNING - warning: score 83.3333%"), std::string::npos) << table;
  EXPECT_NE(table.find("no history: relative criteria passed"), std::string::npos) << table;

  v = verdict_for(f, values, true);
  EXPECT_EQ(v.status, verdict::Status::Fail);
  EXPECT_TRUE(v.findings[0].blocking);
  EXPECT_NE(render_slo_table(v).find("slo: FAIL"), std::string::npos);
}

TEST(SloVerdict, KeyFailureAndNoDataAreBlockingFindings) {
  SloFile f = slo(kSlo);
  verdict::Verdict v = verdict_for(
      f,
      {{"rt", {50, "q_rt"}}, {"errors", {std::nullopt, "sum(errors)", "query returned no data"}}});
  EXPECT_EQ(v.status, verdict::Status::Fail);
  ASSERT_EQ(v.findings.size(), 2u);  // errors (key, no data) and cpu (not measured)
  EXPECT_EQ(v.findings[0].id, "slo-no-data");
  EXPECT_EQ(v.findings[0].severity, verdict::Severity::High);
  EXPECT_EQ(v.findings[0].detail, "query returned no data; query: sum(errors)");
  EXPECT_TRUE(v.findings[0].blocking);
  EXPECT_NE(v.reason.find("key SLI failed: errors"), std::string::npos) << v.reason;
  EXPECT_TRUE(v.summary["objectives"][1]["value"].is_null());
}

TEST(SloVerdict, SourceWarningsAndInformationalRowsAreShown) {
  term::set_color_mode(term::ColorMode::Never);
  SloFile f = slo(R"(objectives:
  - {sli: rt, pass: [{criteria: ["<100"]}]}
  - {sli: rps}
total_score: {pass: "90%"}
)");
  SloContext c{&f,       "test:source",
               Window{}, HistoryInfo{"k", "h.db", 0, true},
               false,    {"query 'q_rt': remote read: partial response"}};
  verdict::Verdict v =
      make_verdict(c, evaluate(f, {{"rt", {50, "q_rt"}}, {"rps", {40, "q"}}}, {}), std::nullopt);
  EXPECT_EQ(v.status, verdict::Status::Pass);
  EXPECT_EQ(v.summary["source_warnings"][0], "query 'q_rt': remote read: partial response");
  std::string table = render_slo_table(v);
  EXPECT_NE(table.find("source warning: query 'q_rt': remote read: partial response"),
            std::string::npos)
      << table;
  // An informational objective is not scored: no "0/1" that reads as a failure.
  size_t row = table.find("\nrps ");
  ASSERT_NE(row, std::string::npos) << table;
  std::string line = table.substr(row + 1, table.find('\n', row + 1) - row - 1);
  EXPECT_NE(line.find("info"), std::string::npos) << line;
  EXPECT_EQ(line.find("0/1"), std::string::npos) << line;
}

// promtool (Debian's prometheus package) lints the exposition as Prometheus reads it: every
// metric needs # HELP and # TYPE.
std::string promtool_problems(const std::string& metrics) {
  process::Command cmd({"promtool", "check", "metrics"});
  cmd.input = metrics;
  auto r = process::run_capture(cmd);
  return r.outcome.exit_code == 0 ? r.output
                                  : "exit " + std::to_string(r.outcome.exit_code) + ": " + r.output;
}

TEST(SloVerdict, OpenMetricsForGitLab) {
  SloFile f = slo(kSlo);
  verdict::Verdict v =
      verdict_for(f, {{"rt", {50, "q"}}, {"errors", {0.001, "q"}}, {"cpu", {12.5, "q"}}});
  std::string text = render_openmetrics(v);
  EXPECT_EQ(text,
            "# HELP slo_result The SLO result: 1 pass, 0.5 warning, 0 fail or error\n"
            "# TYPE slo_result gauge\nslo_result 1\n"
            "# HELP slo_score_percent The SLO total score in percent\n"
            "# TYPE slo_score_percent gauge\nslo_score_percent 100\n"
            "# HELP slo_sli_rt SLI rt over the window\n# TYPE slo_sli_rt gauge\nslo_sli_rt 50\n"
            "# HELP slo_sli_rt_score Points SLI rt scored\n"
            "# TYPE slo_sli_rt_score gauge\nslo_sli_rt_score 1\n"
            "# HELP slo_sli_errors SLI errors over the window\n"
            "# TYPE slo_sli_errors gauge\nslo_sli_errors 0.001\n"
            "# HELP slo_sli_errors_score Points SLI errors scored\n"
            "# TYPE slo_sli_errors_score gauge\nslo_sli_errors_score 1\n"
            "# HELP slo_sli_cpu SLI cpu over the window\n"
            "# TYPE slo_sli_cpu gauge\nslo_sli_cpu 12.5\n"
            "# HELP slo_sli_cpu_score Points SLI cpu scored\n"
            "# TYPE slo_sli_cpu_score gauge\nslo_sli_cpu_score 1\n"
            "# EOF\n");
  ASSERT_TRUE(tollgate::testing::have_program("promtool"));
  EXPECT_EQ(promtool_problems(text), "");
}

// "p95_ms" and "p95-ms" both sanitise to slo_sli_p95_ms: the second is made unique, never
// written twice (GitLab keeps one value per name).
TEST(SloVerdict, OpenMetricsNamesThatCollideAfterSanitisingAreMadeUnique) {
  SloFile f = slo(R"(objectives:
  - {sli: p95_latency, pass: [{criteria: ["<100"]}]}
  - {sli: p95-latency, pass: [{criteria: ["<100"]}]}
total_score: {pass: "90%"}
)");
  std::string text =
      render_openmetrics(verdict_for(f, {{"p95_latency", {40, "q"}}, {"p95-latency", {60, "q"}}}));
  EXPECT_NE(text.find("\nslo_sli_p95_latency 40\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nslo_sli_p95_latency_2 60\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nslo_sli_p95_latency_score_2 1\n"), std::string::npos) << text;
  EXPECT_EQ(promtool_problems(text), "");
}

}  // namespace
}  // namespace tollgate::slo
