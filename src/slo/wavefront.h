#pragma once

#include <string>
#include <vector>

#include "slo/source.h"

namespace tollgate::slo {

// Wavefront / VMware Aria "Operations for Applications" chart API (GET /api/v2/chart/api).
// The token comes from WAVEFRONT_TOKEN; without it the gate cannot verify. Requests carry the
// window in epoch milliseconds with strict=true; answers carry epoch seconds, and points outside
// the window are dropped here too, whatever the server did with `strict`.
class WavefrontSource : public Source {
 public:
  WavefrontSource(std::string url, std::chrono::microseconds timeout);
  std::string describe() const override { return "wavefront:" + url_; }
  std::vector<Measurement> measure(const std::vector<Query>& queries,
                                   const Window& window) override;

 private:
  Measurement run(const Query& query, const Window& window) const;
  std::string url_;
  std::chrono::microseconds timeout_;
};

// The granularity letter for a step (or, without one, for the window): s, m, h or d.
char wavefront_granularity(const Window& window, std::optional<std::chrono::milliseconds> step);

// Reads a chart API answer: every point of every timeseries with start <= t < end.
Measurement parse_wavefront_response(long http_status, const std::string& body,
                                     const std::string& query, const Window& window);

}  // namespace tollgate::slo
