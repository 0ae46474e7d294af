#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "slo/criteria.h"
#include "util/error.h"
#include "util/yaml.h"

namespace tollgate::slo {

enum class Aggregate { Avg, P50, P90, P95 };
enum class IncludeResults { All, Pass, PassOrWarn };

// Which earlier evaluations relative criteria compare with (Keptn's `comparison`).
struct Comparison {
  std::string compare_with = "single_result";
  IncludeResults include = IncludeResults::All;
  int number_of_results = 1;  // already resolved: 1 for single_result
  Aggregate aggregate = Aggregate::Avg;
};

// For --baseline: which direction of change fails an objective (Kayenta's `direction`).
enum class Direction { Either, Increase, Decrease };

struct Objective {
  std::string sli;
  std::string display_name;  // sli when not given
  bool key_sli = false;
  double weight = 1;
  std::vector<CriteriaSet> pass;     // empty: informational, not scored
  std::vector<CriteriaSet> warning;  // OR of AND-sets
  Direction direction = Direction::Either;
  SourceLocation where;

  bool informational() const { return pass.empty(); }
  bool relative() const;
};

struct TotalScore {
  double pass = 90;               // percent
  std::optional<double> warning;  // percent
};

// A Keptn quality-gate file (slo.yaml).
struct SloFile {
  std::string path;
  std::string spec_version;
  std::map<std::string, std::string> filter;  // passed to the SLI queries as $key placeholders
  Comparison comparison;
  std::vector<Objective> objectives;
  TotalScore total_score;
};

// Reads and validates an SLO file; every mistake is an Error at its file:line:col.
SloFile parse_slo(const yaml::Node& root, const std::string& path);
SloFile load_slo(const std::string& path);

std::string_view to_string(Aggregate a);
std::string_view to_string(IncludeResults i);
std::string_view to_string(Direction d);

}  // namespace tollgate::slo
