#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "slo/source.h"

namespace tollgate::slo {

// The statistics of a `tollgate load --format json` run: the Verdict JSON whose summary holds
// "overall" and "requests" {name: stats}. Queries name a statistic: "p95_ms" (overall),
// "overall.error_rate", "requests.checkout.p99_ms".
class LoadSource : public Source {
 public:
  explicit LoadSource(std::string path) : path_(std::move(path)) {}
  std::string describe() const override { return "load:" + path_; }
  std::vector<Measurement> measure(const std::vector<Query>& queries,
                                   const Window& window) override;
  bool names_are_queries() const override { return true; }
  std::string failed_test_run() const override { return failed_; }

 private:
  std::string path_;
  std::string failed_;
};

// The statistics the load gate writes for every request and overall.
const std::vector<std::string>& load_statistics();

// Looks one query up in a load verdict; throws Error for an unknown statistic or a file that
// is not a load result.
Measurement lookup_load_statistic(const nlohmann::json& verdict, const Query& query,
                                  const std::string& path);

}  // namespace tollgate::slo
