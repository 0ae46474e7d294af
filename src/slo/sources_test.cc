#include <gtest/gtest.h>

#include <cmath>

#include "slo/evaluation_store.h"
#include "slo/gate.h"
#include "slo/load_source.h"
#include "slo/process_source.h"
#include "slo/prometheus.h"
#include "slo/sli_map.h"
#include "slo/source.h"
#include "slo/wavefront.h"
#include "support/server.h"
#include "util/files.h"

namespace tollgate::slo {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.message();
  }
  return "no error";
}

TEST(PrometheusAnswer, EveryResultType) {
  Measurement m = parse_prometheus_response(
      200, R"({"status":"success","data":{"resultType":"scalar","result":[1700000000.5,"0.25"]}})",
      "q");
  EXPECT_EQ(m.samples, std::vector<double>{0.25});
  m = parse_prometheus_response(200, R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{"a":"1"},"value":[1,"+Inf"]},{"metric":{"a":"2"},"value":[1,"NaN"]}]}})",
                                "q");
  ASSERT_EQ(m.samples.size(), 2u);
  EXPECT_TRUE(std::isinf(m.samples[0]));
  EXPECT_TRUE(std::isnan(m.samples[1]));
  EXPECT_EQ(m.series, 2u);
  m = parse_prometheus_response(200, R"({"status":"success","data":{"resultType":"matrix","result":[
      {"metric":{},"values":[[1,"1"],[2,"2"]]},{"metric":{},"values":[[1,"3"]]}]}})",
                                "q");
  EXPECT_EQ(m.samples, (std::vector<double>{1, 2, 3}));
  m = parse_prometheus_response(
      200, R"({"status":"success","data":{"resultType":"vector","result":[]}})", "up{x=\"y\"}");
  EXPECT_TRUE(m.samples.empty());
  EXPECT_EQ(m.no_data, "query 'up{x=\"y\"}' returned no data");
}

TEST(PrometheusAnswer, WarningsAndInfosAreKept) {
  Measurement m = parse_prometheus_response(200, R"({"status":"success",
      "warnings":["remote read: partial response"],
      "infos":["PromQL info: metric might not be a counter, name does not end in _total"],
      "data":{"resultType":"vector","result":[{"metric":{},"value":[1,"2"]}]}})",
                                            "rate(x[5m])");
  EXPECT_EQ(m.samples, std::vector<double>{2});
  EXPECT_EQ(m.warnings,
            (std::vector<std::string>{
                "remote read: partial response",
                "PromQL info: metric might not be a counter, name does not end in _total"}));
}

TEST(PrometheusAnswer, ErrorsNameTheQuery) {
  EXPECT_EQ(error_of([] {
              parse_prometheus_response(
                  422, R"({"status":"error","errorType":"execution","error":"many-to-many"})",
                  "a/b");
            }),
            "prometheus query 'a/b' failed: execution: many-to-many (HTTP 422)");
  EXPECT_EQ(error_of([] { parse_prometheus_response(404, "404 page not found\n", "q"); }),
            "prometheus query 'q': HTTP 404, not a Prometheus API answer: 404 page not found ");
  EXPECT_EQ(error_of([] {
              parse_prometheus_response(
                  200, R"({"status":"success","data":{"resultType":"string","result":[1,"x"]}})",
                  "q");
            }),
            "prometheus query 'q' returned a string; an SLI needs a number (scalar, vector or "
            "matrix)");
  EXPECT_NE(error_of([] {
              parse_prometheus_response(
                  200, R"({"status":"success","data":{"resultType":"vector","result":[{"x":1}]}})",
                  "q");
            }).find("unexpected answer"),
            std::string::npos);
}

