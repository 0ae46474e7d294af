#pragma once

#include <vector>

#include "pipeline/model.h"
#include "util/yaml.h"

namespace tollgate::pipeline {

// Applies `parallel:` to a job read from node: `parallel: N` gives N jobs named "job 1/N" ...;
// `parallel: matrix` gives one job per permutation (the product within each entry, entries one
// after another), named "job: [v1, v2]" with the permutation's variables. Every copy gets
// CI_NODE_INDEX and CI_NODE_TOTAL; `$[[ matrix.NAME ]]` in a matrix copy's needs becomes the
// copy's value of NAME. Without `parallel:` the job is returned alone.
std::vector<Job> expand_parallel(Job job, const yaml::Node& node, std::vector<Error>& errors);

}  // namespace tollgate::pipeline
