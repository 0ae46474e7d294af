// The pipelines list, a run's page (graph, jobs, variables, reports) and a job's log page, with
// their /api/ twins.
#include <fmt/format.h>

#include <limits>

#include "history/runs.h"
#include "util/files.h"
#include "web/ansi.h"
#include "web/graph.h"
#include "web/html.h"
#include "web/site.h"

namespace tollgate::web {
namespace {

using nlohmann::json;
constexpr int kPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr size_t kMaxLogBytes = 4 << 20;

std::string short_sha(const std::string& sha) {
  return sha.substr(0, 8);
}

bool live(const std::string& status) {
  return status == "running" || status == "created";
}

json run_json(const history::RunRecord& r) {
  json out = {{"id", r.id},
              {"status", r.status},
              {"ref", r.ref},
              {"commit_sha", r.commit_sha},
              {"source", r.source},
              {"pipeline_file", r.pipeline_file},
              {"started_at", r.started_at},
              {"finished_at", r.finished_at},
              {"duration_s", r.duration_s},
              {"exit_code", r.exit_code}};
  if (r.parent_run_id != 0) out["parent"] = {{"run_id", r.parent_run_id}, {"job", r.parent_job}};
  return out;
}

// "child of #3 (deploy)" in a child pipeline's run line; nothing for a run of its own.
std::string parent_html(const history::RunRecord& r) {
  if (r.parent_run_id == 0) return "";
  return fmt::format(
      "<span>child of <a href=\"/runs/{0}\">#{0}</a> (<a href=\"/runs/{0}/jobs/{1}\">"
      "{2}</a>)</span>",
      r.parent_run_id, str::url_encode(r.parent_job), escape(r.parent_job));
}

// The child pipelines a run's trigger jobs started, by trigger job: "pipeline #5" links.
std::map<std::string, std::string> downstream_links(const std::vector<history::RunRecord>& kids) {
  std::map<std::string, std::string> out;
  for (const auto& c : kids)
    out[c.parent_job] +=
        fmt::format(" <a class=\"downstream\" href=\"/runs/{0}\">pipeline #{0}</a> {1}", c.id,
                    status_badge(c.status));
  return out;
}

json job_json(const history::JobRecord& j) {
  json reports = json::array();
  for (const auto& r : j.reports)
    reports.push_back({{"type", r.type}, {"path", r.path}});
  json out = {{"name", j.name},
              {"stage", j.stage},
              {"status", j.status},
              {"exit_code", j.exit_code},
              {"allow_failure", j.allow_failure},
              {"attempts", j.attempts},
              {"started_at", j.started_at},
              {"finished_at", j.finished_at},
              {"duration_s", j.duration_s},
              {"needs", j.needs},
              {"reason", j.reason},
              {"log", j.log},
              {"reports", reports}};
  if (j.coverage) out["coverage"] = *j.coverage;
  if (!j.environment_name.empty())
    out["environment"] = {{"name", j.environment_name},
                          {"url", j.environment_url},
                          {"action", j.environment_action},
                          {"release", j.release}};
  return out;
}

std::string counts_html(const std::map<std::string, int>& counts) {
  std::string out = "<span class=\"counts\">";
  for (const auto& [status, n] : counts)
    out += fmt::format("<span class=\"status-{0}\" data-count-status=\"{0}\">{1} {0}</span>",
                       escape(status), n);
  return out + "</span>";
}

int page_size(const Request& r) {
  std::string text = r.param("limit");
  if (text.empty()) return kPageSize;
  int n = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || n > kMaxPageSize) return -1;
    n = n * 10 + (c - '0');
  }
  return n >= 1 && n <= kMaxPageSize ? n : -1;
}

int64_t before_id(const Request& r) {
  std::string text = r.param("before");
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != text.npos)
    return 0;
  return std::stoll(text);
}

std::string run_row(const history::RunRecord& r, const std::map<std::string, int>& counts) {
  return fmt::format(
      "<tr data-run=\"{0}\"><td><a href=\"/runs/{0}\">#{0}</a></td><td>{1}</td><td>{2} "
      "<code>{3}</code></td><td>{4}</td><td class=\"num\">{5}</td><td>{6}</td><td>{7}</td></tr>",
      r.id, status_badge(r.status), escape(r.ref), escape(short_sha(r.commit_sha)),
      escape(r.source) + (r.parent_run_id == 0
                              ? ""
                              : fmt::format(" of <a href=\"/runs/{0}\">#{0}</a>", r.parent_run_id)),
      duration_text(r.duration_s), escape(r.started_at), counts_html(counts));
}

std::string variables_table(const std::vector<history::RunVariable>& vars) {
  if (vars.empty()) return "<p class=\"muted\">The run has no variables of its own.</p>";
  std::string out = "<table class=\"variables\"><tr><th>Name</th><th>Value</th><th>From</th></tr>";
  for (const auto& v : vars)
    out += fmt::format("<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
                       escape(v.name), escape(v.value), escape(v.source));
  return out + "</table>";
}

