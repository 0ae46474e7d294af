#include "web/site.h"

#include <algorithm>
#include <charconv>
#include <memory>
#include <unordered_map>

#include "util/error.h"
#include "util/files.h"
#include "web/assets.h"

namespace tollgate::web {
namespace fs = std::filesystem;

Response not_found(const std::string& what) {
  return {404, "text/plain; charset=utf-8", "not found: " + what + "\n"};
}

Response bad_request(const std::string& what) {
  return {400, "text/plain; charset=utf-8", "bad request: " + what + "\n"};
}

Response json_response(const nlohmann::json& body, int status) {
  return {status, "application/json",
          body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"};
}

namespace {

std::optional<int64_t> parse_id(const std::string& text) {
  int64_t id = 0;
  if (text.empty() || text.size() > 18) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t slash = path.find('/', i);
    if (slash == std::string::npos) slash = path.size();
    if (slash > i) parts.push_back(path.substr(i, slash - i));
    i = slash + 1;
  }
  return parts;
}

// Parts [from, to) joined by '/': a job name may hold '/' (it arrives percent-decoded).
std::string join(const std::vector<std::string>& parts, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i)
    out += (i == from ? "" : "/") + parts[i];
  return out;
}

}  // namespace

Site::Site(fs::path project_dir)
    : project_dir_(fs::weakly_canonical(project_dir)),
      state_dir_(project_dir_ / ".tollgate"),
      reports_(state_dir_) {}

// One read-only connection per server thread: opening one per request costs more than the
// request, and SQLite connections are not shared between threads.
db::Database& Site::db() {
  thread_local std::unordered_map<std::string, std::unique_ptr<db::Database>> open;
  auto& slot = open[(state_dir_ / "history.db").string()];
  if (!slot)
    slot =
        std::make_unique<db::Database>(state_dir_ / "history.db", db::Database::Access::ReadOnly);
  return *slot;
}

Response Site::handle(const Request& request) {
  if (request.path.empty() || request.path[0] != '/') return bad_request("the path");
  std::vector<std::string> parts = split_path(request.path);
  for (const auto& p : parts)
    if (p == ".." || p == "." || p.find('\0') != std::string::npos)
      return bad_request("a path with '.' or '..' segments");
  try {
    return route(request, parts);
  } catch (const Error& e) {
    // No history yet (a project that never ran), or one being written this instant.
    return {503, "text/plain; charset=utf-8", std::string(e.what()) + "\n"};
  } catch (const std::exception& e) {
    return {500, "text/plain; charset=utf-8", std::string("internal error: ") + e.what() + "\n"};
  }
}

Response Site::route(const Request& r, const std::vector<std::string>& p) {
  size_t n = p.size();
  if (n == 0) return runs_page(r);
  if (p[0] == "assets" && n == 2) {
    if (auto a = asset(p[1])) return {200, std::string(a->content_type), std::string(a->body)};
    return not_found("asset " + p[1]);
  }
  if (n == 1 && p[0] == "security") return security_page(r);
  if (n == 1 && p[0] == "budget") return budget_page();
  if (n == 1 && p[0] == "performance") return performance_page();
  if (n == 1 && p[0] == "environments") return environments_page();
  if (p[0] == "runs" && n >= 2) {
    auto id = parse_id(p[1]);
    if (!id) return not_found("run " + p[1]);
    if (n == 2) return run_page(*id);
    if (n >= 4 && p[2] == "jobs") return job_page(*id, join(p, 3, n));
    if (n >= 4 && p[2] == "artifacts") return artifact(*id, p);
  }
  if (p[0] == "api" && n >= 2) {
    if (n == 2 && p[1] == "runs") return api_runs(r);
    if (n == 2 && p[1] == "security") return api_security(r);
    if (n == 2 && p[1] == "environments") return api_environments();
    if (n == 2 && p[1] == "budget") return api_budget();
    if (n == 2 && p[1] == "performance") return api_performance();
    if (p[1] == "runs" && n >= 3) {
      auto id = parse_id(p[2]);
      if (!id) return not_found("run " + p[2]);
      if (n == 3) return api_run(*id);
      if (n >= 6 && p[3] == "jobs" && p[n - 1] == "log") return api_log(*id, join(p, 4, n - 1), r);
    }
  }
  return not_found(r.path);
}

std::optional<fs::path> Site::inside_state(const fs::path& path) const {
  if (path.empty()) return std::nullopt;
  fs::path full = path.is_absolute() ? path : project_dir_ / path;
  std::error_code ec;
  fs::path real = fs::canonical(full, ec);  // symlinks resolved: one pointing out is refused
  if (ec) return std::nullopt;
  auto [end, rest] = std::mismatch(state_dir_.begin(), state_dir_.end(), real.begin(), real.end());
  if (end != state_dir_.end() || !fs::is_regular_file(real, ec)) return std::nullopt;
  return real;
}

std::optional<LogTarget> Site::log_target(int64_t run_id, const std::string& job) {
  history::RunStore store(db());
  auto j = store.job(run_id, job);
  if (!j || j->log.empty()) return std::nullopt;
  if (auto log = inside_state(j->log)) return LogTarget{*log, j->status, true};
  // Not there yet: where it will be, if that is inside .tollgate/ at all.
  fs::path future = (project_dir_ / j->log).lexically_normal();
  auto [end, rest] =
      std::mismatch(state_dir_.begin(), state_dir_.end(), future.begin(), future.end());
  if (end != state_dir_.end() || fs::exists(future)) return std::nullopt;
  return LogTarget{future, j->status, false};
}

std::string Site::job_status(int64_t run_id, const std::string& job) {
  history::RunStore store(db());
  auto j = store.job(run_id, job);
  return j ? j->status : "";
}

Response Site::artifact(int64_t id, const std::vector<std::string>& parts) {
  fs::path rel = fs::path("runs") / std::to_string(id) / "artifacts";
  for (size_t i = 3; i < parts.size(); ++i)
    rel /= parts[i];
  auto file = inside_state(state_dir_ / rel);
  if (!file) return not_found("artifact");
  std::string ext = file->extension().string();
  std::string type = ext == ".json" || ext == ".sarif" ? "application/json"
                     : ext == ".html"                  ? "text/html; charset=utf-8"
                                                       : "text/plain; charset=utf-8";
  Response out{200, type, files::read(*file)};
  out.sandboxed = true;
  return out;
}

}  // namespace tollgate::web
