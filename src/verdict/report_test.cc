#include "verdict/report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "util/term.h"

namespace tollgate::verdict {
namespace {

Verdict sample() {
  Verdict v;
  v.gate = "posture";
  v.status = Status::Fail;
  v.reason = "1 finding at or above high";
  Finding f;
  f.id = "hostNamespaces";
  f.severity = Severity::High;
  f.title = "Pod shares the host's PID namespace";
  f.detail = "spec.template.spec.hostPID is true";
  f.subject = "Deployment/shop/pid-peeker";
  f.location = {"deploy.yaml", 12, 7};
  f.fix = "remove hostPID";
  f.blocking = true;
  v.findings.push_back(f);
  Finding g = f;
  g.id = "probes";
  g.severity = Severity::Low;
  g.blocking = false;
  g.location = {};
  v.findings.push_back(g);
  v.summary = {{"objects", 3}, {"level", "restricted"}};
  return v;
}

TEST(Report, JsonRoundTrips) {
  Verdict v = sample();
  auto j = nlohmann::json::parse(render_json(v));
  EXPECT_EQ(j["status"], "fail");
  EXPECT_EQ(j["findings"][0]["location"]["line"], 12);
  EXPECT_TRUE(j["findings"][1]["location"].is_null());
  Verdict back = verdict_from_json(j);
  EXPECT_EQ(back.findings.size(), 2u);
  EXPECT_EQ(back.findings[0].location.str(), "deploy.yaml:12:7");
  EXPECT_EQ(back.exit_code(), 1);
}

// render_json writes the verdict directly; its text must be exactly what the JSON library writes
// for to_json, for every shape of finding: no location, a file alone, escapes, nested properties,
// no findings at all, an empty summary.
TEST(Report, JsonIsTheLibrarysOwnText) {
  auto same = [](const Verdict& v) { EXPECT_EQ(render_json(v), to_json(v).dump(2) + "\n"); };
  Verdict v = sample();
  same(v);
  v.findings[0].location = {"only-a-file.yaml"};
  v.findings[0].detail = "quote \" backslash \\ tab \t newline \n bell \x07 caf\u00e9";
  v.findings[0].properties = {{"list", {1, "two", nullptr}},
                              {"nested", {{"empty", nlohmann::json::object()}, {"none", {}}}},
                              {"z", 1.5}};
  v.findings[1].location = {"f.yaml", 3};
  same(v);
  v.findings.clear();
  same(v);
  v.summary = nlohmann::json::object();
  same(v);
  v.findings.push_back(sample().findings[0]);
  v.findings[0].properties = nlohmann::json::object();
  same(v);
}

TEST(Report, SarifLevelsAndRegions) {
  auto j = nlohmann::json::parse(render_sarif(sample()));
  EXPECT_EQ(j["version"], "2.1.0");
  auto& results = j["runs"][0]["results"];
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["level"], "error");
  EXPECT_EQ(results[1]["level"], "note");
  EXPECT_EQ(results[0]["locations"][0]["physicalLocation"]["region"]["startLine"], 12);
  EXPECT_EQ(j["runs"][0]["tool"]["driver"]["rules"].size(), 2u);
}

// GitHub code scanning ranks alerts by the rule's security-severity (a string score) and reads
// it only on rules tagged "security": critical 9.5, high 8.0, medium 5.5, low 2.0, info none.
TEST(Report, SarifSecuritySeverityForGithubCodeScanning) {
  Verdict v = sample();
  verdict::Finding worse = v.findings[1];  // the low finding's rule, met again as critical
  worse.severity = Severity::Critical;
  v.findings.push_back(worse);
  verdict::Finding medium = v.findings[0];
  medium.id = "medium-rule";
  medium.severity = Severity::Medium;
  v.findings.push_back(medium);
  verdict::Finding info = v.findings[0];
  info.id = "info-rule";
  info.severity = Severity::Info;
  v.findings.push_back(info);
  auto j = nlohmann::json::parse(render_sarif(v));
  std::map<std::string, nlohmann::json> rules;
  for (const auto& r : j["runs"][0]["tool"]["driver"]["rules"])
    rules[r["id"]] = r["properties"];
  ASSERT_EQ(rules.size(), 4u);
  EXPECT_EQ(rules[v.findings[0].id]["security-severity"], "8.0");
  EXPECT_EQ(rules[v.findings[0].id]["tags"], nlohmann::json::array({"security"}));
  EXPECT_EQ(rules[v.findings[1].id]["security-severity"], "9.5");  // the most severe finding
  EXPECT_EQ(rules[v.findings[1].id]["severity"], "critical");
  EXPECT_EQ(rules["medium-rule"]["security-severity"], "5.5");
  EXPECT_FALSE(rules["info-rule"].contains("security-severity"));
  v.findings = {v.findings[1]};
  v.findings[0].severity = Severity::Low;
  j = nlohmann::json::parse(render_sarif(v));
  EXPECT_EQ(j["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["security-severity"], "2.0");
}

TEST(Report, JunitCountsOnlyBlockingFindingsAsFailures) {
  std::string x = render_junit(sample());
  EXPECT_NE(x.find("tests=\"2\" failures=\"1\""), std::string::npos) << x;
  EXPECT_NE(x.find("<failure type=\"high\""), std::string::npos);
  EXPECT_NE(x.find("Pod shares the host&apos;s PID namespace"), std::string::npos);
}

TEST(Report, JunitPassingGateWithoutFindingsHasOneCase) {
  Verdict v;
  v.gate = "budget";
  v.status = Status::Pass;
  std::string x = render_junit(v);
  EXPECT_NE(x.find("tests=\"1\" failures=\"0\""), std::string::npos) << x;
}

TEST(Report, DotenvIsOneLinePerKey) {
  Verdict v = sample();
  v.reason = "two\nlines";
  std::string d = render_dotenv(v);
  EXPECT_NE(d.find("TOLLGATE_POSTURE_STATUS=fail\n"), std::string::npos);
  EXPECT_NE(d.find("TOLLGATE_POSTURE_REASON=two lines\n"), std::string::npos);
  EXPECT_NE(d.find("TOLLGATE_POSTURE_OBJECTS=3\n"), std::string::npos);
  EXPECT_NE(d.find("TOLLGATE_POSTURE_LEVEL=restricted\n"), std::string::npos);
}

TEST(Report, DotenvStaysWithinWhatGitLabReads) {
  Verdict v = sample();
  for (int i = 0; i < 40; ++i)
    v.summary["figure_" + std::to_string(100 + i)] = i;
  std::string d = render_dotenv(v);
  EXPECT_EQ(std::count(d.begin(), d.end(), '\n'), 20) << d;
  EXPECT_EQ(d.rfind("TOLLGATE_POSTURE_STATUS=fail\n", 0), 0u) << "the status comes first";
  v.reason = std::string(6000, 'x');  // past GitLab's 5 KB alone: that line cannot fit
  d = render_dotenv(v);
  EXPECT_LE(d.size(), kDotenvMaxBytes);
  EXPECT_EQ(d.find("REASON"), std::string::npos);
  EXPECT_NE(d.find("TOLLGATE_POSTURE_FINDINGS=2\n"), std::string::npos) << d;
  // A repeated key keeps its first value.
  EXPECT_EQ(format_dotenv({{"A", "1"}, {"B", "x\ny"}, {"A", "2"}}), "A=1\nB=x y\n");
}

TEST(Report, TableWithoutColour) {
  term::set_color_mode(term::ColorMode::Never);
  std::string t = render_table(sample());
  EXPECT_NE(t.find("HIGH"), std::string::npos);
  EXPECT_NE(t.find("deploy.yaml:12:7"), std::string::npos);
  EXPECT_NE(t.find("posture: FAIL - 1 finding at or above high"), std::string::npos);
  EXPECT_EQ(t.find("\033["), std::string::npos);
}

}  // namespace
}  // namespace tollgate::verdict
