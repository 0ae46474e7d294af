// tollgate scan image against a real docker-registry started on a free loopback port, with
// images pushed by skopeo: tags, digests, Docker v2 and OCI manifests, an index with two
// platforms, Basic auth (htpasswd) and Bearer tokens (a token front, see bearer_proxy.py).
#include <memory>

#include "scan_helpers.h"
#include "util/files.h"
#include "util/http.h"

namespace tollgate::scan_e2e {
namespace {

class Registry {
 public:
  Registry(const fs::path& dir, const std::string& storage, const std::string& auth_block) {
    port = testing::free_port();
    fs::path config = dir / ("registry-" + std::to_string(port) + ".yml");
    std::ofstream(config) << "version: 0.1\nlog: {level: warn}\n"
                          << "storage:\n  filesystem: {rootdirectory: " << storage << "}\n"
                          << "http:\n  addr: 127.0.0.1:" << port << "\n"
                          << auth_block;
    server = std::make_unique<testing::ServerProcess>(
        std::vector<std::string>{"docker-registry", "serve", config.string()},
        dir / ("registry-" + std::to_string(port) + ".log"));
    server->wait_for_port(port);
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(port); }
  int port = 0;
  std::unique_ptr<testing::ServerProcess> server;
};

class ScanRegistry : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::have_program("docker-registry") || !testing::have_program("skopeo") ||
        !testing::have_program("htpasswd"))
      return;
    dir_ = new files::TempDir("scan-registry");
    const fs::path& d = dir_->path();
    db_ = db_with_testdata(d);
    storage_ = (d / "storage").string();
    plain_ = new Registry(d, storage_, "");
    // Images: "vulnerable" is the Alpine fixture; "upgraded" adds a layer with busybox fixed.
    fs::create_directories(d / "upgrade/lib/apk/db");
    sh("sed 's/^V:1.36.0-r9/V:1.36.1-r2/' '" +
       (testdata() / "alpine-rootfs/lib/apk/db/installed").string() + "' > '" +
       (d / "upgrade/lib/apk/db/installed").string() + "'");
    std::string py = "python3 '" + (testdata() / "make_oci_layout.py").string() + "' ";
    std::string alpine = "'" + (testdata() / "alpine-rootfs").string() + "'";
    sh(py + "'" + (d / "vulnerable").string() + "' tg " + alpine);
    sh(py + "'" + (d / "upgraded").string() + "' tg --arch arm64 " + alpine + " '" +
       (d / "upgrade").string() + "'");
    std::string dest = "skopeo copy --dest-tls-verify=false ";
    auto push = [&](const std::string& args) {
      Result r = sh(dest + args);
      EXPECT_EQ(r.code, 0) << args << ": " << r.out;
    };
    push("oci:" + (d / "vulnerable").string() + ":tg docker://" + plain_->host() +
         "/tollgate/demo:test");
    push("--format v2s2 oci:" + (d / "vulnerable").string() + ":tg docker://" + plain_->host() +
         "/tollgate/demo:test-v2s2");
    push("oci:" + (d / "upgraded").string() + ":tg docker://" + plain_->host() +
         "/tollgate/demo:arm64");
  }
  static void TearDownTestSuite() {
    delete plain_;
    delete dir_;
    plain_ = nullptr;
    dir_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(plain_) << "docker-registry, skopeo or htpasswd is not installed";
  }

  // The digest of a tag's manifest, as the registry states it.
  static std::string digest_of(const std::string& tag) {
    auto r = http::get("http://" + plain_->host() + "/v2/tollgate/demo/manifests/" + tag,
                       {"Accept: application/vnd.oci.image.manifest.v1+json, "
                        "application/vnd.docker.distribution.manifest.v2+json"});
    return r.header("docker-content-digest");
  }

  static Result scan(std::vector<std::string> args, std::vector<std::string> env = {},
                     const std::string& input = "") {
    std::vector<std::string> all = {"scan", "image", "--db", db_, "--format", "json", "--insecure"};
    all.insert(all.end(), args.begin(), args.end());
    return run(all, input, env);
  }

  static inline files::TempDir* dir_ = nullptr;
  static inline Registry* plain_ = nullptr;
  static inline std::string db_, storage_;
};