// A report's link: a file under the run's artifacts is served; others are named only.
std::string report_link(int64_t run_id, const history::ReportFile& r) {
  std::string prefix = fmt::format(".tollgate/runs/{}/artifacts/", run_id);
  if (!r.path.starts_with(prefix)) return "<code>" + escape(r.path) + "</code>";
  std::string rest = r.path.substr(prefix.size()), href = fmt::format("/runs/{}/artifacts", run_id);
  for (size_t i = 0; i <= rest.size();) {
    size_t slash = std::min(rest.find('/', i), rest.size());
    href += "/" + str::url_encode(rest.substr(i, slash - i));
    i = slash + 1;
  }
  return fmt::format("<a href=\"{}\">{}</a>", href, escape(rest));
}

// One page of runs with their jobs counted by status, read in one snapshot: what / and
// /api/runs show.
struct RunsPage {
  std::vector<history::RunRecord> runs;
  int64_t total = 0;
  std::map<int64_t, std::map<std::string, int>> counts;
  bool older = false;  // another page follows
};

RunsPage read_runs_page(db::Database& db, int64_t before, int limit) {
  db::ReadTransaction snapshot(db);
  history::RunStore store(db);
  RunsPage page;
  page.runs = store.runs_before(before, limit);
  page.total = store.count_runs();
  if (page.runs.empty()) return page;
  page.counts = store.job_counts(page.runs.back().id, page.runs.front().id);
  page.older = static_cast<int>(page.runs.size()) == limit && page.runs.back().id > 1;
  return page;
}

}  // namespace

Response Site::runs_page(const Request& r) {
  int limit = page_size(r);
  if (limit < 0) return bad_request("limit is a number from 1 to 500");
  RunsPage runs = read_runs_page(db(), before_id(r), limit);
  std::string body = fmt::format("<h1>Pipelines</h1><p class=\"muted\">{} runs in {}</p>",
                                 runs.total, escape(project_dir_.string()));
  if (runs.runs.empty()) {
    body += "<p class=\"empty\">No runs yet: <code>tollgate run</code> records each one here.</p>";
    return {200, "text/html; charset=utf-8", page("Pipelines", Section::Pipelines, body)};
  }
  body +=
      "<table class=\"runs\"><tr><th>Pipeline</th><th>Status</th><th>Ref and commit</th>"
      "<th>Trigger</th><th class=\"num\">Duration</th><th>Started</th><th>Jobs</th></tr>";
  for (const auto& run : runs.runs)
    body += run_row(run, runs.counts[run.id]);
  body += "</table><div class=\"pager\">";
  if (before_id(r) != 0) body += "<a href=\"/\">Newest</a>";
  if (runs.older)
    body += fmt::format("<a rel=\"next\" href=\"/?before={}\">Older</a>", runs.runs.back().id);
  body += "</div>";
  return {200, "text/html; charset=utf-8", page("Pipelines", Section::Pipelines, body)};
}

Response Site::run_page(int64_t id) {
  db::ReadTransaction snapshot(db());
  history::RunStore store(db());
  auto run = store.run(id);
  if (!run) return not_found(fmt::format("run {}", id));
  auto jobs = store.jobs(id);
  std::string body = fmt::format(
      "<h1>Pipeline #{} {}</h1><div class=\"meta-line\"><span>{} <code>{}</code></span>"
      "<span>trigger: {}</span>{}<span>started {}</span><span>{}</span><span>{}</span></div>",
      id, status_badge(run->status), escape(run->ref), escape(short_sha(run->commit_sha)),
      escape(run->source.empty() ? "unknown" : run->source), parent_html(*run),
      escape(run->started_at), duration_text(run->duration_s), escape(run->pipeline_file));
  std::map<std::string, std::string> downstream = downstream_links(store.children(id));
  body += "<div class=\"graph-wrap\">" + render_graph(id, run->stages, jobs) + "</div>";
  body +=
      "<h2>Jobs</h2><table class=\"jobs\"><tr><th>Job</th><th>Stage</th><th>Status</th>"
      "<th class=\"num\">Duration</th><th>Why</th></tr>";
  std::string reports;
  for (const auto& j : jobs) {
    body += fmt::format(
        "<tr data-job=\"{0}\"><td><a href=\"/runs/{1}/jobs/{2}\">{0}</a>{7}</td><td>{3}</td>"
        "<td>{4}</td><td class=\"num\">{5}</td><td>{6}</td></tr>",
        escape(j.name), id, str::url_encode(j.name), escape(j.stage), status_badge(j.status),
        duration_text(j.duration_s), escape(j.reason), downstream[j.name]);
    for (const auto& rep : j.reports)
      reports += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>", escape(j.name),
                             escape(rep.type), report_link(id, rep));
  }
  body += "</table><h2>Reports</h2>";
  body += reports.empty() ? "<p class=\"muted\">No job left a report.</p>"
                          : "<table class=\"reports\"><tr><th>Job</th><th>Type</th><th>File</th>"
                            "</tr>" +
                                reports + "</table>";
  body += "<h2>Variables</h2>" + variables_table(run->variables);
  std::string html = page(fmt::format("Pipeline #{}", id), Section::Pipelines, body);
  // A running pipeline's page reloads itself, which needs no script.
  if (live(run->status))
    html.insert(html.find("</head>"), "<meta http-equiv=\"refresh\" content=\"3\">");
  return {200, "text/html; charset=utf-8", html};
}

