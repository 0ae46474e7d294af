#pragma once

#include <string>
#include <utility>
#include <vector>

#include "pipeline/model.h"
#include "pipeline/planner.h"

namespace tollgate::pipeline {

// The plan's DAG as it is drawn: an edge for each need, and for a job without `needs` an edge
// from every job of the closest earlier stage that has jobs (the edges to stages before that
// are implied by the path through it). Pairs of plan indices, (from, to).
std::vector<std::pair<size_t, size_t>> dag_edges(const Plan& plan);

// The DAG for mermaid (`graph LR`, a subgraph per stage) and for Graphviz dot (a cluster per
// stage), labels quoted for each: `tollgate plan --graph mermaid|dot`.
std::string dag_mermaid(const Plan& plan, const Pipeline& pipeline);
std::string dag_dot(const Plan& plan, const Pipeline& pipeline);

}  // namespace tollgate::pipeline
