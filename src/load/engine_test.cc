#include "load/engine.h"

#include <gtest/gtest.h>

#include <chrono>

#include "load/result.h"
#include "support/http_test_server.h"
#include "support/server.h"
#include "util/files.h"

namespace tollgate::load {
namespace {

using tollgate::testing::HttpTestServer;

Scenario scenario(const HttpTestServer& server, const std::string& body, const Overrides& o = {}) {
  return parse_scenario("host: " + server.url() + "\n" + body, "test.yaml", o);
}

Stats run(const Scenario& s) {
  RunControl control;
  return run_load(s, control);
}

const RequestStats& by_name(const Stats& s, const std::string& name) {
  auto it = std::find(s.names.begin(), s.names.end(), name);
  EXPECT_NE(it, s.names.end()) << name;
  return s.requests[static_cast<size_t>(it - s.names.begin())];
}

TEST(Engine, ClosedModelRunsExactlyTheIterations) {
  HttpTestServer server;
  Scenario s = scenario(server,
                        "load: {users: 4, iterations: 100, duration: 30s}\n"
                        "journeys: [{requests: [{name: a, path: /ok}, {name: b, path: /chunked,"
                        " check: {json: {\"$.items[2]\": 3}}}]}]\n");
  Stats stats = run(s);
  EXPECT_EQ(stats.iterations, 100u);
  EXPECT_EQ(stats.overall.count, 200u);
  EXPECT_EQ(server.requests(), 200u);
  EXPECT_EQ(stats.overall.failures, 0u);
  EXPECT_EQ(by_name(stats, "b").checks_passed, 100u);  // the chunked body was reassembled
  EXPECT_EQ(stats.overall.statuses.at(200), 200u);
  // keep-alive: one connection per user
  EXPECT_EQ(server.connections(), 4u);
  EXPECT_LT(stats.duration_s, 10.0);
}

TEST(Engine, ExtractionCarriesATokenAcrossTheJourney) {
  HttpTestServer server;
  files::TempDir dir;
  files::write_atomic(dir.path() / "users.csv", "name\nalice\nbob\ncarol\n");
  std::string text = "host: " + server.url() + R"(
data: {users: {csv: users.csv}}
load: {users: 3, iterations: 30}
journeys:
  - requests:
      - name: login
        method: POST
        path: /login
        json: {username: "${users.name}", password: x}
        check: {status: 200}
        extract: {token: {json: "$.access_token"}}
      - name: cart
        path: /cart/${users.name}
        headers: {Authorization: "Bearer ${token}"}
        check: {status: 200, body_contains: added}
)";
  files::write_atomic(dir.path() / "s.yaml", text);
  Stats stats = run(load_scenario((dir.path() / "s.yaml").string()));
  EXPECT_EQ(stats.iterations, 30u);
  const RequestStats& cart = by_name(stats, "cart");
  EXPECT_EQ(cart.count, 30u);
  EXPECT_EQ(cart.failures, 0u);
  EXPECT_EQ(cart.statuses.at(200), 30u);
  EXPECT_EQ(cart.checks_passed, 60u);
  EXPECT_EQ(stats.overall.checks_failed, 0u);
}

TEST(Engine, FailedExtractionStopsTheJourneyAndCountsAFailedCheck) {
  HttpTestServer server;
  Scenario s = scenario(server, R"(load: {users: 1, iterations: 5}
journeys:
  - requests:
      - {name: login, path: /ok, extract: {token: {json: "$.access_token"}}}
      - {name: cart, path: "/cart/x", headers: {Authorization: "Bearer ${token}"}}
)");
  Stats stats = run(s);
  EXPECT_EQ(stats.iterations_failed, 5u);
  EXPECT_EQ(by_name(stats, "login").checks_failed, 5u);
  EXPECT_EQ(by_name(stats, "cart").count, 0u);
}

TEST(Engine, StatusesCountAsFailuresUnlessExpected) {
  HttpTestServer server;
  Scenario s = scenario(server, R"(load: {users: 2, iterations: 20}
journeys:
  - requests:
      - {name: missing, path: /status/404}
      - {name: expected, path: /status/404, check: {status: 404}}
      - {name: broken, path: /status/503}
)");
  Stats stats = run(s);
  EXPECT_EQ(by_name(stats, "missing").failures, 20u);
  EXPECT_EQ(by_name(stats, "expected").failures, 0u);
  EXPECT_EQ(by_name(stats, "broken").failures, 20u);
  EXPECT_EQ(stats.overall.errors[static_cast<size_t>(ErrorClass::Status)], 40u);
}

TEST(Engine, ResetsAndClosesAreClassified) {
  HttpTestServer server;
  Scenario s = scenario(server, R"(load: {users: 1, iterations: 10}
journeys:
  - requests:
      - {name: close, path: /close}
      - {name: reset, path: /reset}
)");
  Stats stats = run(s);
  EXPECT_EQ(by_name(stats, "close").failures, 0u);
  EXPECT_EQ(by_name(stats, "close").count, 10u);
  const RequestStats& reset = by_name(stats, "reset");
  EXPECT_EQ(reset.count, 10u);
  EXPECT_EQ(reset.failures, 10u);
  EXPECT_EQ(reset.errors[static_cast<size_t>(ErrorClass::Reset)], 10u);
  EXPECT_EQ(stats.iterations_failed, 10u);
}

TEST(Engine, SlowResponsesTimeOutAndTheRunStillEnds) {
  HttpTestServer server;
  Scenario s = scenario(server, R"(defaults: {timeout: 100ms}
load: {users: 2, duration: 1s}
journeys: [{requests: [{name: slow, path: /delay/400}]}]
)");
  auto begin = std::chrono::steady_clock::now();
  Stats stats = run(s);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  EXPECT_LT(took, 2.0);
  const RequestStats& slow = by_name(stats, "slow");
  EXPECT_GE(slow.errors[static_cast<size_t>(ErrorClass::Timeout)], 4u);
  EXPECT_EQ(slow.latency.count(), 0u);
}

TEST(Engine, RefusedConnectionsMakeAnErrorVerdict) {
  int port = tollgate::testing::free_port();  // nothing listens there
  Scenario s = parse_scenario("host: http://127.0.0.1:" + std::to_string(port) +
                                  "\nload: {users: 1, duration: 5s}\n"
                                  "journeys: [{requests: [{path: /}]}]\n",
                              "t.yaml");
  RunControl control;
  auto begin = std::chrono::steady_clock::now();
  Stats stats = run_load(s, control);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  EXPECT_LT(took, 2.5);  // gives up after the first second instead of hammering for 5
  EXPECT_GT(stats.overall.errors[static_cast<size_t>(ErrorClass::Refused)], 0u);
  verdict::Verdict v = make_verdict({}, stats, {"http://x", "closed", control.abort_reason});
  EXPECT_EQ(v.exit_code(), 2);
  EXPECT_NE(v.reason.find("refused"), std::string::npos) << v.reason;
}

TEST(Engine, OpenModelKeepsTheArrivalRate) {
  HttpTestServer server;
  Scenario s = scenario(server,
                        "load: {rate: 200, duration: 1s}\n"
                        "journeys: [{requests: [{path: /ok}]}]\n");
  Stats stats = run(s);
  EXPECT_NEAR(static_cast<double>(stats.overall.count), 200.0, 3.0);
  EXPECT_EQ(stats.dropped_iterations, 0u);
}

TEST(Engine, OpenModelStagesChangeTheRate) {
  HttpTestServer server;
  Scenario s = scenario(server,
                        "load: {stages: [{rate: 50, duration: 1s}, {rate: 150, duration: 1s}]}\n"
                        "journeys: [{requests: [{path: /ok}]}]\n");
  Stats stats = run(s);
  ASSERT_GE(stats.seconds.size(), 2u);
  EXPECT_NEAR(static_cast<double>(stats.seconds[0].count), 50.0, 3.0);
  EXPECT_NEAR(static_cast<double>(stats.seconds[1].count), 150.0, 3.0);
}

// The point of the open model: a 500 ms stall delays every journey scheduled during it, and
// latency measured from the schedule shows that; the closed model with one user sends nothing
// while it waits, so it records the stall once (coordinated omission).
TEST(Engine, OpenModelShowsAStallThatTheClosedModelHides) {
  auto stalled_run = [](const std::string& load) {
    HttpTestServer server;
    Scenario s = scenario(server, load + "journeys: [{requests: [{path: /ok}]}]\n");
    RunControl control;
    server.stall_into_run(std::chrono::milliseconds(500), std::chrono::milliseconds(500));
    return run_load(s, control);
  };
  Stats open = stalled_run("load: {rate: 100, duration: 2s, max_connections: 1}\n");
  Stats closed = stalled_run("load: {users: 1, duration: 2s}\n");
  // open: ~50 of ~200 journeys were due during the stall, waiting up to 500 ms
  EXPECT_GE(open.overall.latency.percentile_us(90), 150'000);
  EXPECT_GE(open.overall.latency.max_us(), 400'000);
  // closed: the same stall is one slow sample among thousands
  EXPECT_GE(closed.overall.latency.max_us(), 400'000);
  EXPECT_LT(closed.overall.latency.percentile_us(99), 50'000);
}

TEST(Engine, OpenModelDropsJourneysThatCannotStartInTime) {
  HttpTestServer server;
  // One connection, 200 ms per answer, 100 arrivals a second: most journeys wait longer than
  // the 300 ms timeout for the connection and are dropped, not queued without bound.
  Scenario s = scenario(server, R"(defaults: {timeout: 300ms}
load: {rate: 100, duration: 1s, max_connections: 1}
journeys: [{requests: [{path: /delay/200}]}]
)");
  Stats stats = run(s);
  EXPECT_GE(stats.dropped_iterations, 60u);
  EXPECT_LE(stats.overall.count, 10u);
  verdict::Verdict v = make_verdict({}, stats, {"x", "open", ""});
  bool reported = std::any_of(v.findings.begin(), v.findings.end(),
                              [](const auto& f) { return f.id == "dropped_iterations"; });
  EXPECT_TRUE(reported);
}

TEST(Engine, BuiltinVariablesNameTheUser) {
  HttpTestServer server;
  Scenario s = scenario(server,
                        "load: {users: 2, iterations: 10}\n"
                        "journeys: [{requests: [{path: '/status/20${__vu}'}]}]\n");
  Stats stats = run(s);
  // user 1 asks for /status/201, user 2 for /status/202
  EXPECT_EQ(stats.overall.statuses.at(201) + stats.overall.statuses.at(202), 10u);
}

TEST(Engine, PacingSpacesIterations) {
  HttpTestServer server;
  Scenario s = scenario(server,
                        "load: {users: 1, duration: 1s}\n"
                        "journeys: [{pacing: 250ms, requests: [{path: /ok}]}]\n");
  Stats stats = run(s);
  EXPECT_GE(stats.overall.count, 4u);  // at 0, 250, 500 and 750 ms
  EXPECT_LE(stats.overall.count, 5u);
}

TEST(Engine, AbortOnFailStopsTheRunEarly) {
  HttpTestServer server;
  Scenario s = scenario(server, R"(load: {users: 2, duration: 20s}
journeys: [{requests: [{path: /status/500}]}]
thresholds:
  http_req_failed: [{threshold: "rate<0.01", abortOnFail: true}]
)");
  RunControl control;
  Stats stats = run_load(s, control);
  EXPECT_LT(stats.duration_s, 3.0);
  EXPECT_NE(control.abort_reason.find("http_req_failed rate<0.01"), std::string::npos);
  verdict::Verdict v = make_verdict(s.thresholds, stats, {"x", "closed", control.abort_reason});
  EXPECT_EQ(v.exit_code(), 1);
}

TEST(Engine, UsersRampUpAtTheSpawnRate) {
  HttpTestServer server;
  Scenario s = scenario(server,
                        "load: {users: 10, spawn_rate: 5, duration: 2500ms}\n"
                        "journeys: [{think: 10ms, requests: [{path: /ok}]}]\n");
  Stats stats = run(s);
  ASSERT_GE(stats.seconds.size(), 2u);
  // one user every 200 ms: 5 by the end of the first second, all 10 by the end of the second
  EXPECT_GE(stats.seconds[0].users, 5u);
  EXPECT_LE(stats.seconds[0].users, 6u);
  EXPECT_EQ(stats.seconds[1].users, 10u);
}

TEST(Engine, MaxRequestsIsAHardBound) {
  HttpTestServer server;
  Scenario s = scenario(server,
                        "load: {users: 3, duration: 20s, max_requests: 50}\n"
                        "journeys: [{requests: [{path: /ok}, {path: /chunked}]}]\n");
  Stats stats = run(s);
  EXPECT_EQ(stats.overall.count, 50u);
  EXPECT_EQ(server.requests(), 50u);
  EXPECT_LT(stats.duration_s, 5.0);
}

TEST(Engine, ThreadsSplitTheUsersAndMergeTheirStatistics) {
  HttpTestServer server;
  Scenario s = scenario(server,
                        "load: {users: 4, iterations: 400, threads: 2}\n"
                        "journeys: [{requests: [{path: /ok}]}]\n");
  Stats stats = run(s);
  EXPECT_EQ(stats.overall.count, 400u);
  EXPECT_EQ(stats.overall.latency.count(), 400u);
  EXPECT_EQ(server.requests(), 400u);
}

TEST(Engine, AResponseIsTimedWhenItArrivedNotWhenTheLoopGotToIt) {
  // Two users at once: one gets a large JSON body whose check keeps the event loop busy, the
  // other a response the server holds 50 ms, which arrives while the loop is still busy. Its
  // latency is when it reached this machine (the kernel's stamp), not when the loop read it.
  HttpTestServer server;
  files::TempDir dir;
  files::write_atomic(dir.path() / "paths.csv", "path\n/json/1500000\n/delay/50\n");
  files::write_atomic(dir.path() / "s.yaml", "host: " + server.url() + R"(
data: {paths: {csv: paths.csv}}
load: {users: 2, iterations: 2}
journeys: [{requests: [{name: work, path: "${paths.path}", check: {json: {"$.items[0]": 0}}}]}]
)");
  Stats stats = run(load_scenario((dir.path() / "s.yaml").string()));
  ASSERT_EQ(stats.overall.count, 2u);
  EXPECT_EQ(server.hits("/delay/50"), 1u);
  // The run lasts as long as the loop was busy with the large body (its serving and parsing);
  // read only then, the held response would show nearly that whole time as its latency.
  EXPECT_GT(stats.duration_s, 0.15) << "parsing the large body should keep the loop busy";
  EXPECT_GE(stats.overall.latency.max_us(), 50'000);
  EXPECT_LT(stats.overall.latency.max_us() + 100'000, static_cast<int64_t>(stats.duration_s * 1e6))
      << "the busy loop's delay was counted";
}

TEST(Engine, UserNumbersAreUniqueAcrossThreads) {
  HttpTestServer server;
  Scenario s =
      scenario(server,
               "load: {users: 4, iterations: 40, threads: 2}\n"
               "journeys: [{requests: [{path: \"/vu/${__vu}\", check: {status: 404}}]}]\n");
  Stats stats = run(s);
  EXPECT_EQ(stats.overall.failures, 0u);
  uint64_t seen = 0;
  for (int vu = 1; vu <= 4; ++vu) {
    EXPECT_GT(server.hits("/vu/" + std::to_string(vu)), 0u) << "user " << vu;
    seen += server.hits("/vu/" + std::to_string(vu));
  }
  EXPECT_EQ(seen, 40u);
}

TEST(Engine, LiveSecondsMergeTheThreads) {
  HttpTestServer server;
  Scenario s = scenario(server,
                        "load: {users: 4, duration: 2s, threads: 2}\n"
                        "journeys: [{think: 10ms, requests: [{path: /ok}]}]\n");
  RunControl control;
  std::vector<LiveSecond> seconds;
  Stats stats = run_load(s, control, [&](const LiveSecond& l) { seconds.push_back(l); });
  ASSERT_EQ(seconds.size(), 2u);
  uint64_t requests = 0;
  for (size_t i = 0; i < seconds.size(); ++i) {
    EXPECT_EQ(seconds[i].second, static_cast<int>(i + 1));
    EXPECT_EQ(seconds[i].users, 4u);  // two threads' two users each
    requests += seconds[i].requests;
    EXPECT_EQ(seconds[i].requests, stats.seconds[i].count);
    EXPECT_EQ(seconds[i].p95_us, stats.seconds[i].latency.dense().percentile_us(95));
  }
  EXPECT_EQ(requests, stats.overall.count);
}

}  // namespace
}  // namespace tollgate::load
