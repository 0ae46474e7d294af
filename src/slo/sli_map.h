#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include "slo/reduce.h"
#include "util/error.h"
#include "util/yaml.h"

namespace tollgate::slo {

enum class QueryKind { Instant, Range };

// One indicator: a name and the query that measures it. Keptn's sli.yaml writes only the query
// (`indicators: {name: query}`); the mapping form adds how to run and reduce it.
struct SliSpec {
  std::string name;
  std::string query;
  QueryKind kind = QueryKind::Instant;
  std::optional<Reduce> reduce;
  std::optional<std::chrono::milliseconds> step;  // range queries; default: window / 60
  SourceLocation where;
};

struct SliMap {
  std::string path;
  std::map<std::string, SliSpec> indicators;
};

SliMap parse_sli_map(const yaml::Node& root, const std::string& path);
SliMap load_sli_map(const std::string& path);

// Replaces $NAME placeholders in spec.query with vars[NAME]. An unknown placeholder is an Error
// at the indicator's location (a typo there would otherwise query something else silently).
std::string expand_placeholders(const SliSpec& spec,
                                const std::map<std::string, std::string>& vars);

}  // namespace tollgate::slo
