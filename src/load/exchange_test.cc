#include "load/exchange.h"

#include <gtest/gtest.h>

#include "load/outputs.h"
#include "load/result.h"

namespace tollgate::load {
namespace {

RequestSpec request_from(const std::string& yaml_request) {
  Scenario s = parse_scenario(
      "host: http://example.test:8080/api/\nvariables: {who: \"o\\\"k\"}\n"
      "defaults: {headers: {Accept: application/json}}\n"
      "journeys: [{requests: [" +
          yaml_request + "]}]\n",
      "t.yaml");
  return s.journeys[0].requests[0];
}

// A response with the given extra header lines and body (Content-Length computed).
ResponseParser parsed(int status, const std::string& headers, const std::string& body) {
  std::string text = "HTTP/1.1 " + std::to_string(status) + " X\r\n" + headers +
                     "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  ResponseParser p;
  p.reset(false, true, true);
  size_t used = 0;
  EXPECT_EQ(p.feed(text.data(), text.size(), used), ResponseParser::Result::Done);
  return p;
}

TEST(Exchange, BuildsTheRequestBytes) {
  RequestSpec r = request_from(
      "{method: POST, path: '/users/${who}', headers: {X-Id: '${__vu}'}, json: {name: '${who}'}}");
  EXPECT_FALSE(is_static(r));
  std::string out;
  build_request(parse_target("http://example.test:8080/api/", {}), r, {{"__vu", "7"}},
                {{"who", "o\"k"}}, out);
  EXPECT_EQ(out,
            "POST /api/users/o\"k HTTP/1.1\r\nHost: example.test:8080\r\n"
            "Accept: application/json\r\nX-Id: 7\r\nContent-Type: application/json\r\n"
            "User-Agent: tollgate-load\r\nContent-Length: 15\r\n\r\n{\"name\":\"o\\\"k\"}");
}

TEST(Exchange, StaticRequestsAreRecognised) {
  EXPECT_TRUE(is_static(request_from("{path: /a}")));
  EXPECT_FALSE(is_static(request_from("{path: '/a/${who}'}")));
}

TEST(Exchange, ChecksCountEachAssertion) {
  RequestSpec r = request_from(
      "{path: /, check: {status: [200, 201], json: {'$.a': 1, '$.b[0]': exists, '$.c': x},"
      " body_contains: [hello, nope], duration: 10ms}}");
  ResponseParser p = parsed(201, "", "{\"a\":1,\"b\":[true],\"c\":\"hello\"}");
  VarMap vars;
  Evaluation e = evaluate_response(r, p, 5'000, vars);
  EXPECT_TRUE(e.expected_status);
  EXPECT_EQ(e.checks_passed, 5u);  // status, $.a, $.b[0], body has "hello", duration
  EXPECT_EQ(e.checks_failed, 2u);  // $.c is "hello" not "x", body lacks "nope"
  EXPECT_EQ(e.failure, "$.c is \"hello\", expected \"x\"");
  Evaluation slow = evaluate_response(r, p, 20'000, vars);
  EXPECT_EQ(slow.checks_failed, 3u);
}

TEST(Exchange, ExtractsFromJsonHeadersAndRegex) {
  RequestSpec r = request_from(
      "{path: /, extract: {token: {json: '$.auth.token'}, id: {header: x-request-id},"
      " order: {regex: 'order=(\\d+)'}, whole: {regex: 'ord\\w+'}}}");
  ResponseParser p =
      parsed(200, "X-Request-Id: r-9\r\n", "{\"auth\":{\"token\":\"t-1\"},\"u\":\"order=42\"}");
  VarMap vars;
  Evaluation e = evaluate_response(r, p, 1000, vars);
  EXPECT_TRUE(e.extracted) << e.failure;
  EXPECT_EQ(vars["token"], "t-1");
  EXPECT_EQ(vars["id"], "r-9");
  EXPECT_EQ(vars["order"], "42");
  EXPECT_EQ(vars["whole"], "order");
}

TEST(Exchange, MissingExtractionIsReported) {
  RequestSpec r = request_from("{path: /, extract: {token: {json: '$.token'}}}");
  ResponseParser p = parsed(200, "", "not json!");
  VarMap vars;
  Evaluation e = evaluate_response(r, p, 1000, vars);
  EXPECT_FALSE(e.extracted);
  EXPECT_EQ(e.checks_failed, 1u);
  EXPECT_EQ(vars.count("token"), 0u);
}

TEST(Outputs, K6SummaryCarriesWhatGitlabReads) {
  Stats s({"a"});
  for (int i = 1; i <= 100; ++i) {
    s.requests[0].latency.record(i * 1000);
    s.requests[0].waiting.record(i * 500);
    s.requests[0].count++;
  }
  s.requests[0].checks_passed = 98;
  s.requests[0].checks_failed = 2;
  s.overall.merge(s.requests[0]);
  s.duration_s = 4;
  Threshold t = parse_threshold("http_req_duration", "p(95)<50", {}, {"a"});
  verdict::Verdict v = make_verdict({t}, s, {"http://x", "closed", ""});
  EXPECT_EQ(v.exit_code(), 1);
  nlohmann::json m = nlohmann::json::parse(render_k6_summary(v))["metrics"];
  EXPECT_DOUBLE_EQ(m["http_reqs"]["rate"].get<double>(), 25.0);
  EXPECT_NEAR(m["http_req_waiting"]["p(90)"].get<double>(), 45.0, 0.05);
  EXPECT_NEAR(m["http_req_waiting"]["p(95)"].get<double>(), 47.5, 0.05);
  EXPECT_EQ(m["checks"]["passes"], 98);
  EXPECT_EQ(m["checks"]["fails"], 2);
  EXPECT_EQ(m["http_req_duration"]["thresholds"]["p(95)<50"], true);  // true: failed, as k6
}

TEST(Outputs, K6SummaryLeavesOutChecksWhenNoneRanAndHasNoState) {
  Stats s({"a"});
  for (int i = 1; i <= 10; ++i) {
    s.requests[0].latency.record(i * 1000);
    s.requests[0].waiting.record(i * 500);
    s.requests[0].count++;
  }
  s.overall.merge(s.requests[0]);
  s.duration_s = 2;
  verdict::Verdict v = make_verdict({}, s, {"http://x", "closed", ""});
  nlohmann::json k6 = nlohmann::json::parse(render_k6_summary(v));
  EXPECT_FALSE(k6["metrics"].contains("checks")) << k6["metrics"].dump();
  EXPECT_FALSE(k6.contains("state"));
  EXPECT_DOUBLE_EQ(k6["metrics"]["http_reqs"]["rate"].get<double>(), 5.0);
}

TEST(Outputs, CsvHasARowPerSecond) {
  Stats s({"a"});
  for (int sec = 0; sec < 3; ++sec) {
    Histogram h;
    h.record(1000 * (sec + 1));
    SecondStats st;
    st.count = 10 * (sec + 1);
    st.users = 5;
    st.latency = SparseHistogram(h);
    s.seconds.push_back(st);
  }
  s.overall.count = 60;
  s.overall.latency.record(1000);
  s.duration_s = 3;
  std::string csv = render_csv(make_verdict({}, s, {"http://x", "closed", ""}));
  EXPECT_EQ(csv,
            "second,requests,failures,users,p50_ms,p95_ms,p99_ms,max_ms\n"
            "1,10,0,5,1.000,1.000,1.000,1.000\n"
            "2,20,0,5,2.000,2.000,2.000,2.000\n"
            "3,30,0,5,3.000,3.000,3.000,3.000\n");
}

}  // namespace
}  // namespace tollgate::load
