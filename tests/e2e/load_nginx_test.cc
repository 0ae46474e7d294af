// tollgate load end to end: the binary against a real nginx started on a free loopback port.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/server.h"
#include "util/files.h"
#include "util/process.h"

namespace tollgate {
namespace {

namespace fs = std::filesystem;
using testing::free_port;
using testing::ServerProcess;

struct Result {
  int exit_code;
  std::string output;
};

Result tollgate(std::vector<std::string> args, const fs::path& cwd) {
  args.insert(args.begin(), testing::tollgate_binary().string());
  process::Command cmd(args);
  cmd.cwd = cwd.string();
  cmd.timeout = std::chrono::seconds(60);
  auto r = process::run_capture(cmd);
  return {r.outcome.exit_code, r.output};
}

nlohmann::json read_json(const fs::path& p) {
  return nlohmann::json::parse(files::read(p));
}

size_t count_lines(const fs::path& p) {
  std::ifstream in(p);
  size_t n = 0;
  std::string line;
  while (std::getline(in, line))
    ++n;
  return n;
}

class LoadNginx : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::have_program("nginx")) << "nginx is not installed";
    port_ = free_port();
    fs::path d = dir_.path();
    fs::create_directories(d / "www");
    // nginx workers drop root privileges and must still read the files they serve.
    fs::permissions(d, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    files::write_atomic(d / "www" / "item.json", std::string(199, 'x') + "\n");
    std::string tls_server;
    if (tls_) {
      tls_port_ = free_port();
      process::Command openssl({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                                (d / "key.pem").string(), "-out", (d / "cert.pem").string(),
                                "-days", "1", "-subj", "/CN=localhost", "-addext",
                                "subjectAltName=DNS:localhost,IP:127.0.0.1"});
      auto made = process::run_capture(openssl);
      ASSERT_EQ(made.outcome.exit_code, 0) << made.output;
      tls_server = "  server {\n    listen 127.0.0.1:" + std::to_string(tls_port_) + " ssl;\n" +
                   "    ssl_certificate " + (d / "cert.pem").string() + ";\n" +
                   "    ssl_certificate_key " + (d / "key.pem").string() + ";\n" +
                   "    location / { root " + (d / "www").string() + "; }\n  }\n";
    }
    std::ostringstream conf;
    conf << "worker_processes 1;\ndaemon off;\npid " << (d / "nginx.pid").string() << ";\n"
         << "error_log " << (d / "error.log").string() << ";\n"
         << "events { worker_connections 1024; }\n"
         << "http {\n"
         << "  access_log " << (d / "access.log").string() << ";\n"
         << "  client_body_temp_path " << (d / "tmp").string() << ";\n"
         << "  proxy_temp_path " << (d / "tmp").string() << ";\n"
         << "  fastcgi_temp_path " << (d / "tmp").string() << ";\n"
         << "  uwsgi_temp_path " << (d / "tmp").string() << ";\n"
         << "  scgi_temp_path " << (d / "tmp").string() << ";\n"
         << "  server {\n"
         << "    listen 127.0.0.1:" << port_ << ";\n"
         << "    location = /products { default_type application/json;\n"
         << "      return 200 '{\"data\":[{\"id\":\"sku-1\",\"price\":12}]}'; }\n"
         << "    location = /missing { return 404; }\n"
         << "    location / { root " << (d / "www").string() << "; }\n"
         << "  }\n"
         << tls_server << "}\n";
    files::write_atomic(d / "nginx.conf", conf.str());
    nginx_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{"nginx", "-c", (d / "nginx.conf").string(), "-p", d.string(), "-e",
                                 (d / "error.log").string()},
        d / "nginx.out");
    nginx_->wait_for_port(port_);
  }

  std::string host() const { return "http://127.0.0.1:" + std::to_string(port_); }
  fs::path write_scenario(const std::string& name, const std::string& body) {
    fs::path p = dir_.path() / name;
    files::write_atomic(p, "host: " + host() + "\n" + body);
    return p;
  }
  size_t nginx_requests() const { return count_lines(dir_.path() / "access.log"); }

  files::TempDir dir_{"load-e2e"};
  bool tls_ = false;
  int tls_port_ = 0;
  int port_ = 0;
  std::unique_ptr<ServerProcess> nginx_;
};

