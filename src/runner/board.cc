#include "runner/board.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "util/term.h"
#include "util/timefmt.h"

namespace tollgate::runner {
namespace {

using Clock = std::chrono::steady_clock;

std::string finished_line(const JobReport& r, int fd) {
  std::string status(to_string(r.status));
  term::Color c = term::Color::Gray;
  std::string mark = "-";
  if (r.status == JobStatus::Success) c = term::Color::Green, mark = "\u2714";
  if (r.status == JobStatus::Failed || r.status == JobStatus::Timeout ||
      r.status == JobStatus::Canceled)
    c = r.allow_failure ? term::Color::Yellow : term::Color::Red, mark = "\u2718";
  if (r.status == JobStatus::Manual) c = term::Color::Cyan;
  std::string line = term::paint(c, mark + " " + r.name, fd) + " " +
                     term::paint(term::Color::Gray, "(" + r.stage + ")", fd) + " " + status;
  if (r.status == JobStatus::Failed && r.attempts > 0)
    line += " with exit code " + std::to_string(r.exit_code);
  if (r.allow_failure) line += " (allowed to fail)";
  if (r.attempts > 0) line += " in " + timefmt::format_duration(r.duration_s);
  if (!r.reason.empty() && r.status != JobStatus::Success) line += ": " + r.reason;
  return line;
}

class PlainBoard : public Board {
 public:
  PlainBoard(std::ostream& out, std::vector<BoardJob> jobs) : out_(out), jobs_(std::move(jobs)) {
    for (const auto& j : jobs_)
      width_ = std::max(width_, j.name.size());
  }
  void job_started(size_t) override {}
  void job_line(size_t job, std::string_view line) override {
    std::lock_guard lock(mu_);
    const std::string& name = jobs_[job].name;
    out_ << name << std::string(width_ - name.size(), ' ') << " | " << line << "\n";
  }
  void job_finished(size_t, const JobReport& r) override {
    std::lock_guard lock(mu_);
    out_ << finished_line(r, -1) << "\n" << std::flush;
  }

 private:
  std::ostream& out_;
  std::vector<BoardJob> jobs_;
  size_t width_ = 0;
  std::mutex mu_;
};

class LiveBoard : public Board {
 public:
  LiveBoard(std::ostream& out, std::vector<BoardJob> jobs, std::vector<std::string> stages)
      : out_(out), jobs_(std::move(jobs)), started_(jobs_.size()), tails_(jobs_.size()) {
    for (const auto& j : jobs_) {
      if (!stage_total_.count(j.stage)) stage_order_.push_back(j.stage);
      stage_total_[j.stage]++;
    }
    std::vector<std::string> ordered;
    for (const auto& s : stages)
      if (stage_total_.count(s)) ordered.push_back(s);
    stage_order_ = ordered;
    ticker_ = std::thread([this] { tick(); });
  }
  ~LiveBoard() override { finish(); }

  void job_started(size_t job) override {
    std::lock_guard lock(mu_);
    started_[job] = Clock::now();
    running_.push_back(job);
  }
  void job_line(size_t job, std::string_view line) override {
    std::lock_guard lock(mu_);
    auto& tail = tails_[job];
    tail.emplace_back(line);
    if (tail.size() > 10) tail.pop_front();
  }
  void job_finished(size_t job, const JobReport& r) override {
    std::lock_guard lock(mu_);
    running_.erase(std::remove(running_.begin(), running_.end(), job), running_.end());
    stage_done_[r.stage]++;
    std::string text = finished_line(r, 1) + "\n";
    bool failed =
        (r.status == JobStatus::Failed || r.status == JobStatus::Timeout) && r.attempts > 0;
    if (failed) {
      for (const auto& l : tails_[job])
        text += term::paint(term::Color::Gray, "    | ", 1) + l + "\n";
      if (!r.log.empty())
        text += term::paint(term::Color::Gray, "    full log: " + r.log, 1) + "\n";
    }
    tails_[job].clear();
    pending_output_ += text;
    redraw();
  }
  void finish() override {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      stopped_ = true;
      cv_.notify_all();
    }
    ticker_.join();
    std::lock_guard lock(mu_);
    clear_area();
    out_ << pending_output_ << std::flush;
    pending_output_.clear();
  }

 private:
  void tick() {
    std::unique_lock lock(mu_);
    while (!stopped_) {
      redraw();
      cv_.wait_for(lock, std::chrono::milliseconds(100));
    }
  }

  void clear_area() {
    if (drawn_ > 0) out_ << "\r\033[" << drawn_ << "A\033[J";
    drawn_ = 0;
  }

  void redraw() {
    std::string area;
    int lines = 0;
    std::string progress;
    for (const auto& s : stage_order_) {
      int done = stage_done_[s], total = stage_total_[s];
      term::Color c = done == total ? term::Color::Green
                      : done > 0    ? term::Color::Yellow
                                    : term::Color::Gray;
      progress +=
          term::paint(c, s + " " + std::to_string(done) + "/" + std::to_string(total), 1) + "  ";
    }
    area += progress + "\n";
    ++lines;
    static const char* spinner[] = {"\u280b", "\u2819", "\u2839", "\u2838", "\u283c",
                                    "\u2834", "\u2826", "\u2827", "\u2807", "\u280f"};
    frame_ = (frame_ + 1) % 10;
    int width = term::width(1);
    for (size_t job : running_) {
      double secs = std::chrono::duration<double>(Clock::now() - started_[job]).count();
      std::string last = tails_[job].empty() ? "" : tails_[job].back();
      std::string line = std::string(spinner[frame_]) + " " + jobs_[job].name + "  " +
                         timefmt::format_duration(secs);
      size_t room =
          static_cast<size_t>(std::max(0, width - 4)) - std::min<size_t>(line.size(), width - 4);
      if (!last.empty() && room > 8) {
        if (last.size() > room - 4) last = last.substr(0, room - 5) + "\u2026";
        line += "  " + term::paint(term::Color::Gray, last, 1);
      }
      area += line + "\n";
      ++lines;
    }
    clear_area();
    out_ << pending_output_ << area << std::flush;
    pending_output_.clear();
    drawn_ = lines;
  }

  std::ostream& out_;
  std::vector<BoardJob> jobs_;
  std::vector<Clock::time_point> started_;
  std::vector<std::deque<std::string>> tails_;
  std::vector<size_t> running_;
  std::vector<std::string> stage_order_;
  std::map<std::string, int> stage_total_;
  std::map<std::string, int> stage_done_;
  std::string pending_output_;
  int drawn_ = 0;
  int frame_ = 0;
  bool stopped_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  std::thread ticker_;
};

}  // namespace

std::unique_ptr<Board> make_plain_board(std::ostream& out, std::vector<BoardJob> jobs) {
  return std::make_unique<PlainBoard>(out, std::move(jobs));
}

std::unique_ptr<Board> make_live_board(std::ostream& out, std::vector<BoardJob> jobs,
                                       std::vector<std::string> stages) {
  return std::make_unique<LiveBoard>(out, std::move(jobs), std::move(stages));
}

}  // namespace tollgate::runner
