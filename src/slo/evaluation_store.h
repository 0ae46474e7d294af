#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "slo/scoring.h"
#include "util/db.h"

namespace tollgate::slo {

// Earlier evaluations of an SLO file, for relative criteria ("no more than 10% over the last
// passing runs"), in the shared history database (tables slo_evaluations and slo_values).
class EvaluationStore {
 public:
  explicit EvaluationStore(db::Database& db);

  // The values of each SLI in the newest `comparison.number_of_results` evaluations of key
  // whose result comparison.include admits, newest first. SLIs without a value in an
  // evaluation (no data) are left out, as Keptn leaves out unsuccessful SLI results.
  PreviousValues previous(const std::string& key, const Comparison& comparison) const;
  // How many evaluations previous() drew on (for reports).
  int count_previous(const std::string& key, const Comparison& comparison) const;

  int64_t record(const std::string& key, const std::string& source, const std::string& when,
                 const Evaluation& evaluation);

 private:
  std::vector<int64_t> previous_ids(const std::string& key, const Comparison& comparison) const;
  db::Database& db_;
};

}  // namespace tollgate::slo