constexpr const char* kBrowse = R"(load: {users: 4, iterations: 50}
journeys:
  - name: browse
    requests:
      - {name: catalog, path: /products, check: {status: 200, json: {"$.data[0].id": exists, "$.data[0].price": 12}}}
      - {name: item, path: /item.json}
thresholds:
  "http_req_duration{name:catalog}": ["p(95)<500"]
  http_req_failed: ["rate<0.01"]
  checks: ["rate>0.99"]
)";

TEST_F(LoadNginx, PassingRunWritesTheJsonContract) {
  fs::path s = write_scenario("s.yaml", kBrowse);
  fs::path out = dir_.path() / "result.json";
  Result r = tollgate({"load", s.string(), "--format", "json", "-o", out.string()}, dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json v = read_json(out);
  EXPECT_EQ(v["gate"], "load");
  EXPECT_EQ(v["status"], "pass");
  const auto& overall = v["summary"]["overall"];
  for (const char* key : {"count", "failures", "error_rate", "rps", "min_ms", "mean_ms", "p50_ms",
                          "p90_ms", "p95_ms", "p99_ms", "p999_ms", "max_ms", "duration_s"})
    EXPECT_TRUE(overall.contains(key) && overall[key].is_number()) << key;
  EXPECT_EQ(overall["count"], 100);
  EXPECT_EQ(overall["failures"], 0);
  EXPECT_EQ(v["summary"]["requests"]["catalog"]["count"], 50);
  EXPECT_EQ(v["summary"]["requests"]["item"]["count"], 50);
  EXPECT_EQ(v["summary"]["iterations"], 50);
  EXPECT_EQ(v["summary"]["details"]["overall"]["statuses"]["200"], 100);
  EXPECT_EQ(overall["checks_passed"], 150);  // status + 2 JSON assertions per catalog request
  EXPECT_LE(overall["min_ms"].get<double>(), overall["p50_ms"].get<double>());
  EXPECT_LE(overall["p50_ms"].get<double>(), overall["p99_ms"].get<double>());
  EXPECT_LE(overall["p99_ms"].get<double>(), overall["max_ms"].get<double>());
  // nginx saw exactly what tollgate counted
  EXPECT_EQ(nginx_requests(), 100u);
}

TEST_F(LoadNginx, BreachedThresholdExitsOne) {
  fs::path s = write_scenario("s.yaml", R"(load: {users: 2, iterations: 20}
journeys: [{requests: [{name: gone, path: /missing}, {name: ok, path: /products}]}]
thresholds:
  http_req_failed: ["rate<0.01"]
  "http_req_duration{name:ok}": ["p(99)<5000"]
)");
  Result r = tollgate({"load", s.string()}, dir_.path());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("http_req_failed rate<0.01 (observed 50.00%)"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("404: 20"), std::string::npos) << r.output;
}

TEST_F(LoadNginx, BadScenarioIsRejectedBeforeAnyTraffic) {
  fs::path s = write_scenario("bad.yaml", R"(load: {users: 2, iterations: 20}
journeys:
  - requests:
      - {path: /products}
      - {path: "/cart/${tokn}"}
)");
  Result r = tollgate({"load", s.string()}, dir_.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("bad.yaml:6:16: variable 'tokn' is not defined"), std::string::npos)
      << r.output;
  EXPECT_EQ(nginx_requests(), 0u);
}

TEST_F(LoadNginx, UnreachableTargetExitsTwo) {
  fs::path s = write_scenario("s.yaml", kBrowse);
  int closed = free_port();
  Result r = tollgate({"load", s.string(), "--host", "http://127.0.0.1:" + std::to_string(closed),
                       "--duration", "5s"},
                      dir_.path());
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("never answered"), std::string::npos) << r.output;
  // Nothing was timed: the latency columns say so instead of showing 0.00 ms.
  size_t total = r.output.find("\nTOTAL ");
  ASSERT_NE(total, std::string::npos) << r.output;
  std::string row = r.output.substr(total + 1, r.output.find('\n', total + 1) - total - 1);
  EXPECT_EQ(row.find("0.00"), std::string::npos) << row;
  EXPECT_NE(row.find(" - "), std::string::npos) << row;
}