// A million levels of nesting overflowed the stack while the answer was parsed (exit 139).
TEST(PrometheusAnswer, AnAnswerNestedPastTheLimitIsAnErrorNotACrash) {
  std::string deep = R"({"status":"success","data":{"resultType":"vector","result":[{"value":)" +
                     std::string(1'000'000, '[');
  EXPECT_TRUE(error_of([&] {
                parse_prometheus_response(200, deep, "q");
              }).starts_with("prometheus query 'q': HTTP 200, not a Prometheus API answer: "));
  Window w{timefmt::Clock::from_time_t(1000), timefmt::Clock::from_time_t(1060)};
  EXPECT_TRUE(error_of([&] {
                parse_wavefront_response(200, deep, "ts(x)", w);
              }).starts_with("wavefront query 'ts(x)': not a chart API answer: "));
}

TEST(WavefrontAnswer, SecondsOutAndStrictWindow) {
  Window w{timefmt::Clock::from_time_t(1000), timefmt::Clock::from_time_t(1060)};
  Measurement m = parse_wavefront_response(200, R"({"name":"q","timeseries":[
      {"label":"cpu","host":"a","data":[[990,1.0],[1000,2.0],[1030,3.0],[1060,4.0]]},
      {"label":"cpu","host":"b","data":[[1059,5.0]]}]})",
                                           "ts(cpu)", w);
  EXPECT_EQ(m.samples, (std::vector<double>{2, 3, 5}));
  EXPECT_EQ(m.series, 2u);
  m = parse_wavefront_response(200, R"({"name":"q","timeseries":[]})", "ts(x)", w);
  EXPECT_EQ(m.no_data, "query 'ts(x)' returned no points in the window");
  EXPECT_EQ(
      error_of([&] { parse_wavefront_response(400, R"({"message":"bad query"})", "ts(", w); }),
      "wavefront query 'ts(' failed: HTTP 400: bad query");
  EXPECT_EQ(error_of([&] { parse_wavefront_response(200, "<html>", "ts(x)", w); }),
            "wavefront query 'ts(x)': not a chart API answer: <html>");
  EXPECT_EQ(wavefront_granularity(w, std::nullopt), 's');
  EXPECT_EQ(wavefront_granularity(w, std::chrono::minutes(5)), 'm');
}

TEST(LoadResult, ReadsTheContractKeys) {
  auto verdict = nlohmann::json::parse(
      files::read(testing::source_dir() / "src/slo/testdata/load_result.json"));
  auto q = [](std::string text) { return Query{"s", text}; };
  EXPECT_EQ(*lookup_load_statistic(verdict, q("p95_ms"), "r.json").value, 120);
  EXPECT_EQ(*lookup_load_statistic(verdict, q("overall.error_rate"), "r.json").value, 0.005);
  EXPECT_EQ(*lookup_load_statistic(verdict, q("requests.checkout.p99_ms"), "r.json").value, 400);
  Measurement missing = lookup_load_statistic(verdict, q("requests.login.p95_ms"), "r.json");
  EXPECT_FALSE(missing.value);
  EXPECT_EQ(missing.no_data, "the load run has no request named 'login'");
  // Every checkout failed in transport: its latencies are no data, not 0 ms.
  verdict["summary"]["requests"]["checkout"]["timed"] = 0;
  verdict["summary"]["requests"]["checkout"]["p99_ms"] = 0;
  Measurement untimed = lookup_load_statistic(verdict, q("requests.checkout.p99_ms"), "r.json");
  EXPECT_FALSE(untimed.value);
  EXPECT_EQ(untimed.no_data, "the load run timed no response for 'checkout', so it has no p99_ms");
  // Counts still count: they describe the requests sent, answered or not.
  EXPECT_TRUE(lookup_load_statistic(verdict, q("requests.checkout.count"), "r.json").value);
  EXPECT_EQ(error_of([&] { lookup_load_statistic(verdict, q("p96_ms"), "r.json"); }).substr(0, 61),
            "r.json: indicator 's': 'p96_ms' is not a load statistic (did ");
}

