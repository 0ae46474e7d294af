// tollgate scan image on every archive format, built by the test: an OCI layout written by
// make_oci_layout.py, converted by skopeo to docker-archive and oci-archive.
#include <set>

#include "scan_helpers.h"
#include "util/files.h"

namespace tollgate::scan_e2e {
namespace {

class ScanImage : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::have_program("skopeo")) << "skopeo is not installed";
    db_ = db_with_testdata(dir_.path());
    // Layer 2 upgrades busybox past CVE-2022-48174's fix: only the merged view is right.
    fs::create_directories(dir_.path() / "upgrade/lib/apk/db");
    Result up = sh("sed 's/^V:1.36.0-r9/V:1.36.1-r2/' '" +
                   (testdata() / "alpine-rootfs/lib/apk/db/installed").string() + "' > '" +
                   (dir_.path() / "upgrade/lib/apk/db/installed").string() + "'");
    ASSERT_EQ(up.code, 0) << up.out;
  }

  std::string layout(const std::string& name, const std::string& compression,
                     std::vector<std::string> layers = {}) {
    std::string out = (dir_.path() / name).string();
    if (layers.empty())
      layers = {(testdata() / "alpine-rootfs").string(), (dir_.path() / "upgrade").string()};
    std::string cmd = "python3 '" + (testdata() / "make_oci_layout.py").string() + "' '" + out +
                      "' tg --compression " + compression;
    for (const auto& l : layers)
      cmd += " '" + l + "'";
    Result r = sh(cmd);
    EXPECT_EQ(r.code, 0) << r.out;
    return out;
  }

  std::set<std::string> scan_ids(const std::string& ref, int expected_code = 1) {
    Result r = run({"scan", "image", ref, "--db", db_, "--format", "json"});
    EXPECT_EQ(r.code, expected_code) << ref << ": " << r.out;
    std::set<std::string> ids;
    if (r.code == 2) return ids;
    auto v = r.json();
    for (const auto& f : v["findings"])
      ids.insert(f["id"].get<std::string>() + " " + f["properties"]["package"].get<std::string>());
    return ids;
  }

  files::TempDir dir_;
  std::string db_;
};

const std::set<std::string> kExpected = {"CVE-2023-5363 libcrypto3", "CVE-2023-5363 libssl3",
                                         "CVE-2023-3817 libcrypto3", "CVE-2023-3817 libssl3"};

TEST_F(ScanImage, EveryArchiveFormatGivesTheSameFindings) {
  std::string oci = layout("layout", "gzip");
  std::string docker = (dir_.path() / "docker.tar").string();
  std::string ociar = (dir_.path() / "oci.tar").string();
  Result c1 = sh("skopeo copy oci:" + oci + ":tg docker-archive:" + docker + ":tollgate/demo:test");
  ASSERT_EQ(c1.code, 0) << c1.out;
  Result c2 = sh("skopeo copy oci:" + oci + ":tg oci-archive:" + ociar + ":test");
  ASSERT_EQ(c2.code, 0) << c2.out;
  EXPECT_EQ(scan_ids(oci), kExpected);
  EXPECT_EQ(scan_ids(docker), kExpected);
  EXPECT_EQ(scan_ids(ociar), kExpected);
  // docker >= 25 writes an OCI layout plus the legacy manifest.json naming blobs/sha256 paths.
  Result m = sh("cd '" + oci +
                "' && python3 -c \"import json; i=json.load(open('index.json'));"
                "m=json.load(open('blobs/sha256/'+i['manifests'][0]['digest'][7:]));"
                "json.dump([{'Config':'blobs/sha256/'+m['config']['digest'][7:],"
                "'RepoTags':['tollgate/demo:25'],"
                "'Layers':['blobs/sha256/'+l['digest'][7:] for l in m['layers']]}],"
                "open('manifest.json','w'))\" && tar -cf ../docker25.tar .");
  ASSERT_EQ(m.code, 0) << m.out;
  Result r = run(
      {"scan", "image", (dir_.path() / "docker25.tar").string(), "--db", db_, "--format", "json"});
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_EQ(r.json()["summary"]["target"], "tollgate/demo:25");
  EXPECT_EQ(r.json()["findings"].size(), 4u);
}

