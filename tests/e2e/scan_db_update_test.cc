// tollgate db update from a local HTTP server (python3 -m http.server) serving OSV zips laid out
// as osv.dev publishes them (<Ecosystem>/all.zip).
#include "scan_helpers.h"
#include "util/files.h"

namespace tollgate::scan_e2e {
namespace {

TEST(ScanDbUpdate, DownloadsAndImportsAtomically) {
  ASSERT_TRUE(testing::have_program("zip") && testing::have_program("python3"))
      << "zip or python3 is not installed";
  files::TempDir dir;
  fs::path srv = dir.path() / "srv";
  fs::create_directories(srv / "Debian");
  fs::create_directories(srv / "Alpine");
  fs::create_directories(srv / "Broken");
  Result z = sh("zip -qj '" + (srv / "Debian/all.zip").string() + "' '" +
                (testdata() / "osv/debian").string() + "'/*.json && zip -qj '" +
                (srv / "Alpine/all.zip").string() + "' '" + (testdata() / "osv/alpine").string() +
                "'/*.json && head -c 700 '" + (srv / "Alpine/all.zip").string() + "' > '" +
                (srv / "Broken/all.zip").string() + "'");
  ASSERT_EQ(z.code, 0) << z.out;
  int port = testing::free_port();
  testing::ServerProcess server({"python3", "-m", "http.server", std::to_string(port), "--bind",
                                 "127.0.0.1", "--directory", srv.string()},
                                dir.path() / "http.log");
  server.wait_for_port(port);
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  std::string db = (dir.path() / "vulndb.sqlite").string();

  Result r = run({"db", "update", "--db", db, "--source", base + "/Debian/all.zip", "--source",
                  base + "/Alpine/all.zip"});
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("imported 14 OSV records"), std::string::npos) << r.out;
  // Not a terminal: one progress line per step, no redrawn counters.
  for (const std::string& step :
       {"downloading " + base + "/Debian/all.zip", "importing " + base + "/Alpine/all.zip"})
    EXPECT_NE(r.out.find(step + "\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\r'), std::string::npos) << r.out;
  auto before = run({"db", "status", "--db", db, "--json"}).json();
  EXPECT_EQ(before["advisories"], 14);

  Result broken = run({"db", "update", "--db", db, "--source", base + "/Broken/all.zip"});
  EXPECT_EQ(broken.code, 2);
  EXPECT_NE(broken.out.find(base + "/Broken/all.zip"), std::string::npos) << broken.out;
  EXPECT_NE(broken.out.find("left unchanged"), std::string::npos) << broken.out;
  Result missing = run({"db", "update", "--db", db, "--source", base + "/Nope/all.zip"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.out.find("HTTP 404"), std::string::npos) << missing.out;
  auto after = run({"db", "status", "--db", db, "--json"}).json();
  EXPECT_EQ(after["advisories"], 14);
  EXPECT_EQ(after["updated_at"], before["updated_at"]);

  // The updated database scans.
  Result scan = run({"scan", "rootfs", (testdata() / "alpine-rootfs").string(), "--db", db});
  EXPECT_EQ(scan.code, 1) << scan.out;
}

}  // namespace
}  // namespace tollgate::scan_e2e
