#include "load/scenario.h"

#include <gtest/gtest.h>

#include <fstream>

#include "load/feeder.h"
#include "util/files.h"

namespace tollgate::load {
namespace {

// The message of the Error that parsing `text` throws, "" when it parses.
std::string error_of(const std::string& text, const Overrides& o = {}) {
  try {
    parse_scenario(text, "s.yaml", o);
  } catch (const Error& e) {
    return e.message();
  }
  return "";
}

TEST(Scenario, TheIssueExampleParses) {
  files::TempDir dir;
  std::ofstream(dir.path() / "users.csv") << "name,password\nalice,a1\nbob,b2\n";
  std::string text = R"(host: http://127.0.0.1:8080
defaults: {headers: {Accept: application/json}, timeout: 5s}
variables: {password: secret}
data: {users: {csv: users.csv}}          # a feeder: each journey takes the next row
load: {model: closed, users: 50, spawn_rate: 10, duration: 30s}   # flags override
journeys:
  - name: shopper
    weight: 3
    think: {uniform: [0.5s, 1.5s]}
    requests:
      - name: login
        method: POST
        path: /login
        json: {username: "${users.name}", password: "${password}"}
        check: {status: 200}
        extract: {token: {json: "$.access_token"}}
      - name: add to cart
        method: POST
        path: /cart/item/${users.name}
        headers: {Authorization: "Bearer ${token}"}
        json: {itemid: "sku-1", quantity: 1}
        check: {status: [200, 201]}
  - name: browser
    weight: 1
    requests:
      - {name: catalog, method: GET, path: /products, check: {json: {"$.data[0].id": exists}}}
thresholds:
  "http_req_duration{name:add to cart}": ["p(95)<300"]
  http_req_failed: ["rate<0.01"]
)";
  std::string path = (dir.path() / "scenario.yaml").string();
  files::write_atomic(path, text);
  Scenario s = load_scenario(path);
  EXPECT_EQ(s.target.host, "127.0.0.1");
  EXPECT_EQ(s.target.port, "8080");
  EXPECT_EQ(s.timeout_us, 5'000'000);
  EXPECT_EQ(s.load.model, LoadSpec::Model::Closed);
  EXPECT_EQ(s.load.users, 50);
  EXPECT_EQ(s.load.duration_us, 30'000'000);
  ASSERT_EQ(s.journeys.size(), 2u);
  const Journey& shopper = s.journeys[0];
  EXPECT_EQ(shopper.weight, 3);
  EXPECT_EQ(shopper.think.kind, Think::Kind::Uniform);
  EXPECT_EQ(shopper.think.min_us, 500'000);
  EXPECT_EQ(shopper.feeders, std::vector<size_t>{0});
  ASSERT_EQ(shopper.requests.size(), 2u);
  EXPECT_EQ(shopper.requests[0].method, "POST");
  EXPECT_EQ(shopper.requests[0].extract[0].var, "token");
  EXPECT_EQ(shopper.requests[1].check.statuses, (std::vector<int>{200, 201}));
  EXPECT_EQ(s.request_names, (std::vector<std::string>{"login", "add to cart", "catalog"}));
  ASSERT_EQ(s.thresholds.size(), 2u);
  EXPECT_EQ(s.thresholds[0].request_name, "add to cart");
  EXPECT_EQ(s.feeders[0].rows.size(), 2u);

  VarMap local = {{"users.name", "al\"ice"}, {"token", "t1"}};
  std::string body = shopper.requests[0].body.render(local, s.variables);
  // json bodies escape what they insert
  RequestSpec login = shopper.requests[0];
  std::string rendered;
  login.body.render_to(rendered, local, s.variables, true);
  EXPECT_EQ(nlohmann::json::parse(rendered)["username"], "al\"ice");
  EXPECT_EQ(nlohmann::json::parse(rendered)["password"], "secret");
  // A feeder value with a line break, a control character and a byte that is not UTF-8 still
  // makes a body that parses.
  local["users.name"] = "line\nbreak\x01 \xFF";
  rendered.clear();
  login.body.render_to(rendered, local, s.variables, true);
  EXPECT_EQ(nlohmann::json::parse(rendered)["username"], "line\nbreak\x01 \xEF\xBF\xBD");
}

TEST(Scenario, FlagsOverrideTheLoadSection) {
  std::string text = "host: http://h:1\nload: {users: 5}\njourneys: [{requests: [{path: /}]}]\n";
  Overrides o;
  o.rate = 50;
  o.duration_us = 3'000'000;
  o.host = "http://other:9/base/";
  Scenario s = parse_scenario(text, "s.yaml", o);
  EXPECT_EQ(s.load.model, LoadSpec::Model::Open);
  ASSERT_EQ(s.load.stages.size(), 1u);
  EXPECT_EQ(s.load.stages[0].rate, 50);
  EXPECT_EQ(s.load.stages[0].duration_us, 3'000'000);
  EXPECT_EQ(s.target.host, "other");
  EXPECT_EQ(s.target.base_path, "/base");
}

TEST(Scenario, OpenModelStages) {
  Scenario s = parse_scenario(
      "host: http://h:1\nload: {stages: [{rate: 10, duration: 2s}, {rate: 20, duration: 3s}]}\n"
      "journeys: [{requests: [{path: /}]}]\n",
      "s.yaml");
  EXPECT_EQ(s.load.model, LoadSpec::Model::Open);
  EXPECT_EQ(s.load.total_duration_us(), 5'000'000);
}

TEST(Scenario, SplitAddsUpToTheWhole) {
  LoadSpec l;
  l.users = 7;
  l.iterations = 10;
  l.stages = {{90, 1'000'000}};
  int users = 0, iterations = 0;
  double rate = 0;
  for (int i = 0; i < 3; ++i) {
    LoadSpec part = l.split(i, 3);
    users += part.users;
    iterations += static_cast<int>(part.iterations);
    rate += part.stages[0].rate;
  }
  EXPECT_EQ(users, 7);
  EXPECT_EQ(iterations, 10);
  EXPECT_DOUBLE_EQ(rate, 90);
  // One journey over two workers: the second has nothing to do, not "no limit".
  l.iterations = 1;
  EXPECT_EQ(l.split(0, 2).iterations, 1);
  EXPECT_EQ(l.split(1, 2).users, 0);
  EXPECT_TRUE(l.split(1, 2).stages.empty());
}

TEST(Scenario, ErrorsNameFileLineAndColumn) {
  EXPECT_EQ(error_of("host: http://h:1\njourneys:\n  - requests:\n      - {pth: /}\n"),
            "s.yaml:4:10: unknown key 'pth' in request (did you mean 'path'?); known: name, "
            "method, path, headers, json, body, check, extract, timeout");
  EXPECT_EQ(error_of("host: http://h:1\njourneys:\n  - requests:\n      - path: /a/${tokn}\n"
                     "        extract: {token: {header: X}}\n"),
            "s.yaml:4:15: variable 'tokn' is not defined here; define it under variables, in a "
            "data feeder, or extract it in an earlier request");
  EXPECT_NE(
      error_of("host: http://h:1\njourneys:\n  - requests:\n      - {path: /, extract: {token: "
               "{header: X}}}\n      - {path: '/${tokn}'}\n")
          .find("s.yaml:5:16: variable 'tokn' is not defined here (did you mean 'token'?)"),
      std::string::npos);
  EXPECT_NE(error_of("host: http://h:1\njourneys: [{requests: [{name: a, path: /}]}]\n"
                     "thresholds:\n  \"http_req_duration{name:b}\": [\"p(95)<3\"]\n")
                .find("s.yaml:4:33: no request is named 'b'"),
            std::string::npos);
  EXPECT_NE(error_of("host: http://h:1\njourneys: [{think: {uniform: [2s, 1s]}, requests: "
                     "[{path: /}]}]\n")
                .find("s.yaml:2:30: uniform think: MAX is below MIN"),
            std::string::npos);
  EXPECT_NE(error_of("host: http://h:1\njourneys: [{requests: [{path: /, extract: {x: {json: "
                     "\"$.a[*]\"}}}]}]\n")
                .find("wildcards select many values"),
            std::string::npos);
  EXPECT_NE(error_of("host: ftp://h\njourneys: [{requests: [{path: /}]}]\n")
                .find("s.yaml:1:7: host 'ftp://h': only http:// and https://"),
            std::string::npos);
  EXPECT_NE(error_of("journeys: [{requests: [{path: /}]}]\n").find("no host"), std::string::npos);
  EXPECT_NE(error_of("host: http://h:1\nload: {model: open}\njourneys: [{requests: [{path: /}]}]\n")
                .find("the open model needs a rate"),
            std::string::npos);
  EXPECT_NE(error_of("host: http://h:1\njourneys: [{requests: [{path: /, method: FETCH}]}]\n")
                .find("unknown method 'FETCH'"),
            std::string::npos);
  EXPECT_NE(error_of("host: http://h:1\njourneys: [{requests: [{path: '/${x'}]}]\n")
                .find("unterminated ${"),
            std::string::npos);
  EXPECT_NE(error_of("host: http://h:1\njourneys: [{requests: [{path: /, extract: {x: {regex: "
                     "\"(\"}}}]}]\n")
                .find("bad regex"),
            std::string::npos);
  EXPECT_NE(error_of("host: http://h:1\njourneys: [{requests: [{path: /}]}]\nthresholds:\n"
                     "  http_req_duraton: [\"p(95)<3\"]\n")
                .find("(did you mean 'http_req_duration'?)"),
            std::string::npos);
}

// users: 1e9 and rate: 1e12 grew without end against a refused port.
TEST(Scenario, LoadPastWhatOneProcessDrivesIsRefused) {
  const std::string journeys = "journeys: [{requests: [{path: /}]}]\n";
  EXPECT_EQ(error_of("host: http://h:1\nload: {users: 1000000000}\n" + journeys),
            "s.yaml:2:15: users: 1000000000 is past the limit of 100,000 for one process; split "
            "the load with --share I/N");
  EXPECT_EQ(error_of("host: http://h:1\nload: {rate: 1e12, duration: 1s}\n" + journeys),
            "s.yaml: rate: 1e+12 is past the limit of 1,000,000 a second for one process; split "
            "the load with --share I/N");
  Overrides o;
  o.users = 100'001;
  EXPECT_EQ(error_of("host: http://h:1\n" + journeys, o),
            "s.yaml: users: 100001 is past the limit of 100,000 for one process; split the load "
            "with --share I/N");
  o.users = 100'000;  // the limit itself
  EXPECT_EQ(error_of("host: http://h:1\n" + journeys, o), "");
}

TEST(Scenario, EnvironmentVariablesAreResolvedAtLoad) {
  setenv("TOLLGATE_LOAD_TEST_TOKEN", "abc", 1);
  Scenario s = parse_scenario(
      "host: http://h:1\njourneys: [{requests: [{path: '/${env.TOLLGATE_LOAD_TEST_TOKEN}'}]}]\n",
      "s.yaml");
  EXPECT_EQ(s.journeys[0].requests[0].path.render({}, s.variables), "/abc");
  EXPECT_NE(
      error_of("host: http://h:1\njourneys: [{requests: [{path: '/${env.NOPE_NOT_SET_X}'}]}]\n")
          .find("environment variable NOPE_NOT_SET_X is not set"),
      std::string::npos);
}

TEST(Feeder, ParsesQuotedCsvAndRejectsRaggedRows) {
  Feeder f = parse_csv_feeder("u", "name,note\r\nalice,\"a, \"\"b\"\"\"\r\n\r\nbob,x\n", "u.csv");
  EXPECT_EQ(f.columns, (std::vector<std::string>{"name", "note"}));
  ASSERT_EQ(f.rows.size(), 2u);
  EXPECT_EQ(f.rows[0][1], "a, \"b\"");
  EXPECT_EQ(f.rows[1][0], "bob");
  try {
    parse_csv_feeder("u", "a,b\n1,2\n3\n", "u.csv");
    FAIL() << "ragged row accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "u.csv:3:1: row has 1 fields, the header has 2");
  }
}

}  // namespace
}  // namespace tollgate::load