Response Site::job_page(int64_t id, const std::string& name) {
  history::RunStore store(db());
  auto job = store.job(id, name);
  if (!job) return not_found("job " + name);
  // A huge log shows its end from a whole line on, as GitLab's job page does; the raw log has
  // all of it. Only that end is read.
  std::string text;
  uint64_t skipped = 0;
  if (auto log = inside_state(job->log)) {
    std::error_code ec;
    uint64_t size = std::filesystem::file_size(*log, ec);
    skipped = !ec && size > kMaxLogBytes ? size - kMaxLogBytes : 0;
    text = files::read_range(*log, skipped, kMaxLogBytes);
    if (size_t nl = text.find('\n'); skipped > 0 && nl != std::string::npos) {
      text.erase(0, nl + 1);
      skipped += nl + 1;
    }
  }
  std::string body = fmt::format(
      "<h1>{} <span id=\"job-status\" class=\"status status-{}\" data-status=\"{}\">{}</span>"
      "</h1><div class=\"meta-line\"><a href=\"/runs/{}\">pipeline #{}</a><span>stage {}</span>"
      "<span>{}</span><span>exit code {}</span><span>{} attempt(s)</span><span>{}</span></div>",
      escape(name), escape(job->status), escape(job->status), escape(job->status), id, id,
      escape(job->stage), duration_text(job->duration_s), job->exit_code, job->attempts,
      escape(job->reason));
  bool follow = live(job->status);
  // A running job's last line may be half written: the stream sends it whole.
  if (follow) text.erase(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
  body += follow ? fmt::format(
                       "<pre class=\"log\" id=\"log\" data-events=\"/api/runs/{}/jobs/{}/"
                       "events?offset={}\">",
                       id, str::url_encode(name), skipped + text.size())
                 : "<pre class=\"log\" id=\"log\">";
  if (skipped > 0)
    body += fmt::format(
        "<span class=\"l attempt\">{} MiB of earlier output left out: the whole "
        "log is at /api/runs/{}/jobs/{}/log</span>\n",
        skipped >> 20, id, str::url_encode(name));
  body += render_log(text) + "</pre>";
  if (text.empty() && !follow) body += "<p class=\"muted\">The job printed nothing.</p>";
  return {200, "text/html; charset=utf-8", page(name, Section::Pipelines, body, follow)};
}

Response Site::api_runs(const Request& r) {
  int limit = page_size(r);
  if (limit < 0) return bad_request("limit is a number from 1 to 500");
  RunsPage runs = read_runs_page(db(), before_id(r), limit);
  json out = {{"total", runs.total}, {"runs", json::array()}};
  for (const auto& run : runs.runs) {
    json j = run_json(run);
    j["jobs"] = runs.counts[run.id];
    out["runs"].push_back(std::move(j));
  }
  if (runs.older)
    out["next"] = fmt::format("/api/runs?before={}&limit={}", runs.runs.back().id, limit);
  return json_response(out);
}

Response Site::api_run(int64_t id) {
  db::ReadTransaction snapshot(db());
  history::RunStore store(db());
  auto run = store.run(id);
  if (!run) return json_response({{"error", fmt::format("no run {}", id)}}, 404);
  json out = run_json(*run);
  out["stages"] = run->stages;
  out["variables"] = json::array();
  for (const auto& v : run->variables)
    out["variables"].push_back({{"name", v.name}, {"value", v.value}, {"source", v.source}});
  out["jobs"] = json::array();
  for (const auto& j : store.jobs(id))
    out["jobs"].push_back(job_json(j));
  out["children"] = json::array();
  for (const auto& c : store.children(id))
    out["children"].push_back({{"run_id", c.id}, {"job", c.parent_job}, {"status", c.status}});
  return json_response(out);
}

Response Site::api_log(int64_t id, const std::string& name, const Request& r) {
  history::RunStore store(db());
  auto job = store.job(id, name);
  if (!job) return not_found("job " + name);
  uint64_t offset = 0;
  if (std::string o = r.param("offset"); !o.empty()) {
    if (o.size() > 18 || o.find_first_not_of("0123456789") != o.npos)
      return bad_request("offset is a byte count");
    offset = std::stoull(o);
  }
  auto log = inside_state(job->log);
  return {200, "text/plain; charset=utf-8",
          log ? files::read_range(*log, offset, std::numeric_limits<size_t>::max()) : ""};
}

}  // namespace tollgate::web