TEST_F(ScanRegistry, PullsByTagAndDigestInOciAndDockerFormats) {
  for (const std::string tag : {"test", "test-v2s2"}) {
    Result r = scan({plain_->host() + "/tollgate/demo:" + tag});
    ASSERT_EQ(r.code, 1) << r.out;
    auto v = r.json();
    EXPECT_EQ(v["findings"].size(), 7u) << tag;
    EXPECT_EQ(v["summary"]["digest"], digest_of(tag));
  }
  std::string digest = digest_of("test");
  Result pinned = scan({plain_->host() + "/tollgate/demo@" + digest});
  EXPECT_EQ(pinned.code, 1) << pinned.out;
  Result missing = scan({plain_->host() + "/tollgate/demo:nope"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_NE(missing.out.find("MANIFEST_UNKNOWN"), std::string::npos) << missing.out;
}

TEST_F(ScanRegistry, PicksThePlatformFromAnIndex) {
  nlohmann::json index = {
      {"schemaVersion", 2},
      {"mediaType", "application/vnd.oci.image.index.v1+json"},
      {"manifests",
       {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
         {"digest", digest_of("test")},
         {"size", 1},
         {"platform", {{"architecture", "amd64"}, {"os", "linux"}}}},
        {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
         {"digest", digest_of("arm64")},
         {"size", 1},
         {"platform", {{"architecture", "arm64"}, {"os", "linux"}, {"variant", "v8"}}}}}}};
  // Sizes must be right for the registry to accept the index.
  for (auto& m : index["manifests"]) {
    auto r = http::get("http://" + plain_->host() + "/v2/tollgate/demo/manifests/" +
                           m["digest"].get<std::string>(),
                       {"Accept: application/vnd.oci.image.manifest.v1+json"});
    m["size"] = r.body.size();
  }
  http::Request put;
  put.method = "PUT";
  put.url = "http://" + plain_->host() + "/v2/tollgate/demo/manifests/multi";
  put.headers = {"Content-Type: application/vnd.oci.image.index.v1+json"};
  put.body = index.dump();
  ASSERT_EQ(http::perform(put).status, 201);
  std::string ref = plain_->host() + "/tollgate/demo:multi";
  Result amd = scan({ref});
  EXPECT_EQ(amd.code, 1) << amd.out;
  EXPECT_EQ(amd.json()["findings"].size(), 7u);
  Result arm = scan({ref, "--platform", "linux/arm64"});
  EXPECT_EQ(arm.code, 1) << arm.out;
  EXPECT_EQ(arm.json()["findings"].size(), 4u);  // busybox upgraded in its second layer
  Result none = scan({ref, "--platform", "linux/s390x"});
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.out.find("linux/amd64, linux/arm64/v8"), std::string::npos) << none.out;
}

TEST_F(ScanRegistry, BasicAuthFromFlagsStdinOrDockerConfig) {
  const fs::path& d = dir_->path();
  Result h = sh("htpasswd -Bbn tguser tgpass > '" + (d / "htpasswd").string() + "'");
  ASSERT_EQ(h.code, 0) << h.out;
  Registry locked(
      d, storage_,
      "auth:\n  htpasswd: {realm: tollgate-test, path: " + (d / "htpasswd").string() + "}\n");
  std::string ref = locked.host() + "/tollgate/demo:test";
  Result anon = scan({ref});
  EXPECT_EQ(anon.code, 2);
  EXPECT_NE(anon.out.find("--username"), std::string::npos) << anon.out;
  Result env = scan({ref, "--username", "tguser"}, {"TOLLGATE_REGISTRY_PASSWORD=tgpass"});
  EXPECT_EQ(env.code, 1) << env.out;
  Result stdin_pw = scan({ref, "--username", "tguser", "--password-stdin"}, {}, "tgpass\n");
  EXPECT_EQ(stdin_pw.code, 1) << stdin_pw.out;
  Result wrong = scan({ref, "--username", "tguser"}, {"TOLLGATE_REGISTRY_PASSWORD=nope"});
  EXPECT_EQ(wrong.code, 2);
  EXPECT_NE(wrong.out.find("refused the credentials"), std::string::npos) << wrong.out;
  // ~/.docker/config.json: auths.<host>.auth is base64("user:password").
  fs::create_directories(d / "home/.docker");
  std::ofstream(d / "home/.docker/config.json")
      << "{\"auths\": {\"" << locked.host() << "\": {\"auth\": \"dGd1c2VyOnRncGFzcw==\"}}}";
  Result config = scan({ref}, {"HOME=" + (d / "home").string()});
  EXPECT_EQ(config.code, 1) << config.out;
}

TEST_F(ScanRegistry, BearerTokensFromTheRealmTheRegistryNames) {
  int port = testing::free_port();
  testing::ServerProcess proxy(
      {"python3", (testdata() / "bearer_proxy.py").string(), std::to_string(port),
       "http://" + plain_->host(), "tguser", "tgpass"},
      dir_->path() / "bearer.log");
  proxy.wait_for_port(port);
  std::string ref = "127.0.0.1:" + std::to_string(port) + "/tollgate/demo:test";
  Result ok = scan({ref, "--username", "tguser"}, {"TOLLGATE_REGISTRY_PASSWORD=tgpass"});
  EXPECT_EQ(ok.code, 1) << ok.out;
  EXPECT_EQ(ok.json()["findings"].size(), 7u);
  Result anon = scan({ref});
  EXPECT_EQ(anon.code, 2);
  EXPECT_NE(anon.out.find("token server"), std::string::npos) << anon.out;
}

TEST_F(ScanRegistry, UnreachableRegistryIsCouldNotVerify) {
  Result r = scan({"127.0.0.1:" + std::to_string(testing::free_port()) + "/tollgate/demo:test"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.json()["status"], "error");
}

}  // namespace
}  // namespace tollgate::scan_e2e
