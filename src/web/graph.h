// The pipeline graph as GitLab draws it: a column per stage, a box per job with its status and
// duration, and an arrow for each `needs` edge. Server-drawn SVG, so it shows without JavaScript.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "history/runs.h"

namespace tollgate::web {

std::string render_graph(int64_t run_id, const std::vector<std::string>& stages,
                         const std::vector<history::JobRecord>& jobs);

}  // namespace tollgate::web
