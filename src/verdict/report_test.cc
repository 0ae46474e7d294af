#include "verdict/report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "support/sarif_check.h"
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
  std::string text = render_sarif(sample());
  EXPECT_EQ(testing::sarif_problems(text), "");
  auto j = nlohmann::json::parse(text);
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
  std::string text = render_sarif(v);
  EXPECT_EQ(testing::sarif_problems(text), "");
  auto j = nlohmann::json::parse(text);
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

nlohmann::json sarif_of(const Verdict& v, const RenderContext& ctx = {}) {
  std::string text = render_sarif(v, ctx);
  EXPECT_EQ(testing::sarif_problems(text), "") << text;
  return nlohmann::json::parse(text);
}

// GitHub rejects a log whose URIs are not URI references and places repository files by
// %SRCROOT%; it shows each rule's texts, and keys alerts on partialFingerprints.
TEST(Report, SarifUrisRulesAndFingerprintsAsGithubReadsThem) {
  Verdict v = sample();
  v.findings[0].location = {"my k8s/priv app.yaml", 12, 7};
  v.findings[0].properties = {{"why", "Sharing the host's PID namespace exposes its processes."}};
  auto j = sarif_of(v);
  const auto& run = j["runs"][0];
  const auto& loc = run["results"][0]["locations"][0]["physicalLocation"];
  EXPECT_EQ(loc["artifactLocation"]["uri"], "my%20k8s/priv%20app.yaml");
  EXPECT_EQ(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
  EXPECT_EQ(loc["region"]["startLine"], 12);
  EXPECT_EQ(loc["region"]["startColumn"], 7);
  const auto& rule = run["tool"]["driver"]["rules"][0];
  EXPECT_EQ(rule["shortDescription"]["text"], "Pod shares the host's PID namespace");
  EXPECT_EQ(rule["fullDescription"]["text"],
            "Sharing the host's PID namespace exposes its processes.");
  EXPECT_EQ(rule["help"]["text"], "remove hostPID");
  EXPECT_NE(rule["help"]["markdown"].get<std::string>().find("remove hostPID"), std::string::npos);
  // The same finding ten lines lower (an edit above it) keeps its fingerprint; another subject
  // does not.
  auto print = run["results"][0]["partialFingerprints"];
  v.findings[0].location.line = 22;
  EXPECT_EQ(sarif_of(v)["runs"][0]["results"][0]["partialFingerprints"], print);
  v.findings[0].subject = "Deployment/shop/other";
  EXPECT_NE(sarif_of(v)["runs"][0]["results"][0]["partialFingerprints"], print);
}

TEST(Report, SarifSecurityTagsOnlyForScanAndPosture) {
  Verdict v = sample();
  v.gate = "budget";
  // Kept in a variable: a range-for over a member of the temporary would read freed memory.
  nlohmann::json budget = sarif_of(v);
  for (const auto& rule : budget["runs"][0]["tool"]["driver"]["rules"]) {
    EXPECT_FALSE(rule["properties"].contains("tags")) << rule;
    EXPECT_FALSE(rule["properties"].contains("security-severity")) << rule;
  }
  v.gate = "scan";
  EXPECT_EQ(sarif_of(v)["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["tags"],
            nlohmann::json::array({"security"}));
}

// A met threshold is not an alert: it is listed in run.properties, not as a result.
TEST(Report, SarifResultsAreOnlyWhatFailedOrWarns) {
  Verdict v;
  v.gate = "load";
  v.status = Status::Fail;
  Finding breached;
  breached.id = "http_req_duration";
  breached.severity = Severity::High;
  breached.blocking = true;
  breached.title = "p(95)<300 (observed 412.00 ms)";
  breached.properties = {{"passed", false}};
  Finding held = breached;
  held.id = "http_req_failed";
  held.severity = Severity::Info;
  held.blocking = false;
  held.title = "rate<0.01 (observed 0.00%)";
  held.properties = {{"passed", true}};
  v.findings = {breached, held};
  auto run = sarif_of(v, {"tollgate load s.yaml", ""})["runs"][0];
  ASSERT_EQ(run["results"].size(), 1u);
  EXPECT_EQ(run["results"][0]["ruleId"], "http_req_duration");
  EXPECT_EQ(run["tool"]["driver"]["rules"].size(), 1u);
  EXPECT_EQ(run["properties"]["met"][0]["id"], "http_req_failed");
}

TEST(Report, SarifOfAGateThatCouldNotVerifyIsNotACleanAnalysis) {
  auto inv =
      sarif_of(Verdict::error("scan", "no vulnerability database"))["runs"][0]["invocations"][0];
  EXPECT_EQ(inv["executionSuccessful"], false);
  EXPECT_EQ(inv["toolExecutionNotifications"][0]["message"]["text"], "no vulnerability database");
  EXPECT_EQ(sarif_of(sample())["runs"][0]["invocations"][0]["executionSuccessful"], true);
}

// A vulnerability lies in the image, not at a host path: at the Dockerfile when given, else a
// logical location naming the image and package.
TEST(Report, SarifPlacesImageFindingsAtTheDockerfileOrTheImage) {
  Verdict v = sample();
  v.gate = "scan";
  v.summary = {{"target", "registry.example/cart:1.4"}};
  v.findings.resize(1);
  v.findings[0].location = {"/var/lib/dpkg/status", 120};
  v.findings[0].properties = {{"package", "libssl3"},
                              {"links", {"https://osv.dev/vulnerability/CVE-2024-0001"}}};
  auto result = sarif_of(v)["runs"][0]["results"][0];
  EXPECT_FALSE(result["locations"][0].contains("physicalLocation"));
  EXPECT_EQ(result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "registry.example/cart:1.4/libssl3");
  auto run = sarif_of(v, {"", "build/Containerfile"})["runs"][0];
  EXPECT_EQ(run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "build/Containerfile");
  EXPECT_EQ(run["tool"]["driver"]["rules"][0]["helpUri"],
            "https://osv.dev/vulnerability/CVE-2024-0001");
}

// A budget set with --budget has no file: it points at the command line that set it.
TEST(Report, SarifFindingWithoutAFileNamesTheCommandLine) {
  Verdict v = sample();
  v.gate = "budget";
  v.findings.resize(1);
  v.findings[0].location = {};
  v.findings[0].subject = "staging";
  auto loc = sarif_of(
      v, {"tollgate check budget --budget 575", ""})["runs"][0]["results"][0]["locations"][0];
  EXPECT_EQ(loc["logicalLocations"][0]["name"], "staging");
  EXPECT_EQ(loc["logicalLocations"][0]["fullyQualifiedName"], "tollgate check budget --budget 575");
}

TEST(Report, JunitCountsOnlyBlockingFindingsAsFailures) {
  std::string x = render_junit(sample());
  EXPECT_NE(x.find("tests=\"2\" failures=\"1\""), std::string::npos) << x;
  EXPECT_NE(x.find("<failure type=\"high\""), std::string::npos);
  EXPECT_NE(x.find("Pod shares the host&apos;s PID namespace"), std::string::npos);
}

// GitLab keys a test case by suite, classname and name and keeps the first of equal keys, so
// counts only match when every case's key differs.
TEST(Report, JunitCaseKeysAreUniqueAsGitlabKeysThem) {
  Verdict v = sample();
  v.findings.resize(1);
  Finding other_folder = v.findings[0];
  other_folder.location = {"staging/deploy.yaml", 12, 7};
  v.findings.push_back(other_folder);
  Finding threshold = v.findings[0];
  threshold.id = "http_req_duration";
  threshold.subject = "all requests";
  threshold.location = {};
  threshold.properties = {{"threshold", "p(95)<300"}};
  Finding other_threshold = threshold;
  other_threshold.properties = {{"threshold", "p(99)<500"}};
  v.findings.push_back(threshold);
  v.findings.push_back(other_threshold);
  v.findings.push_back(threshold);  // the same threshold written twice
  std::string x = render_junit(v);
  for (
      const char* key :
      {R"(classname="posture deploy.yaml" name="hostNamespaces Deployment/shop/pid-peeker")",
       R"(classname="posture staging/deploy.yaml" name="hostNamespaces Deployment/shop/pid-peeker")",
       R"(classname="posture" name="http_req_duration all requests p(95)&lt;300")",
       R"(classname="posture" name="http_req_duration all requests p(99)&lt;500")",
       R"(classname="posture" name="http_req_duration all requests p(95)&lt;300 #2")"})
    EXPECT_NE(x.find(key), std::string::npos) << key << "\n" << x;
  EXPECT_NE(x.find("tests=\"5\" failures=\"5\""), std::string::npos) << x;
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

// A gate's own variables follow the shared status and reason and come before the shared
// findings count and figures, so a gate with many of them still keeps the verdict.
TEST(Report, DotenvPutsAGatesOwnVariablesAfterTheVerdict) {
  Verdict v = sample();
  v.reason = "r";
  DotenvSections own{[](const Verdict& verdict) {
    return DotenvVariables{{"POSTURE_LEVEL_SEEN", verdict.summary.value("level", "")},
                           {"POSTURE_OK", "no"}};
  }};
  std::string d = render_dotenv(v, own);
  EXPECT_EQ(d.rfind("TOLLGATE_POSTURE_STATUS=fail\n"
                    "TOLLGATE_POSTURE_REASON=r\n"
                    "POSTURE_LEVEL_SEEN=restricted\n"
                    "POSTURE_OK=no\n"
                    "TOLLGATE_POSTURE_FINDINGS=2\n",
                    0),
            0u)
      << d;
  EXPECT_EQ(render(v, Format::Dotenv, RenderContext{.dotenv = own}), d);
  EXPECT_EQ(render(v, Format::Dotenv), render_dotenv(v)) << "without sections: the shared ones";
  EXPECT_EQ(render_dotenv(v).find("POSTURE_OK"), std::string::npos);
}

TEST(Report, DotenvStaysWithinWhatGitLabReads) {
  Verdict v = sample();
  for (int i = 0; i < 40; ++i)
    v.summary["figure_" + std::to_string(100 + i)] = i;
  std::string d = render_dotenv(v);
  EXPECT_EQ(std::count(d.begin(), d.end(), '\n'), 19) << d;  // GitLab's 20, one kept free
  EXPECT_EQ(d.rfind("TOLLGATE_POSTURE_STATUS=fail\n", 0), 0u) << "the status comes first";
  v.reason = std::string(6000, 'x');  // past GitLab's 5 KB alone: that line cannot fit
  d = render_dotenv(v);
  EXPECT_LT(d.size(), 5u * 1024);  // GitLab refuses a file of 5 KB or more
  EXPECT_EQ(d.find("REASON"), std::string::npos);
  EXPECT_NE(d.find("TOLLGATE_POSTURE_FINDINGS=2\n"), std::string::npos) << d;
  // A repeated key keeps its first value.
  EXPECT_EQ(format_dotenv({{"A", "1"}, {"B", "x\ny"}, {"A", "2"}}), "A=1\nB=x y\n");
}

// GitLab's dotenv parser (Ci::ParseDotenvArtifactService#scan_line!): the key is what comes
// before the first '=', the value the rest; both stripped, quotes kept as text.
std::map<std::string, std::string> gitlab_dotenv(const std::string& text) {
  std::map<std::string, std::string> vars;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    std::string line = text.substr(start, end - start);
    size_t eq = line.find('=');
    EXPECT_NE(eq, std::string::npos) << "GitLab: Invalid Format: " << line;
    auto strip = [](std::string s) {
      s.erase(0, s.find_first_not_of(" \t\r\v\f"));
      s.erase(s.find_last_not_of(" \t\r\v\f") + 1);
      return s;
    };
    vars[strip(line.substr(0, eq))] = strip(line.substr(eq + 1));
    start = end == std::string::npos ? text.size() : end + 1;
  }
  return vars;
}

TEST(Report, DotenvValuesWithSpacesReadBackExactlyByGitlabsParser) {
  std::string d = format_dotenv({{"REASON", "spend 579.50 over the budget 575.00"},
                                 {"PADDED", "  two words \n"},
                                 {"EQUALS", "a=b c"},
                                 {"QUOTED", "it is \"high\""}});
  EXPECT_EQ(d,
            "REASON=spend 579.50 over the budget 575.00\nPADDED=two words\nEQUALS=a=b c\n"
            "QUOTED=it is \"high\"\n");
  auto read = gitlab_dotenv(d);
  EXPECT_EQ(read["REASON"], "spend 579.50 over the budget 575.00");
  EXPECT_EQ(read["PADDED"], "two words");
  EXPECT_EQ(read["EQUALS"], "a=b c");
  EXPECT_EQ(read["QUOTED"], "it is \"high\"");
}

TEST(Report, TableWithoutColour) {
  term::set_color_mode(term::ColorMode::Never);
  std::string t = render_table(sample());
  EXPECT_NE(t.find("HIGH"), std::string::npos);
  EXPECT_NE(t.find("deploy.yaml:12:7"), std::string::npos);
  EXPECT_NE(t.find("posture: FAIL - 1 finding at or above high"), std::string::npos);
  EXPECT_EQ(t.find("\033["), std::string::npos);
}

// A gate heads the shared table with its own view and says which shared parts follow; the
// result line stays the shared one, and a gate without a head for this verdict (an error) gets
// the plain table.
TEST(Report, AGateHeadsTheSharedTableInsteadOfReplacingIt) {
  term::set_color_mode(term::ColorMode::Never);
  Verdict v = sample();
  TableSections t;
  t.head = [](const Verdict& v) -> std::optional<std::string> {
    if (v.status == Status::Error) return std::nullopt;
    return "3 objects checked\n\n";
  };
  t.figures = std::vector<std::string>{"level"};
  std::string out = render_table(v, t);
  EXPECT_TRUE(out.starts_with("3 objects checked\n\nSEVERITY")) << out;
  EXPECT_NE(out.find("hostNamespaces"), std::string::npos) << out;
  EXPECT_NE(out.find("  level: restricted\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("objects: 3"), std::string::npos) << out;
  EXPECT_TRUE(out.ends_with("\nposture: FAIL - 1 finding at or above high\n")) << out;

  t.findings = false;
  t.figures = std::vector<std::string>{};
  EXPECT_EQ(render_table(v, t),
            "3 objects checked\n\nposture: FAIL - 1 finding at or above high\n");

  t.status = [](const Verdict&) -> std::optional<std::string> { return "WARNING"; };
  EXPECT_TRUE(render_table(v, t).ends_with("posture: WARNING - 1 finding at or above high\n"));

  Verdict error = Verdict::error("posture", "no manifests");
  EXPECT_EQ(render_table(error, t), render_table(error));
  EXPECT_NE(render_table(error, t).find("posture: ERROR - no manifests"), std::string::npos);
}

// A gate's own cases go into the shared JUnit: the shared renderer counts them, escapes them and
// keeps their keys unique as GitLab keys them (two objectives with one display name).
TEST(Report, AGateAddsItsOwnCasesToTheSharedJunit) {
  JunitSections j;
  j.cases = [](const Verdict& v) -> std::optional<std::vector<JunitCase>> {
    if (v.status == Status::Error) return std::nullopt;
    return std::vector<JunitCase>{{"p95 <latency>", "p95 = 700: fail", ""},
                                  {"p95 <latency>", "", "p95 = 90: pass"},
                                  {"total score", "", "score 50%"}};
  };
  Verdict v = sample();
  v.gate = "slo";
  std::string xml = render_junit(v, j);
  EXPECT_NE(xml.find(R"(<testsuite name="slo" tests="3" failures="1" errors="0">)"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find(R"(<testcase classname="slo" name="p95 &lt;latency&gt;">)"
                     "\n      <failure message=\"p95 = 700: fail\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find(R"(<testcase classname="slo" name="p95 &lt;latency&gt; #2">)"
                     "\n      <system-out>p95 = 90: pass</system-out>"),
            std::string::npos)
      << xml;
  EXPECT_EQ(xml.find("hostNamespaces"), std::string::npos) << xml;
  Verdict error = Verdict::error("slo", "no data source");
  EXPECT_EQ(render_junit(error, j), render_junit(error));
}

}  // namespace
}  // namespace tollgate::verdict
