#include "load/thresholds.h"

#include <gtest/gtest.h>

namespace tollgate::load {
namespace {

Threshold parse(const std::string& metric, const std::string& expr) {
  return parse_threshold(metric, expr, {"t.yaml", 1, 1}, {"login", "cart"});
}

Stats sample_stats() {
  Stats s({"login", "cart"});
  for (int i = 1; i <= 100; ++i) {  // login: 1..100 ms, cart: 200 ms
    s.requests[0].latency.record(i * 1000);
    s.requests[0].count++;
    s.requests[1].latency.record(200'000);
    s.requests[1].count++;
  }
  s.requests[1].failures = 5;
  s.requests[0].checks_passed = 99;
  s.requests[0].checks_failed = 1;
  s.overall.merge(s.requests[0]);
  s.overall.merge(s.requests[1]);
  s.iterations = 100;
  s.duration_s = 10;
  return s;
}

TEST(Thresholds, EvaluatesK6Expressions) {
  Stats s = sample_stats();
  auto check = [&](const std::string& metric, const std::string& expr, bool pass, double observed) {
    Threshold t = parse(metric, expr);
    ThresholdResult r = evaluate(t, s);
    EXPECT_EQ(r.passed, pass) << metric << " " << expr;
    ASSERT_TRUE(r.observed.has_value());
    EXPECT_NEAR(*r.observed, observed, observed * 0.001 + 1e-9) << metric << " " << expr;
  };
  check("http_req_duration{name:login}", "p(95)<96", true, 95);
  check("http_req_duration{name:login}", "p(95)<95", false, 95);
  check("http_req_duration{name:login}", "med<51", true, 50);
  check("http_req_duration{name:login}", "avg<50", false, 50.5);
  check("http_req_duration{name:login}", "max<100ms", false, 100);
  check("http_req_duration{name:login}", "max<=0.1s", true, 100);
  check("http_req_duration", "p(99)<300", true, 200);
  check("http_req_failed{name:cart}", "rate<0.01", false, 0.05);
  check("http_req_failed", "rate<0.05", true, 0.025);
  check("checks", "rate>0.99", false, 0.99);
  check("checks", "rate>=0.99", true, 0.99);
  check("http_reqs", "count==200", true, 200);
  check("http_reqs", "rate>10", true, 20);
  check("iterations", "count>50", true, 100);
  check("dropped_iterations", "count<1", true, 0);
}

TEST(Thresholds, NoSamplesFailsClosed) {
  Stats s({"login"});
  ThresholdResult r = evaluate(parse("http_req_duration{name:login}", "p(95)<300"), s);
  EXPECT_FALSE(r.passed);
  EXPECT_FALSE(r.observed.has_value());
}

TEST(Thresholds, RejectsWhatCannotBeJudged) {
  auto message = [](const std::string& metric, const std::string& expr) {
    try {
      parse(metric, expr);
    } catch (const Error& e) {
      return e.message();
    }
    return std::string();
  };
  EXPECT_EQ(message("http_req_failed", "p(95)<3"),
            "t.yaml:1:1: 'p(95)' does not apply to http_req_failed (use rate)");
  EXPECT_NE(message("http_req_duration", "p(95)<abc").find("bad number 'abc'"), std::string::npos);
  EXPECT_NE(message("http_req_duration", "p(150)<3").find("between 0 and 100"), std::string::npos);
  EXPECT_NE(message("http_req_duration{name:logn}", "p(95)<3").find("did you mean 'login'"),
            std::string::npos);
  EXPECT_NE(message("http_req_duration{status:200}", "p(95)<3").find("only the {name:REQUEST}"),
            std::string::npos);
  EXPECT_NE(message("http_req_duration", "p(95)").find("AGGREGATION OP VALUE"), std::string::npos);
}

}  // namespace
}  // namespace tollgate::load