TEST(SliMap, KeptnFormAndPlaceholders) {
  SliMap m = parse_sli_map(yaml::load(R"(spec_version: '1.0'
indicators:
  rt: histogram_quantile(0.95, rate(x{job="$service"}[$DURATION_SECONDS]))
  cpu: {query: 'avg(cpu{job="${service}"})', type: range, step: 30s, reduce: p95}
)",
                                      "sli.yaml"),
                           "sli.yaml");
  const SliSpec& rt = m.indicators.at("rt");
  EXPECT_EQ(expand_placeholders(rt, {{"service", "cart"}, {"DURATION_SECONDS", "600s"}}),
            "histogram_quantile(0.95, rate(x{job=\"cart\"}[600s]))");
  const SliSpec& cpu = m.indicators.at("cpu");
  EXPECT_EQ(cpu.kind, QueryKind::Range);
  EXPECT_EQ(*cpu.reduce, Reduce::P95);
  EXPECT_EQ(cpu.step->count(), 30000);
  EXPECT_EQ(expand_placeholders(cpu, {{"service", "cart"}}), "avg(cpu{job=\"cart\"})");
  EXPECT_EQ(error_of([&] {
              expand_placeholders(rt, {{"servce", "x"}, {"DURATION_SECONDS", "1s"}});
            }),
            "sli.yaml:3:7: indicator 'rt': unknown placeholder $service (did you mean $servce?); "
            "labels come from the SLO file's filter or --label KEY=VALUE");
  EXPECT_EQ(error_of([] {
              parse_sli_map(yaml::load("indicators:\n  a: {query: x, type: range}\n", "s.yaml"),
                            "s.yaml");
            }).substr(0, 62),
            "s.yaml:2:6: indicator 'a' is a range query: say how its points");
}

TEST(ValueOf, ReductionsAreExplicit) {
  Query q{"s", "x"};
  std::string no_data;
  Measurement two{{1, 3}, 2};
  EXPECT_NE(error_of([&] { value_of(q, two, &no_data); }).find("2 values from 2 series"),
            std::string::npos);
  q.reduce = Reduce::Max;
  EXPECT_EQ(*value_of(q, two, &no_data), 3);
  Measurement nans{{NAN, NAN}, 1};
  EXPECT_FALSE(value_of(q, nans, &no_data));
  EXPECT_EQ(no_data, "query returned only NaN");
  q.reduce.reset();
  Measurement one_nan{{NAN}, 1};
  EXPECT_FALSE(value_of(q, one_nan, &no_data));
}

TEST(Reduce, Percentiles) {
  std::vector<double> v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, NAN};
  EXPECT_DOUBLE_EQ(*reduce(v, Reduce::Mean), 5.5);
  EXPECT_DOUBLE_EQ(*reduce(v, Reduce::Median), 5.5);
  EXPECT_DOUBLE_EQ(*reduce(v, Reduce::P90), 9.1);
  EXPECT_DOUBLE_EQ(*reduce(v, Reduce::Count), 10);
  EXPECT_DOUBLE_EQ(*reduce(v, Reduce::Last), 10);
  EXPECT_FALSE(reduce({NAN}, Reduce::Max));
}

TEST(EvaluationStore, FiltersByResultAndKeepsTheNewest) {
  files::TempDir dir;
  db::Database db(dir.path() / "history.db");
  EvaluationStore store(db);
  SloFile slo;
  slo.objectives.push_back(Objective{.sli = "rt"});
  slo.objectives[0].pass = {CriteriaSet{{parse_criterion("<100", {})}}};
  slo.total_score.pass = 90;
  auto record = [&](double value) {
    store.record("k", "test", "now", evaluate(slo, {{"rt", SliValue{value}}}, {}));
  };
  record(10);   // pass
  record(500);  // fail
  record(20);   // pass
  record(30);   // pass
  Comparison c{"several_results", IncludeResults::Pass, 2, Aggregate::Avg};
  EXPECT_EQ(store.previous("k", c).at("rt"), (std::vector<double>{30, 20}));
  c.include = IncludeResults::All;
  c.number_of_results = 3;
  EXPECT_EQ(store.previous("k", c).at("rt"), (std::vector<double>{30, 20, 500}));
  EXPECT_EQ(store.count_previous("k", c), 3);
  EXPECT_TRUE(store.previous("other", c).empty());
}

}  // namespace
}  // namespace tollgate::slo

