#pragma once

#include <string>
#include <vector>

#include "slo/source.h"

namespace tollgate::slo {

// Prometheus HTTP API v1. Instant queries run at the end of the window; range queries over the
// whole window. Credentials come from the environment so they never show in a process list or
// a CI log: PROMETHEUS_TOKEN (bearer) or PROMETHEUS_USERNAME and PROMETHEUS_PASSWORD (basic).
class PrometheusSource : public Source {
 public:
  PrometheusSource(std::string url, std::chrono::microseconds timeout);
  std::string describe() const override { return "prometheus:" + url_; }
  std::vector<Measurement> measure(const std::vector<Query>& queries,
                                   const Window& window) override;
  Measurement run(const Query& query, const Window& window) const;

 private:
  std::string url_;
  std::vector<std::string> headers_;
  std::string basic_auth_;
  std::chrono::microseconds timeout_;
};

// The default step of a range query: about 200 points over the window, at least one second.
std::chrono::milliseconds default_step(const Window& window);

// Reads a query or query_range answer. Error answers ({"status":"error"}), non-JSON bodies and
// unexpected shapes throw Error naming the query and the HTTP status.
Measurement parse_prometheus_response(long http_status, const std::string& body,
                                      const std::string& query);

}  // namespace tollgate::slo
