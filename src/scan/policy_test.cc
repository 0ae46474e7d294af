#include "scan/policy.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <fstream>

#include "scan/reports.h"
#include "scan/sbom.h"
#include "util/files.h"
#include "util/timefmt.h"

namespace tollgate::scan {
namespace {

using nlohmann::json;
using verdict::Severity;

Match make_match(std::string id, Severity sev, std::string fixed, std::string pkg = "libc6") {
  Match m;
  m.id = id;
  m.severity = sev;
  m.fixed_version = fixed;
  m.package.type = "deb";
  m.package.name = pkg;
  m.package.version = "2.36-9+deb12u1";
  m.package.source_name = "glibc";
  m.package.source_version = "2.36-9+deb12u1";
  m.aliases = {"DSA-5514-1"};
  m.links = {"https://security-tracker.debian.org/tracker/" + id, "not a url"};
  m.ecosystem = "Debian:12";
  return m;
}

Inventory debian12() {
  Inventory inv;
  inv.os.id = "debian";
  inv.os.version_id = "12";
  inv.os.ecosystem = "Debian:12";
  inv.packages.resize(3);
  return inv;
}

TEST(Policy, FailsAtOrAboveTheThreshold) {
  std::vector<Match> m = {make_match("CVE-2023-4911", Severity::High, "2.36-9+deb12u3"),
                          make_match("CVE-2010-4756", Severity::Low, "")};
  Policy p;
  auto v = build_verdict({"app:1", "image", ""}, debian12(), m, p);
  EXPECT_EQ(v.status, verdict::Status::Fail);
  EXPECT_EQ(v.exit_code(), 1);
  EXPECT_EQ(v.summary["blocking"], 1);
  EXPECT_EQ(v.findings[0].id, "CVE-2023-4911");
  EXPECT_TRUE(v.findings[0].blocking);
  EXPECT_EQ(v.findings[0].properties["fixed_version"], "2.36-9+deb12u3");
  EXPECT_EQ(v.findings[1].properties["fix_state"], "unfixed");
  p.fail_on = Severity::Critical;
  EXPECT_EQ(build_verdict({"app:1", "image", ""}, debian12(), m, p).status, verdict::Status::Pass);
  p.fail_on = Severity::Low;
  EXPECT_EQ(build_verdict({"app:1", "image", ""}, debian12(), m, p).summary["blocking"], 2);
}

TEST(Policy, IgnoreUnfixedHidesOnlyVulnerabilitiesWithoutAFix) {
  std::vector<Match> m = {make_match("CVE-2023-45853", Severity::Critical, ""),
                          make_match("CVE-2023-4911", Severity::High, "2.36-9+deb12u3")};
  Policy p;
  p.ignore_unfixed = true;
  auto v = build_verdict({"app:1", "image", ""}, debian12(), m, p);
  ASSERT_EQ(v.findings.size(), 1u);
  EXPECT_EQ(v.findings[0].id, "CVE-2023-4911");
  EXPECT_EQ(v.summary["hidden_unfixed"], 1);
}

TEST(Policy, IgnoreFileEntriesApplyUntilTheyExpire) {
  files::TempDir dir;
  auto path = (dir.path() / "ignore.yml").string();
  std::ofstream(path) << "ignore:\n"
                         "  - id: CVE-2023-4911\n"
                         "    package: libc6\n"
                         "    reason: setuid binaries removed from the image\n"
                         "    expires: 2099-01-01\n"
                         "  - id: DSA-5514-1\n"
                         "    reason: accepted last year\n"
                         "    expires: 2020-01-01\n";
  Policy p;
  p.ignores = load_ignore_file(path);
  ASSERT_EQ(p.ignores.size(), 2u);
  auto v = build_verdict({"app:1", "image", ""}, debian12(),
                         {make_match("CVE-2023-4911", Severity::High, "2.36-9+deb12u3"),
                          make_match("CVE-2023-4806", Severity::High, "2.36-9+deb12u3")},
                         p);
  // CVE-2023-4911 is ignored; CVE-2023-4806 would be by its alias DSA-5514-1, but that entry
  // expired: it no longer applies and is reported.
  EXPECT_EQ(v.status, verdict::Status::Fail);
  EXPECT_EQ(v.summary["blocking"], 1);
  EXPECT_EQ(v.summary["ignored"], 1);
  ASSERT_EQ(v.summary["expired_ignores"].size(), 1u);
  EXPECT_NE(v.summary["expired_ignores"][0].get<std::string>().find("ignore.yml:6"),
            std::string::npos);
  EXPECT_NE(v.reason.find("expired"), std::string::npos);
}

TEST(Policy, MalformedIgnoreFilesAreErrorsWithTheirLocation) {
  files::TempDir dir;
  auto path = (dir.path() / "ignore.yml").string();
  std::ofstream(path) << "ignore:\n  - id: CVE-1\n    reson: typo\n";
  try {
    load_ignore_file(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.where().line, 3);
    EXPECT_NE(std::string(e.what()).find("did you mean 'reason'"), std::string::npos) << e.what();
  }
  std::ofstream(path) << "ignore:\n  - id: CVE-1\n    reason: x\n    expires: someday\n";
  EXPECT_THROW(load_ignore_file(path), Error);
}

// Checks a report against the container_scanning schema 15.0.7's required fields and patterns.
void expect_valid_gitlab_report(const json& r) {
  ASSERT_TRUE(r.is_object());
  EXPECT_TRUE(RE2::FullMatch(r["version"].get<std::string>(), R"(\d+\.\d+\.\d+)"));
  EXPECT_EQ(r["version"], "15.0.7");
  ASSERT_TRUE(r["vulnerabilities"].is_array());
  const json& scan = r["scan"];
  for (const char* block : {"analyzer", "scanner"}) {
    for (const char* key : {"id", "name", "version"})
      EXPECT_FALSE(scan[block][key].get<std::string>().empty()) << block << "." << key;
    EXPECT_FALSE(scan[block]["vendor"]["name"].get<std::string>().empty());
  }
  for (const char* t : {"start_time", "end_time"})
    EXPECT_TRUE(
        RE2::FullMatch(scan[t].get<std::string>(), R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})"))
        << scan[t];
  EXPECT_TRUE(scan["status"] == "success" || scan["status"] == "failure");
  EXPECT_EQ(scan["type"], "container_scanning");
  std::set<std::string> ids;
  for (const auto& v : r["vulnerabilities"]) {
    EXPECT_TRUE(ids.insert(v["id"].get<std::string>()).second) << "duplicate id";
    ASSERT_GE(v["identifiers"].size(), 1u);
    for (const auto& i : v["identifiers"])
      for (const char* key : {"type", "name", "value"})
        EXPECT_FALSE(i[key].get<std::string>().empty());
    EXPECT_TRUE(v["location"]["dependency"]["version"].is_string());
    EXPECT_FALSE(v["location"]["dependency"]["package"]["name"].get<std::string>().empty());
    EXPECT_FALSE(v["location"]["operating_system"].get<std::string>().empty());
    EXPECT_TRUE(RE2::FullMatch(v["location"]["image"].get<std::string>(),
                               R"([^:]+(:\d+[^:]*)?:[^:]+(:[^:]+)?)"))
        << v["location"]["image"];
    static const std::set<std::string> kSeverities = {"Info",   "Unknown", "Low",
                                                      "Medium", "High",    "Critical"};
    EXPECT_TRUE(kSeverities.count(v["severity"].get<std::string>()));
    EXPECT_LE(v["name"].get<std::string>().size(), 255u);
    for (const auto& l : v["links"])
      EXPECT_TRUE(RE2::PartialMatch(l["url"].get<std::string>(), "^https?://"));
    for (const char* gone : {"category", "message", "cve", "confidence", "scanner"})
      EXPECT_FALSE(v.contains(gone)) << gone << " was removed in schema 15";
  }
}

TEST(GitlabReport, HoldsEveryRequiredFieldOfSchema15) {
  Policy p;
  auto v = build_verdict({"rootfs:/srv/root", "rootfs", ""}, debian12(),
                         {make_match("CVE-2023-4911", Severity::High, "2.36-9+deb12u3"),
                          make_match("CVE-2023-4911", Severity::High, "2.36-9+deb12u3", "libc-bin"),
                          make_match("CVE-2010-4756", Severity::Unknown, "")},
                         p);
  v.summary["start_time"] = "2026-11-26T10:00:00.123Z";
  v.summary["end_time"] = "2026-11-26T10:00:01.456Z";
  json r = json::parse(render_gitlab_container_scanning(v));
  expect_valid_gitlab_report(r);
  ASSERT_EQ(r["vulnerabilities"].size(), 3u);
  EXPECT_EQ(r["scan"]["start_time"], "2026-11-26T10:00:00");
  const json& first = r["vulnerabilities"][0];
  EXPECT_EQ(first["identifiers"][0]["type"], "cve");
  EXPECT_EQ(first["location"]["operating_system"], "debian 12");
  EXPECT_EQ(first["location"]["image"], "rootfs:/srv/root");
  // Stable ids: the same finding gets the same id in the next report.
  EXPECT_EQ(json::parse(render_gitlab_container_scanning(v))["vulnerabilities"][0]["id"],
            first["id"]);
}

TEST(GitlabReport, AnErrorIsAFailedScanNotAnEmptySuccess) {
  auto v = verdict::Verdict::error("scan", "no vulnerability database");
  json r = json::parse(render_gitlab_container_scanning(v));
  expect_valid_gitlab_report(r);
  EXPECT_EQ(r["scan"]["status"], "failure");
  EXPECT_EQ(r["scan"]["messages"][0]["level"], "fatal");
}

TEST(CycloneDx, EveryBomGetsAFreshSerialNumber) {
  auto error = verdict::Verdict::error("scan", "no vulnerability database");
  std::string a = json::parse(render_cyclonedx({}, error))["serialNumber"];
  std::string b = json::parse(render_cyclonedx({}, error))["serialNumber"];
  EXPECT_NE(a, b);
  EXPECT_TRUE(RE2::FullMatch(
      a, "urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"))
      << a;
}

TEST(CycloneDx, TheImageIsTheSbomsContainerComponent) {
  auto image = [](const std::string& component) {
    return read_cyclonedx(R"({"bomFormat":"CycloneDX","metadata":{"component":)" + component + "}}",
                          "sbom.json")
        .image;
  };
  // Syft: the name the user gave and the manifest digest; Trivy: the name with its tag.
  EXPECT_EQ(image(R"({"type":"container","name":"alpine","version":"sha256:2731"})"),
            "alpine@sha256:2731");
  EXPECT_EQ(image(R"({"type":"container","name":"registry:5000/shop/cart:1.4",)"
                  R"("version":"sha256:2731"})"),
            "registry:5000/shop/cart:1.4");
  EXPECT_EQ(image(R"({"type":"container","name":"registry:5000/shop/cart","version":"1.4"})"),
            "registry:5000/shop/cart:1.4");
  EXPECT_EQ(image(R"({"type":"application","name":"cart","version":"1.4"})"), "");
}

}  // namespace
}  // namespace tollgate::scan