TEST_F(LoadNginx, SilentServerTimesOut) {
  // A socket that listens and never answers: the kernel accepts, nobody reads.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(fd, 64), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  fs::path s = write_scenario("s.yaml", R"(defaults: {timeout: 200ms}
load: {users: 2, duration: 1s}
journeys: [{requests: [{path: /}]}]
)");
  fs::path out = dir_.path() / "r.json";
  Result r = tollgate(
      {"load", s.string(), "--host", "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)),
       "-f", "json", "-o", out.string()},
      dir_.path());
  ::close(fd);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  nlohmann::json v = read_json(out);
  EXPECT_GE(v["summary"]["details"]["overall"]["errors"]["timeout"].get<int>(), 4);
}

TEST_F(LoadNginx, GitlabLoadPerformanceReportAndCsv) {
  fs::path s = write_scenario("s.yaml", kBrowse);
  fs::path k6 = dir_.path() / "load-performance.json";
  fs::path csv = dir_.path() / "series.csv";
  fs::path html = dir_.path() / "report.html";
  Result r = tollgate({"load", s.string(), "--summary-export", k6.string(), "--csv", csv.string(),
                       "--html", html.string(), "--iterations", "0", "--duration", "2s"},
                      dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json m = read_json(k6)["metrics"];
  EXPECT_GT(m["http_reqs"]["rate"].get<double>(), 10);
  EXPECT_GT(m["http_req_waiting"]["p(90)"].get<double>(), 0);
  EXPECT_GE(m["http_req_waiting"]["p(95)"].get<double>(), m["http_req_waiting"]["p(90)"]);
  EXPECT_GT(m["checks"]["passes"].get<int>(), 0);
  EXPECT_EQ(m["checks"]["fails"], 0);
  // k6 marks a threshold true when it failed
  EXPECT_EQ(m["http_req_duration{name:catalog}"]["thresholds"]["p(95)<500"], false);
  std::string text = files::read(csv);
  EXPECT_TRUE(text.starts_with("second,requests,failures,users,p50_ms,p95_ms,p99_ms,max_ms\n"));
  EXPECT_GE(count_lines(csv), 3u);  // header and two seconds
  std::string page = files::read(html);
  EXPECT_NE(page.find("<span class=\"pass\">PASS</span>"), std::string::npos);
  size_t charts = 0;
  for (size_t at = page.find("<svg"); at != std::string::npos; at = page.find("<svg", at + 1))
    ++charts;
  EXPECT_EQ(charts, 3u);                               // latency percentiles, throughput, errors
  EXPECT_EQ(page.find("<script"), std::string::npos);  // self-contained, readable offline
  EXPECT_EQ(page.find("http://"), page.find("http://127.0.0.1"));  // no external resources
  // A real browser, offline, reads it: the DOM Chromium builds holds the three charts' lines.
  ASSERT_TRUE(testing::have_program("chromium")) << "chromium renders the HTML report";
  process::Command browser({"chromium", "--headless", "--no-sandbox", "--disable-gpu",
                            "--no-first-run", "--dump-dom", "file://" + html.string()});
  browser.timeout = std::chrono::seconds(60);
  auto dom = process::run_capture(browser);
  ASSERT_EQ(dom.outcome.exit_code, 0) << dom.output;
  size_t lines = 0;
  for (size_t at = dom.output.find("<polyline"); at != std::string::npos;
       at = dom.output.find("<polyline", at + 1))
    ++lines;
  EXPECT_EQ(lines, 5u) << dom.output;  // p50, p95, p99; requests/s; failed/s
  EXPECT_NE(dom.output.find("tollgate load: <span class=\"pass\">PASS</span>"), std::string::npos)
      << dom.output;
}

TEST_F(LoadNginx, ParallelSharesMergeExactly) {
  fs::path s = write_scenario("s.yaml", kBrowse);
  for (int i = 1; i <= 2; ++i) {
    Result r = tollgate({"load", s.string(), "--share", std::to_string(i) + "/2", "-f", "json",
                         "-o", (dir_.path() / ("part-" + std::to_string(i) + ".json")).string()},
                        dir_.path());
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  nlohmann::json a = read_json(dir_.path() / "part-1.json")["summary"];
  nlohmann::json b = read_json(dir_.path() / "part-2.json")["summary"];
  EXPECT_EQ(a["iterations"].get<int>() + b["iterations"].get<int>(), 50);
  fs::path merged = dir_.path() / "merged.json";
  Result r = tollgate({"load", "merge", (dir_.path() / "part-1.json").string(),
                       (dir_.path() / "part-2.json").string(), "-f", "json", "-o", merged.string()},
                      dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  nlohmann::json m = read_json(merged)["summary"];
  EXPECT_EQ(m["overall"]["count"], 100);
  EXPECT_EQ(m["iterations"], 50);
  EXPECT_EQ(m["shares"], 2);
  EXPECT_DOUBLE_EQ(
      m["overall"]["max_ms"].get<double>(),
      std::max(a["overall"]["max_ms"].get<double>(), b["overall"]["max_ms"].get<double>()));
  EXPECT_DOUBLE_EQ(
      m["overall"]["min_ms"].get<double>(),
      std::min(a["overall"]["min_ms"].get<double>(), b["overall"]["min_ms"].get<double>()));
  EXPECT_EQ(m["thresholds"].size(), 3u);
  EXPECT_EQ(nginx_requests(), 100u);

  // A merge writes the side files a run writes: the same Verdict JSON, k6's summary, the page.
  Result side = tollgate({"load", "merge", (dir_.path() / "part-1.json").string(),
                          (dir_.path() / "part-2.json").string(), "--json", "side.json",
                          "--summary-export", "k6.json", "--html", "side.html"},
                         dir_.path());
  ASSERT_EQ(side.exit_code, 0) << side.output;
  EXPECT_EQ(read_json(dir_.path() / "side.json")["summary"], read_json(merged)["summary"]);
  EXPECT_EQ(read_json(dir_.path() / "k6.json")["metrics"]["http_reqs"]["count"], 100);
  EXPECT_TRUE(fs::exists(dir_.path() / "side.html"));
  // The side-file flags are --report under k6's names: the same renderer writes the same file.
  Result report =
      tollgate({"load", "merge", (dir_.path() / "part-1.json").string(),
                (dir_.path() / "part-2.json").string(), "--report", "k6=k6-report.json"},
               dir_.path());
  ASSERT_EQ(report.exit_code, 0) << report.output;
  EXPECT_EQ(read_json(dir_.path() / "k6-report.json"), read_json(dir_.path() / "k6.json"));

  // The merged histogram is the parts' buckets added up by hand, and each merged percentile
  // lies in the bucket that holds its rank in those buckets.
  auto buckets = [](const nlohmann::json& summary) {
    std::map<int64_t, uint64_t> out;
    for (const auto& pair : summary["histograms"]["overall"]["latency"]["v"])
      out[pair[0].get<int64_t>()] += pair[1].get<uint64_t>();
    return out;
  };
  std::map<int64_t, uint64_t> by_hand = buckets(a);
  for (const auto& [value, n] : buckets(b))
    by_hand[value] += n;
  ASSERT_EQ(buckets(m), by_hand);
  for (auto [key, p] : {std::pair{"p50_ms", 50.0}, {"p90_ms", 90.0}, {"p99_ms", 99.0}}) {
    auto rank = static_cast<uint64_t>(std::ceil(p / 100.0 * 100));
    uint64_t seen = 0;
    auto it = by_hand.begin();
    for (; it != by_hand.end(); ++it)
      if ((seen += it->second) >= rank) break;
    ASSERT_NE(it, by_hand.end());
    double us = m["overall"][key].get<double>() * 1000.0;
    EXPECT_GE(us, static_cast<double>(it->first)) << key;
    if (std::next(it) != by_hand.end()) {
      EXPECT_LT(us, static_cast<double>(std::next(it)->first)) << key;
    }
  }

  Result bad = tollgate({"load", "merge", s.string()}, dir_.path());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("not a JSON file"), std::string::npos) << bad.output;

  // A share of another scenario is refused, naming the file and why.
  fs::path other = write_scenario("other.yaml", std::string(kBrowse) + "# another scenario\n");
  fs::path other_part = dir_.path() / "other-2.json";
  ASSERT_EQ(
      tollgate({"load", other.string(), "--share", "2/2", "-f", "json", "-o", other_part.string()},
               dir_.path())
          .exit_code,
      0);
  Result mixed = tollgate(
      {"load", "merge", (dir_.path() / "part-1.json").string(), other_part.string()}, dir_.path());
  EXPECT_EQ(mixed.exit_code, 2);
  EXPECT_NE(mixed.output.find("other-2.json: ran scenario"), std::string::npos) << mixed.output;
  EXPECT_NE(mixed.output.find("only the shares of one scenario merge"), std::string::npos);
  // ...and so is a share given twice.
  Result twice = tollgate({"load", "merge", (dir_.path() / "part-1.json").string(),
                           (dir_.path() / "part-1.json").string()},
                          dir_.path());
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.output.find("is share 1/2, as"), std::string::npos) << twice.output;
}

TEST_F(LoadNginx, HelpTeachesAndWrongFlagsAreUsageErrors) {
  Result help = tollgate({"load", "--help"}, dir_.path());
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("Examples:"), std::string::npos);
  EXPECT_NE(help.output.find("coordinated omission"), std::string::npos);
  // merge is found from the command's own help, with an example
  EXPECT_NE(help.output.find("tollgate load merge RESULT.json..."), std::string::npos)
      << help.output;
  EXPECT_NE(help.output.find("tollgate load merge part-1.json part-2.json"), std::string::npos);
  Result no_files = tollgate({"load", "merge"}, dir_.path());
  EXPECT_EQ(no_files.exit_code, 2);
  EXPECT_NE(no_files.output.find("load merge needs the result files of every share"),
            std::string::npos)
      << no_files.output;
  Result wrong = tollgate({"load", "s.yaml", "--usres", "3"}, dir_.path());
  EXPECT_EQ(wrong.exit_code, 2);
  Result both =
      tollgate({"load", write_scenario("s.yaml", kBrowse).string(), "--users", "3", "--rate", "5"},
               dir_.path());
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.output.find("not both"), std::string::npos) << both.output;
}

