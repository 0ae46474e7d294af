#include "slo/wavefront.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "slo/url.h"
#include "util/http.h"
#include "util/json_read.h"

namespace tollgate::slo {
namespace {

using nlohmann::json;

long long epoch_ms(timefmt::Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string excerpt(const std::string& body) {
  std::string s = body.substr(0, 200);
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

Measurement read_answer(long http_status, const std::string& body, const std::string& query,
                        const Window& window) {
  std::string what = "wavefront query '" + query + "'";
  json j = json_read::parse_or_discarded(body);
  if (http_status != 200) {
    std::string message = j.is_object() ? j.value("message", excerpt(body)) : excerpt(body);
    throw Error(what + " failed: HTTP " + std::to_string(http_status) + ": " + message);
  }
  if (j.is_discarded() || !j.is_object())
    throw Error(what + ": not a chart API answer: " + excerpt(body));
  Measurement m;
  double start = static_cast<double>(epoch_ms(window.start)) / 1000.0;
  double end = static_cast<double>(epoch_ms(window.end)) / 1000.0;
  if (j.contains("timeseries") && j["timeseries"].is_array()) {
    for (const auto& series : j["timeseries"]) {
      ++m.series;
      for (const auto& point : series.value("data", json::array())) {
        if (!point.is_array() || point.size() < 2 || !point[0].is_number())
          throw Error(what + ": a point is not [seconds, value]: " + point.dump());
        double t = point[0].get<double>();
        if (t < start || t >= end) continue;
        m.samples.push_back(point[1].is_number() ? point[1].get<double>() : std::nan(""));
      }
    }
  }
  if (m.samples.empty()) m.no_data = "query '" + query + "' returned no points in the window";
  return m;
}

}  // namespace

WavefrontSource::WavefrontSource(std::string url, std::chrono::microseconds timeout)
    : url_(std::move(url)), timeout_(timeout) {
  if (url_.rfind("http://", 0) != 0 && url_.rfind("https://", 0) != 0)
    throw UsageError("--source wavefront:" + url_ +
                     ": the URL must start with https:// (or http:// for a local server)");
}

char wavefront_granularity(const Window& window, std::optional<std::chrono::milliseconds> step) {
  double seconds = step ? static_cast<double>(step->count()) / 1000.0 : window.seconds() / 60.0;
  if (seconds < 60) return 's';
  if (seconds < 3600) return 'm';
  if (seconds < 86400) return 'h';
  return 'd';
}

std::vector<Measurement> WavefrontSource::measure(const std::vector<Query>& queries,
                                                  const Window& window) {
  std::vector<Measurement> out;
  out.reserve(queries.size());
  for (const auto& q : queries)
    out.push_back(run(q, window));
  return out;
}

Measurement WavefrontSource::run(const Query& query, const Window& window) const {
  const char* token = std::getenv("WAVEFRONT_TOKEN");
  if (!token || !*token)
    throw Error("wavefront: WAVEFRONT_TOKEN is not set; the chart API needs an API token");
  std::string params =
      form_encode({{"q", query.text},
                   {"s", std::to_string(epoch_ms(window.start))},
                   {"e", std::to_string(epoch_ms(window.end))},
                   {"g", std::string(1, wavefront_granularity(window, query.step))},
                   {"strict", "true"},
                   {"i", "false"},
                   {"sorted", "true"}});
  http::Request req;
  req.url = url_join(url_, "/api/v2/chart/api") + "?" + params;
  req.headers = {std::string("Authorization: Bearer ") + token, "Accept: application/json"};
  req.timeout = std::max(std::chrono::milliseconds(1),
                         std::chrono::duration_cast<std::chrono::milliseconds>(timeout_));
  http::Response resp;
  try {
    resp = http::perform(req);
    return read_answer(resp.status, resp.body, query.text, window);
  } catch (const json::exception& e) {
    throw Error(query.where,
                "wavefront query '" + query.text + "': unexpected answer (" + e.what() + ")");
  } catch (const Error& e) {
    throw Error(query.where, e.message().find("wavefront") == 0
                                 ? e.message()
                                 : "wavefront query '" + query.text + "': " + e.message());
  }
}

Measurement parse_wavefront_response(long http_status, const std::string& body,
                                     const std::string& query, const Window& window) {
  try {
    return read_answer(http_status, body, query, window);
  } catch (const json::exception& e) {
    throw Error("wavefront query '" + query + "': unexpected answer (" + e.what() + ")");
  }
}

}  // namespace tollgate::slo
