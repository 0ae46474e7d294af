#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "load/json_path.h"
#include "load/template.h"
#include "load/thresholds.h"
#include "util/error.h"

namespace re2 {
class RE2;
}

namespace tollgate::load {

// What a response must show. A request fails (http_req_failed) on a transport error or a status
// it does not expect: by default >= 400, or any status outside `statuses` when they are given.
struct Check {
  std::vector<int> statuses;
  struct Json {
    JsonPath path;
    bool exists_only = false;
    nlohmann::json equals;
    SourceLocation where;
  };
  std::vector<Json> json;
  std::vector<std::string> body_contains;
  int64_t max_duration_us = 0;  // 0: none

  bool expects_status(int status) const;
  size_t assertions() const;
};

struct Extract {
  enum class Kind { Json, Header, Regex };
  std::string var;
  Kind kind = Kind::Json;
  JsonPath path;
  std::string header;
  std::shared_ptr<re2::RE2> regex;
  SourceLocation where;
};

struct RequestSpec {
  std::string name;  // statistics are kept per name
  size_t stat_index = 0;
  std::string method = "GET";
  Template path;
  std::vector<std::pair<std::string, Template>> headers;  // defaults merged in, request wins
  Template body;
  bool has_body = false;
  bool json_body = false;  // body values are JSON-escaped when rendered
  Check check;
  std::vector<Extract> extract;
  int64_t timeout_us = 0;
  SourceLocation where;

  bool needs_body() const;
  bool needs_headers() const;
};

struct Think {
  enum class Kind { None, Constant, Uniform };
  Kind kind = Kind::None;
  int64_t min_us = 0;
  int64_t max_us = 0;
};

struct Journey {
  std::string name;
  double weight = 1;
  Think think;            // pause after each request
  int64_t pacing_us = 0;  // closed model: an iteration starts at most this often per user
  std::vector<RequestSpec> requests;
  std::vector<size_t> feeders;  // feeders the journey reads: it takes a row of each per iteration
  SourceLocation where;
};

// A CSV data feeder: journeys take rows in turn; `${users.name}` reads column name.
struct Feeder {
  std::string name;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

struct Stage {
  double rate = 0;  // journeys started per second
  int64_t duration_us = 0;
};

struct LoadSpec {
  enum class Model { Closed, Open };
  Model model = Model::Closed;
  int users = 1;
  double spawn_rate = 0;      // users started per second; 0: all at once
  std::vector<Stage> stages;  // open model; one stage for a constant rate
  int64_t duration_us = 10'000'000;
  int64_t iterations = 0;    // 0: no limit; journeys in total
  int64_t max_requests = 0;  // 0: no limit; a hard bound on requests sent
  int max_connections = 1000;
  int threads = 1;
  int share_index = 0;  // --share I/N: this process runs 1/N of the load
  int share_count = 1;
  int64_t first_user = 0;  // users (connections, open model) of earlier parts: ${__vu} is unique

  int64_t total_duration_us() const;
  // The part of this load that worker `index` of `count` runs (users, rate and iterations
  // divided so that the parts add up to the whole).
  LoadSpec split(int index, int count) const;
};

struct Target {
  std::string scheme = "http";
  std::string host;
  std::string port = "80";
  std::string base_path;    // prefix of every request path, without a trailing /
  std::string host_header;  // host[:port]
};

// https: the server's certificate is verified against the system's CAs (or `ca`) and its name.
struct TlsOptions {
  bool verify = true;
  std::string ca_file;  // PEM bundle; empty: the system's default CAs
};

struct Scenario {
  std::string file;
  std::string sha256;  // of the file's text: which scenario a result came from
  Target target;
  TlsOptions tls;
  int64_t timeout_us = 10'000'000;
  VarMap variables;
  std::vector<Feeder> feeders;
  LoadSpec load;
  std::vector<Journey> journeys;
  std::vector<Threshold> thresholds;
  std::vector<std::string> request_names;  // distinct, in order of first use
};

// Parses a URL like http://host:port/base into a Target; throws Error at where.
Target parse_target(const std::string& url, const SourceLocation& where);

// What the command line overrides; unset fields keep the scenario's values.
struct Overrides {
  std::optional<std::string> host;
  std::optional<int> users;
  std::optional<double> spawn_rate;
  std::optional<double> rate;
  std::optional<int64_t> duration_us;
  std::optional<int64_t> iterations;
  std::optional<int64_t> max_requests;
  std::optional<int> max_connections;
  std::optional<int> threads;
  bool insecure = false;  // --insecure: do not verify TLS certificates
  int share_index = 0;
  int share_count = 1;
};

// Reads and checks a scenario file: every error is reported with file:line:col before any
// traffic is sent, including variables used before anything defines them.
Scenario load_scenario(const std::string& path, const Overrides& overrides = {});
Scenario parse_scenario(std::string_view text, const std::string& file,
                        const Overrides& overrides = {});

}  // namespace tollgate::load