class LoadNginxTls : public LoadNginx {
 protected:
  LoadNginxTls() { tls_ = true; }
};

TEST_F(LoadNginxTls, HttpsVerifiesTheCertificate) {
  ASSERT_TRUE(testing::have_program("openssl")) << "openssl is not installed";
  std::string https = "https://127.0.0.1:" + std::to_string(tls_port_);
  std::string journeys =
      "load: {users: 2, iterations: 40}\n"
      "journeys: [{requests: [{name: item, path: /item.json,"
      " check: {status: 200, body_contains: xxx}}]}]\n";
  fs::path trusted = write_scenario("trusted.yaml", "tls: {ca: cert.pem}\n" + journeys);
  fs::path out = dir_.path() / "r.json";
  Result ok = tollgate(
      {"load", trusted.string(), "--host", https, "-f", "json", "-o", out.string()}, dir_.path());
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_EQ(read_json(out)["summary"]["overall"]["count"], 40);
  EXPECT_EQ(read_json(out)["summary"]["overall"]["checks_passed"], 80);
  EXPECT_EQ(nginx_requests(), 40u);

  // The system CAs do not know this self-signed certificate: fail closed, say why.
  fs::path untrusted = write_scenario("untrusted.yaml", journeys);
  Result refused = tollgate({"load", untrusted.string(), "--host", https}, dir_.path());
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("TLS: self-signed certificate"), std::string::npos)
      << refused.output;

  Result insecure =
      tollgate({"load", untrusted.string(), "--host", https, "--insecure"}, dir_.path());
  EXPECT_EQ(insecure.exit_code, 0) << insecure.output;
}

}  // namespace
}  // namespace tollgate