// An image that only a local engine has ("localhost/..." is podman's name for an image built
// here) is saved from the engine's store and scanned as any archive: the same findings.
TEST_F(ScanImage, AnImageInPodmansStoreIsScannedFromThere) {
  ASSERT_TRUE(testing::have_program("podman")) << "podman is not installed";
  std::string oci = layout("layout", "gzip");
  std::string ref = "localhost/tollgate-test/scan-local:" + std::to_string(getpid());
  Result copied = sh("skopeo copy oci:" + oci + ":tg containers-storage:" + ref);
  ASSERT_EQ(copied.code, 0) << copied.out;
  EXPECT_EQ(scan_ids(ref), kExpected);
  Result r = run({"scan", "image", ref, "--db", db_, "--format", "json"});
  EXPECT_EQ(r.json()["summary"]["target"], ref) << r.out;
  // Told to look in the registry only, it does not find it there (nothing listens on
  // localhost:443): could not verify, with where it looked.
  r = run({"scan", "image", ref, "--db", db_, "--image-src", "registry"});
  EXPECT_EQ(r.code, 2) << r.out;
  sh("podman rmi -f " + ref);
  // Gone from podman, it is not found anywhere, and the message says where it was looked for.
  r = run({"scan", "image", ref, "--db", db_, "--image-src", "podman"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("image not found: podman has no image " + ref), std::string::npos) << r.out;
}

TEST_F(ScanImage, ZstdAndUncompressedLayers) {
  EXPECT_EQ(scan_ids(layout("zstd", "zstd")), kExpected);
  EXPECT_EQ(scan_ids(layout("plain", "none")), kExpected);
}

TEST_F(ScanImage, WhiteoutsDeleteWhatLowerLayersHad) {
  fs::create_directories(dir_.path() / "wipe/lib/apk/db");
  std::ofstream(dir_.path() / "wipe/lib/apk/db/.wh.installed");
  std::string oci = layout(
      "wiped", "gzip", {(testdata() / "alpine-rootfs").string(), (dir_.path() / "wipe").string()});
  Result r = run({"scan", "image", oci, "--db", db_});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("no installed packages"), std::string::npos) << r.out;
}

TEST_F(ScanImage, RefusesTamperedBlobsAndHostileArchives) {
  std::string oci = layout("tampered", "none");
  // Flip bytes inside the first layer blob; its name still claims the old digest.
  Result t = sh("cd '" + oci +
                "' && python3 -c \"import json; i=json.load(open('index.json'));"
                "m=json.load(open('blobs/sha256/'+i['manifests'][0]['digest'][7:]));"
                "p='blobs/sha256/'+m['layers'][0]['digest'][7:]; b=bytearray(open(p,'rb').read());"
                "j=b.find(b'musl'); b[j:j+4]=b'MUSL'; open(p,'wb').write(b)\"");
  ASSERT_EQ(t.code, 0) << t.out;
  Result r = run({"scan", "image", oci, "--db", db_});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.out.find("digest mismatch"), std::string::npos) << r.out;

  // Docker-archives whose layer writes "../../etc/cron.d/evil", then "/etc/cron.d/evil".
  for (const auto& [name, expected] : {std::pair<std::string, std::string>{
                                           "../../etc/cron.d/evil", "climbs out of the image root"},
                                       {"/etc/cron.d/evil", "its path is absolute"}}) {
    fs::path evil = dir_.path() / "evil";
    fs::remove_all(evil);
    fs::create_directories(evil);
    Result mk = sh(
        "cd '" + evil.string() +
        "' && python3 -c \"import tarfile,io,json\n"
        "def add(t,n,d):\n i=tarfile.TarInfo(n); i.size=len(d); t.addfile(i,io.BytesIO(d))\n"
        "with tarfile.open('layer.tar','w') as t:\n"
        " add(t,'etc/os-release',b'ID=alpine\\nVERSION_ID=3.18.0\\n')\n"
        " add(t,'" +
        name +
        "',b'* * * * * root sh\\n')\n"
        "open('config.json','w').write(json.dumps({'rootfs':{'diff_ids':[]}}))\n"
        "open('manifest.json','w').write(json.dumps([{'Config':'config.json','Layers':['layer.tar'"
        "]}]))\n"
        "\" && tar -cf ../evil.tar manifest.json config.json layer.tar");
    ASSERT_EQ(mk.code, 0) << mk.out;
    Result e = run({"scan", "image", (dir_.path() / "evil.tar").string(), "--db", db_});
    EXPECT_EQ(e.code, 2);
    EXPECT_NE(e.out.find(expected), std::string::npos) << e.out;
    EXPECT_FALSE(fs::exists(dir_.path().parent_path() / "etc/cron.d/evil"));
    EXPECT_FALSE(fs::exists("/etc/cron.d/evil"));
  }

  Result missing = run({"scan", "image", (dir_.path() / "nope.tar").string(), "--db", db_});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.out.find("no such file"), std::string::npos) << missing.out;
}

}  // namespace
}  // namespace tollgate::scan_e2e
