#include "load/stats.h"

#include <algorithm>

#include "util/error.h"

namespace tollgate::load {

std::string_view to_string(ErrorClass c) {
  switch (c) {
    case ErrorClass::Refused:
      return "refused";
    case ErrorClass::Reset:
      return "reset";
    case ErrorClass::Timeout:
      return "timeout";
    case ErrorClass::Connect:
      return "connect";
    case ErrorClass::Protocol:
      return "protocol";
    case ErrorClass::Tls:
      return "tls";
    case ErrorClass::Status:
      return "status";
    case ErrorClass::Count:
      break;
  }
  return "unknown";
}

void RequestStats::merge(const RequestStats& o) {
  latency.merge(o.latency);
  waiting.merge(o.waiting);
  count += o.count;
  failures += o.failures;
  checks_passed += o.checks_passed;
  checks_failed += o.checks_failed;
  bytes_received += o.bytes_received;
  for (size_t i = 0; i < errors.size(); ++i)
    errors[i] += o.errors[i];
  for (const auto& [code, n] : o.statuses)
    statuses[code] += n;
}

void SecondStats::merge(const SecondStats& o) {
  count += o.count;
  failures += o.failures;
  users += o.users;
  latency.merge(o.latency);
}

Stats::Stats(std::vector<std::string> request_names)
    : names(std::move(request_names)), requests(names.size()) {}

size_t Stats::name_index(const std::string& name) {
  auto it = std::find(names.begin(), names.end(), name);
  if (it != names.end()) return static_cast<size_t>(it - names.begin());
  names.push_back(name);
  requests.emplace_back();
  return names.size() - 1;
}

void Stats::assign_totals(const Stats& o) {
  names = o.names;
  requests = o.requests;
  overall = o.overall;
  iterations = o.iterations;
  iterations_failed = o.iterations_failed;
  dropped_iterations = o.dropped_iterations;
  interrupted = o.interrupted;
  duration_s = o.duration_s;
}

void Stats::merge(const Stats& o) {
  for (size_t i = 0; i < o.names.size(); ++i)
    requests[name_index(o.names[i])].merge(o.requests[i]);
  overall.merge(o.overall);
  iterations += o.iterations;
  iterations_failed += o.iterations_failed;
  dropped_iterations += o.dropped_iterations;
  interrupted += o.interrupted;
  // Parallel runs cover the same wall-clock window, so the merged duration is the longest.
  duration_s = std::max(duration_s, o.duration_s);
  if (seconds.size() < o.seconds.size()) seconds.resize(o.seconds.size());
  for (size_t i = 0; i < o.seconds.size(); ++i)
    seconds[i].merge(o.seconds[i]);
}

namespace {

double ms(int64_t us) {
  return static_cast<double>(us) / 1000.0;
}

nlohmann::json counts_json(const RequestStats& r) {
  nlohmann::json errors = nlohmann::json::object();
  for (size_t i = 0; i < r.errors.size(); ++i)
    if (r.errors[i]) errors[std::string(to_string(static_cast<ErrorClass>(i)))] = r.errors[i];
  nlohmann::json statuses = nlohmann::json::object();
  for (const auto& [code, n] : r.statuses)
    statuses[std::to_string(code)] = n;
  return {{"errors", errors}, {"statuses", statuses}};
}

void read_counts(const nlohmann::json& j, RequestStats& r) {
  if (j.contains("errors") && j["errors"].is_object()) {
    for (size_t i = 0; i < r.errors.size(); ++i) {
      auto key = std::string(to_string(static_cast<ErrorClass>(i)));
      if (j["errors"].contains(key)) r.errors[i] = j["errors"][key].get<uint64_t>();
    }
  }
  if (j.contains("statuses") && j["statuses"].is_object())
    for (const auto& [code, n] : j["statuses"].items())
      r.statuses[std::stoi(code)] = n.get<uint64_t>();
}

}  // namespace

nlohmann::json figures_json(const RequestStats& r, double duration_s) {
  const Histogram& h = r.latency;
  double error_rate = r.count ? static_cast<double>(r.failures) / static_cast<double>(r.count) : 0;
  uint64_t checks = r.checks_passed + r.checks_failed;
  return {
      {"count", r.count},
      {"failures", r.failures},
      // Requests whose response arrived and was timed; 0 means the latency figures describe
      // nothing (every request failed in transport), not a server that answered in 0 ms.
      {"timed", h.count()},
      {"error_rate", error_rate},
      {"rps", duration_s > 0 ? static_cast<double>(r.count) / duration_s : 0.0},
      {"min_ms", ms(h.min_us())},
      {"mean_ms", h.mean_us() / 1000.0},
      {"p50_ms", ms(h.percentile_us(50))},
      {"p90_ms", ms(h.percentile_us(90))},
      {"p95_ms", ms(h.percentile_us(95))},
      {"p99_ms", ms(h.percentile_us(99))},
      {"p999_ms", ms(h.percentile_us(99.9))},
      {"max_ms", ms(h.max_us())},
      {"duration_s", duration_s},
      {"ttfb_p95_ms", ms(r.waiting.percentile_us(95))},
      {"checks_passed", r.checks_passed},
      {"checks_failed", r.checks_failed},
      {"checks_rate",
       checks ? static_cast<double>(r.checks_passed) / static_cast<double>(checks) : 1.0},
      {"bytes_received", r.bytes_received},
  };
}

nlohmann::json stats_json(const Stats& s) {
  nlohmann::json requests = nlohmann::json::object();
  nlohmann::json hist = nlohmann::json::object();
  hist["overall"] = {{"latency", s.overall.latency.to_json()},
                     {"waiting", s.overall.waiting.to_json()}};
  nlohmann::json details = nlohmann::json::object();
  details["overall"] = counts_json(s.overall);
  for (size_t i = 0; i < s.names.size(); ++i) {
    requests[s.names[i]] = figures_json(s.requests[i], s.duration_s);
    hist["requests"][s.names[i]] = {{"latency", s.requests[i].latency.to_json()},
                                    {"waiting", s.requests[i].waiting.to_json()}};
    details["requests"][s.names[i]] = counts_json(s.requests[i]);
  }
  nlohmann::json series = nlohmann::json::array();
  for (size_t i = 0; i < s.seconds.size(); ++i) {
    const SecondStats& sec = s.seconds[i];
    Histogram latency = sec.latency.dense();
    series.push_back({{"t", i + 1},
                      {"count", sec.count},
                      {"failures", sec.failures},
                      {"users", sec.users},
                      {"p50_ms", ms(latency.percentile_us(50))},
                      {"p95_ms", ms(latency.percentile_us(95))},
                      {"p99_ms", ms(latency.percentile_us(99))},
                      {"max_ms", ms(latency.max_us())},
                      {"histogram", latency.to_json()}});
  }
  return {{"overall", figures_json(s.overall, s.duration_s)},
          {"requests", requests},
          {"request_order", s.names},
          {"iterations", s.iterations},
          {"iterations_failed", s.iterations_failed},
          {"dropped_iterations", s.dropped_iterations},
          {"interrupted", s.interrupted},
          {"duration_s", s.duration_s},
          {"details", details},
          {"timeseries", series},
          {"histograms", hist}};
}

Stats stats_from_json(const nlohmann::json& j, const std::string& what) {
  auto need = [&](const nlohmann::json& obj, const char* key) -> const nlohmann::json& {
    if (!obj.is_object() || !obj.contains(key))
      throw Error(what + ": not a load result: no \"" + key +
                  "\" in the summary (write it with tollgate load --format json)");
    return obj[key];
  };
  try {
    Stats s;
    const auto& overall = need(j, "overall");
    const auto& hist = need(j, "histograms");
    s.duration_s = need(j, "duration_s").get<double>();
    auto read_request = [&](RequestStats& r, const nlohmann::json& figures, const nlohmann::json& h,
                            const nlohmann::json* counts) {
      r.latency = Histogram::from_json(need(h, "latency"), what);
      r.waiting = Histogram::from_json(need(h, "waiting"), what);
      r.count = need(figures, "count").get<uint64_t>();
      r.failures = need(figures, "failures").get<uint64_t>();
      r.checks_passed = figures.value("checks_passed", uint64_t{0});
      r.checks_failed = figures.value("checks_failed", uint64_t{0});
      r.bytes_received = figures.value("bytes_received", uint64_t{0});
      if (counts) read_counts(*counts, r);
    };
    const nlohmann::json* details = j.contains("details") ? &j["details"] : nullptr;
    read_request(s.overall, overall, need(hist, "overall"),
                 details && details->contains("overall") ? &(*details)["overall"] : nullptr);
    std::vector<std::string> order;
    if (j.contains("request_order"))
      order = j["request_order"].get<std::vector<std::string>>();
    else
      for (const auto& [name, _] : need(j, "requests").items())
        order.push_back(name);
    for (const auto& name : order) {
      size_t i = s.name_index(name);
      const nlohmann::json* counts = nullptr;
      if (details && details->contains("requests") && (*details)["requests"].contains(name))
        counts = &(*details)["requests"][name];
      read_request(s.requests[i], need(need(j, "requests"), name.c_str()),
                   need(need(hist, "requests"), name.c_str()), counts);
    }
    s.iterations = j.value("iterations", uint64_t{0});
    s.iterations_failed = j.value("iterations_failed", uint64_t{0});
    s.dropped_iterations = j.value("dropped_iterations", uint64_t{0});
    s.interrupted = j.value("interrupted", uint64_t{0});
    if (j.contains("timeseries")) {
      for (const auto& sec : j["timeseries"]) {
        SecondStats out;
        out.count = need(sec, "count").get<uint64_t>();
        out.failures = need(sec, "failures").get<uint64_t>();
        out.users = sec.value("users", uint64_t{0});
        out.latency = SparseHistogram(Histogram::from_json(need(sec, "histogram"), what));
        s.seconds.push_back(std::move(out));
      }
    }
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw Error(what + ": malformed load result: " + e.what());
  }
}

}  // namespace tollgate::load
