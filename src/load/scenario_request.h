#pragma once

#include "load/scenario.h"
#include "util/yaml.h"

// Parsing of the parts of a scenario below `journeys:`; scenario.cc reads the rest.
namespace tollgate::load::detail {

// Throws Error at the key's location when a mapping has a key outside `known`.
void check_keys(const yaml::Node& map, const std::vector<std::string>& known,
                const std::string& what);
// A duration scalar ("1.5s", "300ms", "2m") in microseconds; throws Error at the node.
int64_t duration_us(const yaml::Node& node);
double number(const yaml::Node& node, const std::string& what);

Think parse_think(const yaml::Node& node);
RequestSpec parse_request(const yaml::Node& node,
                          const std::vector<std::pair<std::string, Template>>& default_headers,
                          int64_t default_timeout_us);

}  // namespace tollgate::load::detail
