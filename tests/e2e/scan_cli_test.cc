// tollgate scan rootfs|sbom, db import|status and vercmp, driven as a user would.
#include <set>
#include <sstream>

#include "scan_helpers.h"
#include "support/sarif_check.h"
#include "util/files.h"

namespace tollgate::scan_e2e {
namespace {

TEST(ScanCli, VercmpAgreesWithDpkgOnThisMachinesVersions) {
  ASSERT_TRUE(testing::have_program("dpkg")) << "dpkg is not installed";
  // Every installed version plus the hard cases, each compared with its neighbours.
  Result list = sh("dpkg-query -W -f='${Version}\\n' | sort -u");
  ASSERT_EQ(list.code, 0);
  std::vector<std::string> versions;
  std::istringstream in(list.out);
  for (std::string v; std::getline(in, v);)
    if (!v.empty()) versions.push_back(v);
  for (const char* v : {"1.0~rc1", "1.0", "1.0-0", "1:0.1", "1.0+b1", "1.0~~", "1.0a",
                        "2:1.02.185-2", "0.55.7~deb12u1", "1:14.0-55.7~deb12u1", "1.2.3-0ubuntu1"})
    versions.push_back(v);
  std::string pairs, script = "set -e\n";
  int n = 0;
  for (size_t i = 0; i + 1 < versions.size(); i += 2) {
    for (size_t j : {i + 1, (i * 7 + 3) % versions.size()}) {
      pairs += versions[i] + " " + versions[j] + "\n";
      std::string a = "'" + versions[i] + "'", b = "'" + versions[j] + "'";
      script += "if dpkg --compare-versions " + a + " lt " + b +
                "; then echo -1; elif dpkg "
                "--compare-versions " +
                a + " eq " + b + "; then echo 0; else echo 1; fi\n";
      ++n;
    }
  }
  Result dpkg = sh(script);
  ASSERT_EQ(dpkg.code, 0) << dpkg.out;
  Result ours = run({"vercmp", "dpkg", "--batch"}, pairs);
  ASSERT_EQ(ours.code, 0) << ours.out;
  EXPECT_EQ(ours.out, dpkg.out);
  EXPECT_GT(n, 300);
}

TEST(ScanCli, VercmpReportsBadInputWithItsLine) {
  Result r = run({"vercmp", "semver", "--batch"}, "1.0.0 1.1.0\n1.0.0-rc.1 x.y\n");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("<stdin>:2:1"), std::string::npos) << r.out;
  // apk answers outside its strict grammar too, as apk-tools' test vectors say.
  EXPECT_EQ(run({"vercmp", "apk", "--batch"}, "23_foo 4_beta\n1.0 1.0bc\n").out, "1\n-1\n");
  EXPECT_EQ(run({"vercmp", "rpm", "1.0^git1", "1.0"}).out, "1\n");
  EXPECT_EQ(run({"vercmp", "nosuch", "1", "2"}).code, 2);
}

TEST(ScanCli, ScansThisMachinesDebianRootfs) {
  files::TempDir dir;
  std::string db = db_with_testdata(dir.path());
  make_host_rootfs(dir.path() / "root");
  std::string root = (dir.path() / "root").string();
  Result r = run({"scan", "rootfs", root, "--db", db, "--format", "json"});
  ASSERT_EQ(r.code, 1) << r.out;  // zlib's CVE-2023-45853 is critical and unfixed
  auto v = r.json();
  EXPECT_EQ(v["status"], "fail");
  EXPECT_EQ(v["summary"]["os"], "debian 12");
  EXPECT_GT(v["summary"]["packages"].get<int>(), 50);
  std::set<std::string> ids;
  for (const auto& f : v["findings"]) {
    ids.insert(f["id"].get<std::string>());
    if (f["id"] == "CVE-2022-0563" && f["properties"]["package"] == "bsdutils") {
      // Reported on the binary package, matched by the source version (no epoch).
      EXPECT_EQ(f["properties"]["source_package"], "util-linux");
      EXPECT_EQ(f["properties"]["installed_version"].get<std::string>().substr(0, 2), "1:");
      EXPECT_EQ(f["properties"]["fixed_version"], "");
    }
  }
  EXPECT_TRUE(ids.count("CVE-2023-45853"));
  EXPECT_TRUE(ids.count("CVE-2022-0563"));
  EXPECT_FALSE(ids.count("CVE-2023-4911"));   // fixed in 2.36-9+deb12u3, long installed
  EXPECT_FALSE(ids.count("CVE-2024-28085"));  // fixed in util-linux 2.38.1-5+deb12u1
  // Only unfixed vulnerabilities here: --ignore-unfixed opens the gate.
  Result open = run({"scan", "rootfs", root, "--db", db, "--ignore-unfixed"});
  EXPECT_EQ(open.code, 0) << open.out;
  EXPECT_NE(open.out.find("PASS"), std::string::npos);
}

TEST(ScanCli, WritesGitlabAndCycloneDxReportsAndReadsTheSbomBack) {
  files::TempDir dir;
  std::string db = db_with_testdata(dir.path());
  std::string alpine = (testdata() / "alpine-rootfs").string();
  auto gl = (dir.path() / "gl.json").string();
  Result r = run({"scan", "rootfs", alpine, "--db", db, "--format", "gitlab", "-o", gl});
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("report: " + gl), std::string::npos);
  auto report = nlohmann::json::parse(files::read(gl));
  EXPECT_EQ(report["version"], "15.0.7");
  EXPECT_EQ(report["vulnerabilities"].size(), 7u);
  EXPECT_EQ(report["vulnerabilities"][0]["location"]["operating_system"], "alpine 3.18.0");

