// tollgate check posture as a user runs it: real files, stdin, formats, exit codes.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "support/sarif_check.h"
#include "support/server.h"
#include "util/files.h"
#include "util/process.h"

namespace tollgate {
namespace {

namespace fs = std::filesystem;

fs::path testdata() {
  return testing::source_dir() / "src/posture/testdata";
}

process::Captured run(std::vector<std::string> args, const std::string& input = "",
                      const std::string& cwd = "") {
  process::Command cmd;
  cmd.argv = {testing::tollgate_binary().string(), "check", "posture"};
  cmd.argv.insert(cmd.argv.end(), args.begin(), args.end());
  cmd.input = input;
  cmd.cwd = cwd;
  cmd.timeout = std::chrono::seconds(60);
  return process::run_capture(cmd);
}

nlohmann::json run_json(std::vector<std::string> args, int expected_exit,
                        const std::string& input = "") {
  files::TempDir dir;
  fs::path out = dir.path() / "v.json";
  args.insert(args.end(), {"--format", "json", "--output", out.string()});
  auto r = run(args, input);
  EXPECT_EQ(r.outcome.exit_code, expected_exit) << r.output;
  return nlohmann::json::parse(files::read(out));
}

TEST(PostureE2E, CompliantShopDirectoryPasses) {
  auto r = run({(testdata() / "shop").string()});
  EXPECT_EQ(r.outcome.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("posture: PASS"), std::string::npos) << r.output;
}

TEST(PostureE2E, PssViolationFailsWithFieldLocationEvenWhenFailOnIsCritical) {
  auto v = run_json({(testdata() / "privileged.yaml").string(), "--level", "baseline", "--rules",
                     "pss", "--fail-on", "critical"},
                    1);
  EXPECT_EQ(v["status"], "fail");
  std::set<std::string> ids;
  for (const auto& f : v["findings"]) {
    ids.insert(f["id"].get<std::string>());
    EXPECT_EQ(f["subject"], "DaemonSet/monitoring/node-agent");
  }
  EXPECT_EQ(ids, (std::set<std::string>{"hostNamespaces", "privileged"}));
  const auto& f = v["findings"][0];
  EXPECT_EQ(f["location"]["line"], 13);
  EXPECT_EQ(f["location"]["column"], 7);
  EXPECT_EQ(v["summary"]["pss_level"], "baseline");
}

// `--rules pss pod.yaml` once took pod.yaml as a second rule pack and then said no input was
// given; each of these options takes one value, and what follows is a path.
TEST(PostureE2E, APathAfterAnOptionThatRepeatsIsAPath) {
  files::TempDir dir;
  fs::path junit = dir.path() / "r.xml";
  auto v = run_json({"--level", "baseline", "--rules", "pss", "--report", "junit=" + junit.string(),
                     (testdata() / "privileged.yaml").string()},
                    1);
  EXPECT_EQ(v["summary"]["files"], 1);
  EXPECT_EQ(v["findings"].size(), 2u) << v.dump(1);
  EXPECT_NE(files::read(junit).find("hostNamespaces"), std::string::npos);
}

TEST(PostureE2E, StdinKubectlListAndVersionFlag) {
  std::string live = R"({"apiVersion":"v1","kind":"List","items":[
    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"x"},
     "spec":{"containers":[{"name":"c","image":"x:1","livenessProbe":{"httpGet":{"host":"10.0.0.1","port":80}}}]}}]})";
  auto v =
      run_json({"-", "--rules", "pss", "--level", "baseline", "--pss-version", "v1.34"}, 1, live);
  ASSERT_EQ(v["findings"].size(), 1u);
  EXPECT_EQ(v["findings"][0]["id"], "hostProbesAndHostLifecycle");
  EXPECT_EQ(v["findings"][0]["location"]["file"], "<stdin>");
  v = run_json({"-", "--rules", "pss", "--level", "baseline", "--pss-version", "v1.33"}, 0, live);
  EXPECT_EQ(v["summary"]["pss_version"], "v1.33");
}

