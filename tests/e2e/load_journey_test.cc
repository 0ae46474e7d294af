// tollgate load end to end against the project's own test server (src/load/test_server.h),
// which can do what nginx cannot on cue: a login/cart API with per-user tokens, and a stall.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "load/test_server.h"
#include "support/server.h"
#include "util/files.h"
#include "util/process.h"

namespace tollgate {
namespace {

namespace fs = std::filesystem;
using load::testing::TestServer;

struct Result {
  int exit_code;
  std::string output;
};

Result tollgate(std::vector<std::string> args) {
  args.insert(args.begin(), testing::tollgate_binary().string());
  process::Command cmd(args);
  cmd.timeout = std::chrono::seconds(60);
  auto r = process::run_capture(cmd);
  return {r.outcome.exit_code, r.output};
}

TEST(LoadJourney, LoginTokenCarriesIntoTheCart) {
  TestServer server;
  files::TempDir dir("load-journey");
  files::write_atomic(dir.path() / "users.csv", "name\nalice\nbob\n");
  files::write_atomic(dir.path() / "s.yaml", "host: " + server.url() + R"(
data: {users: {csv: users.csv}}
load: {users: 2, iterations: 20}
journeys:
  - name: shopper
    requests:
      - name: login
        method: POST
        path: /login
        json: {username: "${users.name}", password: secret}
        check: {status: 200}
        extract: {token: {json: "$.access_token"}}
      - name: add to cart
        path: /cart/${users.name}
        headers: {Authorization: "Bearer ${token}"}
        check: {status: 200, json: {"$.added": true}}
thresholds:
  checks: ["rate==1"]
  "http_req_failed{name:add to cart}": ["rate==0"]
)");
  fs::path out = dir.path() / "r.json";
  Result r = tollgate({"load", (dir.path() / "s.yaml").string(), "-f", "json", "-o", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json s = nlohmann::json::parse(files::read(out))["summary"];
  EXPECT_EQ(s["requests"]["login"]["count"], 20);
  EXPECT_EQ(s["requests"]["add to cart"]["count"], 20);
  EXPECT_EQ(s["requests"]["add to cart"]["failures"], 0);
  EXPECT_EQ(s["overall"]["checks_passed"], 60);  // 20 logins, 20 carts with 2 assertions
  EXPECT_EQ(server.requests(), 40u);
}

TEST(LoadJourney, OpenModelReportsAStallFromTheSchedule) {
  TestServer server;
  files::TempDir dir("load-journey");
  files::write_atomic(dir.path() / "s.yaml",
                      "host: " + server.url() +
                          "\nload: {rate: 100, duration: 2s, max_connections: 2}\n"
                          "journeys: [{requests: [{name: ok, path: /ok}]}]\n"
                          "thresholds: {\"http_req_duration\": [\"p(90)<50\"]}\n");
  std::thread staller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    server.stall(std::chrono::milliseconds(500));
  });
  fs::path out = dir.path() / "r.json";
  Result r = tollgate({"load", (dir.path() / "s.yaml").string(), "-f", "json", "-o", out.string()});
  staller.join();
  // ~50 journeys were due during the 500 ms stall; timed from their schedule they breach p90.
  EXPECT_EQ(r.exit_code, 1) << r.output;
  nlohmann::json s = nlohmann::json::parse(files::read(out))["summary"];
  EXPECT_GE(s["overall"]["p90_ms"].get<double>(), 100.0);
  EXPECT_GE(s["overall"]["max_ms"].get<double>(), 400.0);
  EXPECT_NEAR(s["overall"]["count"].get<double>(), 200.0, 5.0);
}

}  // namespace
}  // namespace tollgate