  Result bom =
      run({"scan", "rootfs", alpine, "--db", db, "--format", "cyclonedx", "--fail-on", "unknown"});
  EXPECT_EQ(bom.code, 1);
  auto sbom = nlohmann::json::parse(bom.out);
  EXPECT_EQ(sbom["bomFormat"], "CycloneDX");
  EXPECT_EQ(sbom["components"].size(), 13u);  // the OS and 12 packages
  auto sbom_file = (dir.path() / "sbom.json").string();
  std::ofstream(sbom_file) << bom.out;
  Result again = run({"scan", "sbom", sbom_file, "--db", db, "--format", "json"});
  EXPECT_EQ(again.code, 1) << again.out;
  EXPECT_EQ(again.json()["findings"].size(), 7u);
  EXPECT_EQ(again.json()["summary"]["ecosystem"], "Alpine:v3.18");
  // GitLab's report names the image the SBOM describes (its metadata.component), not the file.
  auto named = nlohmann::json::parse(bom.out);
  named["metadata"]["component"] = {{"type", "container"}, {"name", "registry.example/cart:1.4"}};
  std::ofstream(sbom_file, std::ios::trunc) << named.dump();
  Result gitlab = run({"scan", "sbom", sbom_file, "--db", db, "--format", "gitlab"});
  EXPECT_EQ(gitlab.code, 1) << gitlab.out;
  EXPECT_EQ(gitlab.json()["vulnerabilities"][0]["location"]["image"], "registry.example/cart:1.4");
  // SARIF: inside the image, so at the Dockerfile when given, else named by image and package.
  Result sarif = run({"scan", "sbom", sbom_file, "--db", db, "--format", "sarif"});
  EXPECT_EQ(testing::sarif_problems(sarif.out), "");
  auto result = sarif.json()["runs"][0]["results"][0];
  EXPECT_TRUE(result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                  .get<std::string>()
                  .starts_with("registry.example/cart:1.4/"))
      << result;
  Result placed = run(
      {"scan", "sbom", sbom_file, "--db", db, "--format", "sarif", "--dockerfile", "Dockerfile"});
  EXPECT_EQ(testing::sarif_problems(placed.out), "");
  EXPECT_EQ(placed.json()["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
                         ["artifactLocation"]["uri"],
            "Dockerfile");
}

TEST(ScanCli, FailsClosedWithoutUsableData) {
  files::TempDir dir;
  std::string alpine = (testdata() / "alpine-rootfs").string();
  std::string missing = (dir.path() / "none.sqlite").string();
  Result r = run({"scan", "rootfs", alpine, "--db", missing});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("tollgate db update"), std::string::npos) << r.out;
  Result j = run({"scan", "rootfs", alpine, "--db", missing, "--format", "json"});
  EXPECT_EQ(j.code, 2);
  EXPECT_EQ(j.json()["status"], "error");

  std::string db = db_with_testdata(dir.path());
  Result old = run({"scan", "rootfs", alpine, "--db", db, "--max-db-age", "0s"});
  EXPECT_EQ(old.code, 2);
  EXPECT_NE(old.out.find("days old"), std::string::npos) << old.out;

