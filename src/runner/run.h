#pragma once

#include <functional>
#include <memory>

#include "runner/board.h"
#include "runner/context.h"
#include "runner/report.h"

namespace tollgate::runner {

// Makes the board once the plan is known (names and stages of the jobs that will be shown).
using BoardFactory =
    std::function<std::unique_ptr<Board>(std::vector<BoardJob>, std::vector<std::string>)>;

// Runs the pipeline: plan, then every job the moment what it waits for is done, up to
// opts.parallelism at once, each in a fresh copy of the project (unless in_place), with
// artifacts and dotenv variables handed on; records the run and its jobs in
// .tollgate/history.db and the logs in .tollgate/runs/<id>/. Throws Error (exit 2) when the
// pipeline cannot be planned.
RunReport run_pipeline(const RunOptions& opts, const BoardFactory& make_board);

}  // namespace tollgate::runner
