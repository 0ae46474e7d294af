#include "slo/prometheus.h"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <tuple>

#include "slo/url.h"
#include "util/http.h"
#include "util/json_read.h"

namespace tollgate::slo {
namespace {

using nlohmann::json;

std::string unix_seconds(timefmt::Clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%03lld", static_cast<long long>(ms / 1000),
                static_cast<long long>(ms % 1000));
  return buf;
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

// Prometheus writes sample values as strings so that NaN and ±Inf survive JSON.
double sample_value(const json& pair, const std::string& query) {
  if (!pair.is_array() || pair.size() != 2 || !pair[1].is_string())
    throw Error("prometheus query '" + query +
                "': a sample is not [time, \"value\"]: " + pair.dump());
  const std::string& s = pair[1].get_ref<const std::string&>();
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0')
    throw Error("prometheus query '" + query + "': sample value '" + s + "' is not a number");
  return v;
}

void reject_histogram(const json& series, const std::string& query) {
  if (series.contains("histogram") || series.contains("histograms"))
    throw Error("prometheus query '" + query +
                "' returned native histograms; reduce them in PromQL, e.g. "
                "histogram_quantile(0.95, ...)");
}

std::string excerpt(const std::string& body) {
  std::string s = body.substr(0, 200);
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

Measurement read_answer(long http_status, const std::string& body, const std::string& query) {
  std::string what = "prometheus query '" + query + "'";
  json j = json_read::parse_or_discarded(body);
  if (j.is_discarded() || !j.is_object())
    throw Error(what + ": HTTP " + std::to_string(http_status) +
                ", not a Prometheus API answer: " + excerpt(body));
  if (j.value("status", "") != "success") {
    std::string type = j.value("errorType", "error");
    throw Error(what + " failed: " + type + ": " + j.value("error", "(no message)") + " (HTTP " +
                std::to_string(http_status) + ")");
  }
  const json& data = j.contains("data") ? j["data"] : json();
  if (!data.is_object() || !data.contains("resultType") || !data.contains("result"))
    throw Error(what + ": the answer has no data.resultType/result");
  std::string type = data["resultType"].get<std::string>();
  const json& result = data["result"];
  Measurement m;
  if (type == "scalar") {
    m.samples.push_back(sample_value(result, query));
    m.series = 1;
  } else if (type == "vector") {
    for (const auto& series : result) {
      reject_histogram(series, query);
      m.samples.push_back(sample_value(series.at("value"), query));
      ++m.series;
    }
  } else if (type == "matrix") {
    for (const auto& series : result) {
      reject_histogram(series, query);
      for (const auto& pair : series.at("values"))
        m.samples.push_back(sample_value(pair, query));
      ++m.series;
    }
  } else {
    throw Error(what + " returned a " + type +
                "; an SLI needs a number (scalar, vector or matrix)");
  }
  if (m.samples.empty()) m.no_data = "query '" + query + "' returned no data";
  for (const char* key : {"warnings", "infos"}) {
    if (!j.contains(key) || !j[key].is_array()) continue;
    for (const auto& w : j[key])
      m.warnings.push_back(w.is_string() ? w.get<std::string>() : w.dump());
  }
  return m;
}

}  // namespace

PrometheusSource::PrometheusSource(std::string url, std::chrono::microseconds timeout)
    : timeout_(timeout) {
  std::string userinfo;
  std::tie(url_, userinfo) = split_userinfo(url);
  if (url_.rfind("http://", 0) != 0 && url_.rfind("https://", 0) != 0)
    throw UsageError("--source prometheus:" + url_ +
                     ": the URL must start with http:// or https://");
  if (std::string token = env("PROMETHEUS_TOKEN"); !token.empty())
    headers_.push_back("Authorization: Bearer " + token);
  if (std::string user = env("PROMETHEUS_USERNAME"); !user.empty())
    basic_auth_ = user + ":" + env("PROMETHEUS_PASSWORD");
  else if (!userinfo.empty())
    basic_auth_ = userinfo;
}

std::chrono::milliseconds default_step(const Window& window) {
  auto total = std::chrono::duration_cast<std::chrono::milliseconds>(window.end - window.start);
  return std::max(std::chrono::milliseconds(1000), total / 200);
}

std::vector<Measurement> PrometheusSource::measure(const std::vector<Query>& queries,
                                                   const Window& window) {
  std::vector<Measurement> out;
  out.reserve(queries.size());
  for (const auto& q : queries)
    out.push_back(run(q, window));
  return out;
}

Measurement PrometheusSource::run(const Query& query, const Window& window) const {
  std::vector<std::pair<std::string, std::string>> params = {{"query", query.text}};
  std::string path;
  if (query.kind == QueryKind::Range) {
    path = "/api/v1/query_range";
    auto step = query.step.value_or(default_step(window));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(step.count()) / 1000.0);
    params.emplace_back("start", unix_seconds(window.start));
    params.emplace_back("end", unix_seconds(window.end));
    params.emplace_back("step", buf);
  } else {
    path = "/api/v1/query";
    params.emplace_back("time", unix_seconds(window.end));
  }
  char timeout[32];
  std::snprintf(timeout, sizeof timeout, "%.6f", static_cast<double>(timeout_.count()) / 1e6);
  params.emplace_back("timeout", timeout);
  // POST keeps long PromQL out of URL length limits and access logs.
  http::Request req;
  req.method = "POST";
  req.url = url_join(url_, path);
  req.headers = headers_;
  req.headers.push_back("Content-Type: application/x-www-form-urlencoded");
  req.body = form_encode(params);
  req.basic_auth = basic_auth_;
  // Prometheus answers its own timeout with an errorType; the HTTP limit only catches a hang.
  req.timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(timeout_) + std::chrono::seconds(5);
  http::Response resp;
  try {
    resp = http::perform(req);
  } catch (const Error& e) {
    throw Error(query.where, "prometheus query '" + query.text + "': " + e.message());
  }
  try {
    return parse_prometheus_response(resp.status, resp.body, query.text);
  } catch (const Error& e) {
    throw Error(query.where, e.message());
  }
}

Measurement parse_prometheus_response(long http_status, const std::string& body,
                                      const std::string& query) {
  try {
    return read_answer(http_status, body, query);
  } catch (const json::exception& e) {
    throw Error("prometheus query '" + query + "': unexpected answer (" + e.what() + ")");
  }
}

}  // namespace tollgate::slo