  // An OS the data does not cover is "could not verify", never a clean pass.
  fs::create_directories(dir.path() / "fedora/etc");
  std::ofstream(dir.path() / "fedora/etc/os-release") << "ID=fedora\nVERSION_ID=39\n";
  Result fedora = run({"scan", "rootfs", (dir.path() / "fedora").string(), "--db", db});
  EXPECT_EQ(fedora.code, 2);
  EXPECT_NE(fedora.out.find("unsupported OS"), std::string::npos) << fedora.out;

  // Debian 11 is a supported OS, but this database holds none of its records... it does:
  // the testdata has Debian:11 entries. Ubuntu it has not.
  fs::create_directories(dir.path() / "ubuntu/etc");
  fs::create_directories(dir.path() / "ubuntu/var/lib/dpkg");
  std::ofstream(dir.path() / "ubuntu/etc/os-release")
      << "ID=ubuntu\nVERSION_ID=\"22.04\"\nVERSION=\"22.04.3 LTS (Jammy Jellyfish)\"\n";
  std::ofstream(dir.path() / "ubuntu/var/lib/dpkg/status")
      << "Package: bash\nStatus: install ok installed\nVersion: 5.1-6ubuntu1\n";
  Result ubuntu = run({"scan", "rootfs", (dir.path() / "ubuntu").string(), "--db", db});
  EXPECT_EQ(ubuntu.code, 2);
  EXPECT_NE(ubuntu.out.find("no records for Ubuntu:22.04:LTS"), std::string::npos) << ubuntu.out;
}

TEST(ScanCli, BadInputIsExitTwoWithWhere) {
  files::TempDir dir;
  std::string db = db_with_testdata(dir.path());
  std::string alpine = (testdata() / "alpine-rootfs").string();
  auto ignore = (dir.path() / "ignore.yml").string();
  std::ofstream(ignore) << "ignore:\n  - id: CVE-2022-48174\n    reason: [unclosed\n";
  Result r = run({"scan", "rootfs", alpine, "--db", db, "--ignore-file", ignore});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("ignore.yml:"), std::string::npos) << r.out;
  EXPECT_EQ(run({"scan", "rootfs", alpine, "--db", db, "--fail-on", "severe"}).code, 2);
  EXPECT_EQ(run({"scan", "rootfs", alpine, "--no-such-flag"}).code, 2);
  auto broken = (dir.path() / "broken.json").string();
  std::ofstream(broken) << "{\"id\": \"X\",\n \"affected\": [}\n";
  Result imp = run({"db", "import", broken, "--db", db});
  EXPECT_EQ(imp.code, 2);
  EXPECT_NE(imp.out.find("broken.json:2:"), std::string::npos) << imp.out;
}

TEST(ScanCli, IgnoreFileAcceptsARiskUntilItExpires) {
  files::TempDir dir;
  std::string db = db_with_testdata(dir.path());
  std::string alpine = (testdata() / "alpine-rootfs").string();
  auto ignore = (dir.path() / "ignore.yml").string();
  std::ofstream(ignore)
      << "ignore:\n"
         "  - id: CVE-2022-48174\n    reason: ash is not in the runtime path\n"
         "    expires: 2099-12-31\n"
         "  - id: CVE-2023-5363\n    reason: no TLS here\n    expires: 2021-01-01\n";
  Result r =
      run({"scan", "rootfs", alpine, "--db", db, "--ignore-file", ignore, "--format", "json"});
  EXPECT_EQ(r.code, 1);  // the expired entry no longer covers CVE-2023-5363
  auto v = r.json();
  EXPECT_EQ(v["summary"]["blocking"], 2);
  EXPECT_EQ(v["summary"]["ignored"], 3);
  EXPECT_EQ(v["summary"]["expired_ignores"].size(), 1u);
}

TEST(ScanCli, DbStatusShowsEcosystemsCountsAndAge) {
  files::TempDir dir;
  std::string db = db_with_testdata(dir.path());
  Result r = run({"db", "status", "--db", db, "--json"});
  ASSERT_EQ(r.code, 0) << r.out;
  auto s = r.json();
  EXPECT_EQ(s["advisories"], 14);
  EXPECT_LT(s["age_seconds"].get<double>(), 60);
  Result t = run({"db", "status", "--db", db});
  EXPECT_NE(t.out.find("Debian:12"), std::string::npos);
  EXPECT_EQ(run({"db", "status", "--db", (dir.path() / "nope.sqlite").string()}).code, 2);
}

}  // namespace
}  // namespace tollgate::scan_e2e