TEST(PostureE2E, TerraformPlanSarifAndJunit) {
  files::TempDir dir;
  fs::path sarif = dir.path() / "p.sarif";
  auto r = run({(testdata() / "plan.json").string(), "-f", "sarif", "-o", sarif.string()});
  EXPECT_EQ(r.outcome.exit_code, 1) << r.output;
  EXPECT_EQ(testing::sarif_problems(files::read(sarif)), "");
  auto s = nlohmann::json::parse(files::read(sarif));
  EXPECT_EQ(s["version"], "2.1.0");
  std::set<std::string> rules;
  std::map<std::string, std::string> scores;  // GitHub code scanning's security-severity
  for (const auto& rule : s["runs"][0]["tool"]["driver"]["rules"]) {
    rules.insert(rule["id"].get<std::string>());
    scores[rule["properties"]["severity"]] = rule["properties"].value("security-severity", "");
    EXPECT_EQ(rule["properties"]["tags"], nlohmann::json::array({"security"})) << rule.dump();
  }
  EXPECT_TRUE(rules.count("CKV_AWS_24"));
  EXPECT_TRUE(rules.count("CKV_AWS_62"));
  EXPECT_EQ(scores["high"], "8.0");
  for (const auto& [severity, score] : scores)
    EXPECT_EQ(score, severity == "critical" ? "9.5"
                     : severity == "high"   ? "8.0"
                     : severity == "medium" ? "5.5"
                                            : "2.0");
  fs::path junit = dir.path() / "p.xml";
  r = run({(testdata() / "plan.json").string(), "-f", "junit", "-o", junit.string()});
  std::string xml = files::read(junit);
  EXPECT_NE(xml.find("plan.json\" name=\"CKV_AWS_24 aws_security_group.web\""), std::string::npos)
      << xml;
}

TEST(PostureE2E, BrokenInputIsExitTwoWithLocation) {
  auto r = run({(testdata() / "broken.yaml").string()});
  EXPECT_EQ(r.outcome.exit_code, 2);
  // The error points at the bracket that is never closed, not at the end of the file.
  EXPECT_NE(r.output.find("broken.yaml:8:14: invalid YAML: this '[' is never closed"),
            std::string::npos)
      << r.output;
  r = run({(testdata() / "does-not-exist.yaml").string()});
  EXPECT_EQ(r.outcome.exit_code, 2);
  EXPECT_NE(r.output.find("no such file or directory"), std::string::npos) << r.output;
  r = run({"--level", "strict", (testdata() / "shop").string()});
  EXPECT_EQ(r.outcome.exit_code, 2);
  EXPECT_NE(r.output.find("'strict' is not a Pod Security Standards level"), std::string::npos);
  r = run({"--bogus"});
  EXPECT_EQ(r.outcome.exit_code, 2);
}

TEST(PostureE2E, PolicyFileInTollgateDirectoryIsPickedUp) {
  files::TempDir dir;
  fs::create_directories(dir.path() / ".tollgate");
  std::ofstream(dir.path() / ".tollgate/posture.yaml") << R"(level: baseline
rules: [pss]
exemptions:
  - objects: [DaemonSet/monitoring/node-agent]
    rules: [hostNamespaces, privileged]
    reason: the node agent reads every process on the node
    expires: 2999-12-31
)";
  auto r = run({(testdata() / "privileged.yaml").string()}, "", dir.path().string());
  EXPECT_EQ(r.outcome.exit_code, 0) << r.output;
  r = run({(testdata() / "privileged.yaml").string(), "--no-policy"}, "", dir.path().string());
  EXPECT_EQ(r.outcome.exit_code, 1) << r.output;
  std::ofstream(dir.path() / ".tollgate/posture.yaml") << "level: baseline\nfail_on: hgih\n";
  r = run({(testdata() / "privileged.yaml").string()}, "", dir.path().string());
  EXPECT_EQ(r.outcome.exit_code, 2);
  EXPECT_NE(r.output.find(".tollgate/posture.yaml:2:10: 'hgih' is not a severity"),
            std::string::npos)
      << r.output;
}

TEST(PostureE2E, HelpTeachesAndListRulesLists) {
  auto r = run({"--help"});
  EXPECT_EQ(r.outcome.exit_code, 0);
  EXPECT_NE(r.output.find("Examples:"), std::string::npos);
  EXPECT_NE(r.output.find("ALWAYS fails the gate"), std::string::npos);
  r = run({"--list-rules"});
  EXPECT_EQ(r.outcome.exit_code, 0);
  EXPECT_NE(r.output.find("seccompProfile_restricted"), std::string::npos);
  EXPECT_NE(r.output.find("network-policy-missing"), std::string::npos);
  EXPECT_NE(r.output.find("CKV_AWS_24"), std::string::npos);
}

}  // namespace
}  // namespace tollgate
