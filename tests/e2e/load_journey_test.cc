// tollgate load end to end against the project's own test server
// (tests/support/http_test_server.h), which can do what nginx cannot on cue: a login/cart API with
// per-user tokens, and a stall.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "support/http_test_server.h"
#include "support/server.h"
#include "util/files.h"
#include "util/process.h"
#include "util/strings.h"

namespace tollgate {
namespace {

namespace fs = std::filesystem;
using testing::HttpTestServer;

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
  HttpTestServer server;
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
  HttpTestServer server;
  files::TempDir dir("load-journey");
  files::write_atomic(dir.path() / "s.yaml",
                      "host: " + server.url() +
                          "\nload: {rate: 100, duration: 2s, max_connections: 2}\n"
                          "journeys: [{requests: [{name: ok, path: /ok}]}]\n"
                          "thresholds: {\"http_req_duration\": [\"p(90)<50\"]}\n");
  // Half a second into the run, whenever the binary gets there.
  server.stall_into_run(std::chrono::milliseconds(500), std::chrono::milliseconds(500));
  fs::path out = dir.path() / "r.json";
  Result r = tollgate({"load", (dir.path() / "s.yaml").string(), "-f", "json", "-o", out.string()});
  // ~50 journeys were due during the 500 ms stall; timed from their schedule they breach p90.
  EXPECT_EQ(r.exit_code, 1) << r.output;
  nlohmann::json s = nlohmann::json::parse(files::read(out))["summary"];
  EXPECT_GE(s["overall"]["p90_ms"].get<double>(), 100.0);
  EXPECT_GE(s["overall"]["max_ms"].get<double>(), 400.0);
  EXPECT_NEAR(s["overall"]["count"].get<double>(), 200.0, 5.0);
}

TEST(LoadJourney, TheShippedExampleRunsAsWritten) {
  // examples/load/shop.yaml is the issue's scenario as written; only the host is overridden.
  HttpTestServer server;
  fs::path example = testing::source_dir() / "examples" / "load" / "shop.yaml";
  files::TempDir dir("load-journey");
  fs::path out = dir.path() / "r.json";
  Result r = tollgate({"load", example.string(), "--host", server.url(), "--users", "6",
                       "--spawn-rate", "0", "--duration", "3s", "-f", "json", "-o", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json s = nlohmann::json::parse(files::read(out))["summary"];
  const nlohmann::json& requests = s["requests"];
  // Shoppers logged in and filled carts with the token they got; browsers read the catalogue.
  EXPECT_GT(requests["login"]["count"].get<int>(), 0);
  EXPECT_GT(requests["add to cart"]["count"].get<int>(), 0);
  EXPECT_EQ(requests["add to cart"]["failures"], 0);
  EXPECT_EQ(s["details"]["requests"]["add to cart"]["statuses"]["201"],
            requests["add to cart"]["count"]);
  EXPECT_EQ(s["overall"]["failures"], 0);
  EXPECT_EQ(s["overall"]["checks_failed"], 0);
  EXPECT_EQ(s["thresholds"].size(), 3u);
  EXPECT_GT(server.hits("/login"), 0u);
  EXPECT_GT(server.hits("/cart/item/alice") + server.hits("/cart/item/bob"), 0u);
}

// One live line as printed: "      2s  users     5  rps      230  p95    21.40 ms  errors   0.00%".
struct LiveLine {
  int second;
  int users;
  int rps;
  double p95_ms;
  double errors_percent;
};

std::vector<LiveLine> live_lines(const std::string& output) {
  static const std::regex kLine(
      R"((\d+)s +users +(\d+) +rps +(\d+) +p95 +([\d.]+) ms +errors +([\d.]+)%)");
  std::vector<LiveLine> out;
  for (auto it = std::sregex_iterator(output.begin(), output.end(), kLine);
       it != std::sregex_iterator(); ++it)
    out.push_back({std::stoi((*it)[1]), std::stoi((*it)[2]), std::stoi((*it)[3]),
                   std::stod((*it)[4]), std::stod((*it)[5])});
  return out;
}

// Runs tollgate under a pseudo-terminal, as a user at a terminal would see it.
Result tollgate_on_a_terminal(const std::vector<std::string>& args) {
  auto r = testing::tollgate_on_a_terminal(args);
  return {r.outcome.exit_code, r.output};
}

TEST(LoadJourney, LiveLineEverySecondOnATerminal) {
  ASSERT_TRUE(testing::have_program("script")) << "script(1) from util-linux makes the pty";
  HttpTestServer server;
  files::TempDir dir("load-journey");
  files::write_atomic(dir.path() / "s.yaml",
                      "host: " + server.url() +
                          "\nload: {users: 5, duration: 3s}\n"
                          "journeys: [{requests: [{name: slow, path: /delay/20}]}]\n");
  fs::path out = dir.path() / "r.json";
  Result r =
      tollgate_on_a_terminal({"load", (dir.path() / "s.yaml").string(), "--json", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::vector<LiveLine> lines = live_lines(r.output);
  ASSERT_EQ(lines.size(), 3u) << "one line per second of a 3 s run:\n" << r.output;
  int total = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const LiveLine& l = lines[i];
    EXPECT_EQ(l.second, static_cast<int>(i + 1));
    EXPECT_EQ(l.users, 5);
    // Five users each waiting 20 ms per request cannot exceed 250 requests a second.
    EXPECT_GT(l.rps, 25);
    EXPECT_LE(l.rps, 250);
    EXPECT_GE(l.p95_ms, 20.0);  // the server holds every request 20 ms
    EXPECT_LT(l.p95_ms, 500.0);
    EXPECT_EQ(l.errors_percent, 0.0);
    total += l.rps;
  }
  // The lines account for every request of the run.
  nlohmann::json s = nlohmann::json::parse(files::read(out))["summary"];
  EXPECT_EQ(total, s["overall"]["count"].get<int>());
  EXPECT_NE(r.output.find("tollgate load: closed model against"), std::string::npos) << r.output;
}

TEST(LoadJourney, LiveLineCountsErrorsAndStaysOffPipes) {
  ASSERT_TRUE(testing::have_program("script")) << "script(1) from util-linux makes the pty";
  HttpTestServer server;
  files::TempDir dir("load-journey");
  files::write_atomic(dir.path() / "s.yaml",
                      "host: " + server.url() +
                          "\nload: {users: 2, duration: 2s}\n"
                          "journeys: [{think: 10ms, requests: [{path: /status/503}]}]\n");
  Result tty = tollgate_on_a_terminal({"load", (dir.path() / "s.yaml").string()});
  EXPECT_EQ(tty.exit_code, 0) << tty.output;  // no threshold is set: failures alone do not fail
  std::vector<LiveLine> lines = live_lines(tty.output);
  ASSERT_EQ(lines.size(), 2u) << tty.output;
  for (const auto& l : lines) {
    EXPECT_EQ(l.users, 2);
    EXPECT_GT(l.rps, 0);
    EXPECT_EQ(l.errors_percent, 100.0);
  }
  // Off a terminal stderr carries no progress: pipes and CI logs get the summary only.
  Result piped = tollgate({"load", (dir.path() / "s.yaml").string()});
  EXPECT_EQ(piped.exit_code, 0) << piped.output;
  EXPECT_TRUE(live_lines(piped.output).empty()) << piped.output;
  EXPECT_EQ(piped.output.find("tollgate load: closed model"), std::string::npos);
  EXPECT_NE(piped.output.find("503"), std::string::npos) << piped.output;
}

TEST(LoadJourney, AbortOnFailJudgesAllThreadsTogether) {
  HttpTestServer server;
  files::TempDir dir("load-journey");
  // Each user starts a journey every 100 ms: 10 a second per thread, 20 for the two together.
  // Judged per thread, count<15 would only fail after 2 s; on the merged figures it fails at 1 s.
  files::write_atomic(dir.path() / "s.yaml", "host: " + server.url() + R"(
load: {users: 2, duration: 20s}
journeys: [{pacing: 100ms, requests: [{name: ok, path: /ok}]}]
thresholds:
  iterations: [{threshold: "count<15", abortOnFail: true}]
)");
  fs::path out = dir.path() / "r.json";
  Result r = tollgate({"load", (dir.path() / "s.yaml").string(), "--threads", "2", "-f", "json",
                       "-o", out.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  nlohmann::json s = nlohmann::json::parse(files::read(out))["summary"];
  EXPECT_EQ(s["abort_reason"], "threshold iterations count<15 failed after 1s (abortOnFail)");
  EXPECT_LT(s["duration_s"].get<double>(), 1.8) << "both threads stopped at once";
  EXPECT_GE(s["iterations"].get<int>(), 15);
  EXPECT_LE(s["iterations"].get<int>(), 26);
  EXPECT_LE(server.requests(), 26u);
}

TEST(LoadJourney, AbortOnFailWaitsForDelayAbortEval) {
  HttpTestServer server;
  files::TempDir dir("load-journey");
  files::write_atomic(dir.path() / "s.yaml", "host: " + server.url() + R"(
load: {users: 2, duration: 20s}
journeys: [{think: 20ms, requests: [{name: broken, path: /status/500}]}]
thresholds:
  "http_req_failed{name:broken}": [{threshold: "rate<0.5", abortOnFail: true, delayAbortEval: 2s}]
)");
  fs::path out = dir.path() / "r.json";
  Result r = tollgate({"load", (dir.path() / "s.yaml").string(), "--threads", "2", "-f", "json",
                       "-o", out.string()});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  nlohmann::json s = nlohmann::json::parse(files::read(out))["summary"];
  EXPECT_EQ(s["abort_reason"],
            "threshold http_req_failed{name:broken} rate<0.5 failed after 2s (abortOnFail)");
  EXPECT_GE(s["duration_s"].get<double>(), 2.0);
  EXPECT_LT(s["duration_s"].get<double>(), 3.0);
}

}  // namespace
}  // namespace tollgate
