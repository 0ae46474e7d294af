#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "runner/report.h"

namespace tollgate::runner {

// Shows a run while it happens. Called from job threads; implementations lock.
class Board {
 public:
  virtual ~Board() = default;
  virtual void job_started(size_t job) = 0;
  virtual void job_line(size_t job, std::string_view line) = 0;
  virtual void job_finished(size_t job, const JobReport& report) = 0;
  virtual void finish() {}
};

struct BoardJob {
  std::string name;
  std::string stage;
};

// Off a terminal: every line prefixed with its job ("build:cart | $ make"), then one line per
// finished job.
std::unique_ptr<Board> make_plain_board(std::ostream& out, std::vector<BoardJob> jobs);
// On a terminal: finished jobs scroll above a live area that shows per-stage progress and the
// running jobs with their elapsed time, redrawn ten times a second. A failed job's last lines
// are shown when it fails.
std::unique_ptr<Board> make_live_board(std::ostream& out, std::vector<BoardJob> jobs,
                                       std::vector<std::string> stages);

}  // namespace tollgate::runner