namespace tollgate::slo {
namespace {

TEST(Window, AnyTwoOfStartEndAndLength) {
  auto now = timefmt::Clock::from_time_t(1'000'000);
  Window w = resolve_window("", "", "", now);
  EXPECT_EQ(w.end, now);
  EXPECT_EQ(w.seconds(), 300);
  w = resolve_window("", "", "10m", now);
  EXPECT_EQ(w.seconds(), 600);
  w = resolve_window("999000", "", "", now);
  EXPECT_EQ(w.seconds(), 1000);
  w = resolve_window("2026-11-26T10:00:00Z", "", "30s", now);
  EXPECT_EQ(w.end, *timefmt::parse_iso8601("2026-11-26T10:00:30Z"));
  w = resolve_window("", "1000000.5", "1s", now);
  EXPECT_DOUBLE_EQ(w.seconds(), 1);
  EXPECT_THROW(resolve_window("1", "2", "1s", now), UsageError);
  EXPECT_THROW(resolve_window("5", "4", "", now), UsageError);
  EXPECT_THROW(resolve_window("", "", "soon", now), UsageError);
  EXPECT_THROW(resolve_window("yesterday", "", "", now), UsageError);
}

}  // namespace
}  // namespace tollgate::slo

#include "slo/url.h"

namespace tollgate::slo {
namespace {

TEST(Url, CredentialsLeaveTheUrl) {
  EXPECT_EQ(split_userinfo("https://ci:p%40ss@prom.example:9090/x?y=1"),
            (std::pair<std::string, std::string>{"https://prom.example:9090/x?y=1", "ci:p@ss"}));
  EXPECT_EQ(split_userinfo("http://prom:9090/a@b"),
            (std::pair<std::string, std::string>{"http://prom:9090/a@b", ""}));
  EXPECT_EQ(url_join("http://h:1/", "/api/v1/query"), "http://h:1/api/v1/query");
  EXPECT_EQ(url_join("http://h:1/prom", "api"), "http://h:1/prom/api");
  EXPECT_EQ(form_encode({{"query", "up{a=\"b c\"}"}, {"t", "1.5"}}),
            "query=up%7Ba%3D%22b%20c%22%7D&t=1.5");
}

}  // namespace
}  // namespace tollgate::slo

namespace tollgate::slo {
namespace {

// /proc/PID/cgroup of a podman container on this machine kind's hybrid hierarchy.
const char* kHybrid =
    "9:name=systemd:/libpod_parent/libpod-33\n"
    "4:memory:/libpod_parent/libpod-33\n"
    "2:cpu,cpuacct:/libpod_parent/libpod-33\n"
    "0::/libpod_parent/libpod-33\n";

TEST(CgroupDirs, HybridHostsAccountCpuAndMemoryInTheirV1Controllers) {
  CgroupDirs d = cgroup_dirs(kHybrid, "/sys/fs/cgroup");
  EXPECT_EQ(d.cpu, "/sys/fs/cgroup/cpu,cpuacct/libpod_parent/libpod-33");
  EXPECT_EQ(d.memory, "/sys/fs/cgroup/memory/libpod_parent/libpod-33");
}

TEST(CgroupDirs, PureV2HostsUseTheUnifiedRoot) {
  files::TempDir root("cgroup-root");
  files::write_atomic(root.path() / "cgroup.controllers", "cpu memory\n");
  CgroupDirs d = cgroup_dirs("0::/system.slice/libpod-44.scope\n", root.path().string());
  EXPECT_EQ(d.cpu, root.path().string() + "/system.slice/libpod-44.scope");
  EXPECT_EQ(d.memory, d.cpu);
}

TEST(CgroupDirs, NothingNamedIsEmpty) {
  CgroupDirs d = cgroup_dirs("", "/sys/fs/cgroup");
  EXPECT_TRUE(d.cpu.empty());
  EXPECT_TRUE(d.memory.empty());
}

}  // namespace
}  // namespace tollgate::slo
