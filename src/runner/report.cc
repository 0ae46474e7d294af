#include "runner/report.h"

#include <fmt/format.h>

#include <algorithm>

#include "util/table.h"
#include "util/term.h"
#include "util/timefmt.h"

namespace tollgate::runner {

nlohmann::json to_json(const RunReport& r) {
  nlohmann::json jobs = nlohmann::json::array();
  for (const auto& j : r.jobs) {
    nlohmann::json o = {{"name", j.name},
                        {"stage", j.stage},
                        {"status", to_string(j.status)},
                        {"exit_code", j.exit_code},
                        {"allow_failure", j.allow_failure},
                        {"attempts", j.attempts},
                        {"started_at", j.started_at},
                        {"finished_at", j.finished_at},
                        {"duration_s", j.duration_s},
                        {"log", j.log},
                        {"reason", j.reason}};
    if (!j.environment.empty())
      o["environment"] = {{"name", j.environment}, {"url", j.environment_url}};
    if (j.coverage) o["coverage"] = *j.coverage;
    if (!j.reports.empty()) {
      nlohmann::json reports = nlohmann::json::array();
      for (const auto& [type, path] : j.reports)
        reports.push_back({{"type", type}, {"path", path}});
      o["reports"] = reports;
    }
    jobs.push_back(std::move(o));
  }
  return {{"id", r.id},
          {"status", r.success   ? "success"
                     : r.blocked ? "blocked"
                                 : "failed"},
          {"exit_code", r.exit_code},
          {"duration_s", r.duration_s},
          {"jobs", jobs}};
}

std::string render_summary(const RunReport& r) {
  TextTable table({"JOB", "STAGE", "STATUS", "DURATION", "NOTE"});
  for (const auto& j : r.jobs) {
    std::string status(to_string(j.status));
    term::Color c = term::Color::Gray;
    if (j.status == JobStatus::Success) c = term::Color::Green;
    if (j.status == JobStatus::Failed || j.status == JobStatus::Timeout ||
        j.status == JobStatus::Canceled)
      c = j.allow_failure ? term::Color::Yellow : term::Color::Red;
    if (j.status == JobStatus::Manual) c = term::Color::Cyan;
    if (j.allow_failure) status += " (allowed)";
    std::string note = j.reason;
    if (!j.environment.empty())
      note = "environment " + j.environment +
             (j.environment_url.empty() ? "" : " " + j.environment_url) +
             (note.empty() ? "" : "; " + note);
    if (j.coverage) note += (note.empty() ? "" : "; ") + fmt::format("coverage {}%", *j.coverage);
    if (j.attempts > 1)
      note += (note.empty() ? "" : "; ") + std::to_string(j.attempts) + " attempts";
    bool ran = j.status != JobStatus::Skipped && j.status != JobStatus::Manual &&
               !(j.status == JobStatus::Canceled && j.attempts == 0);
    table.add({j.name, j.stage, term::paint(c, status),
               ran ? timefmt::format_duration(j.duration_s) : "", note});
  }
  std::string out = table.render(72);
  for (const auto& [name, why] : r.not_created)
    out +=
        term::paint(term::Color::Gray, "not in this pipeline: " + name + " (" + why + ")") + "\n";
  out += "\n";
  out += "pipeline #" + std::to_string(r.id) + " " +
         (r.success   ? term::paint(term::Color::Green, "passed")
          : r.blocked ? term::paint(term::Color::Cyan, "blocked (waiting for a manual job)")
                      : term::paint(term::Color::Red, "failed")) +
         " in " + timefmt::format_duration(r.duration_s) + "\n";
  return out;
}

}  // namespace tollgate::runner
