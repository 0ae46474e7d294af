// The dashboard as a function from a request to a response, over one project's .tollgate/:
// every page and every /api/ answer. It knows nothing of sockets (server.h serves it), so the
// tests and the benchmark call it directly. Read-only: it opens the history database read-only
// and reads files only under .tollgate/.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "history/runs.h"
#include "web/report_files.h"

namespace tollgate::web {

struct Request {
  std::string path;  // percent-decoded, without the query
  std::map<std::string, std::string> query;
  std::string param(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? "" : it->second;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  // An artifact served as it is: the server sandboxes it (its own CSP) so it runs nothing.
  bool sandboxed = false;
};

// A job's log and where it stands, for following it live.
struct LogTarget {
  std::filesystem::path log;  // absolute, under .tollgate/
  std::string status;
  bool exists = false;  // false: the job has not started, its log is still to come
};

// One finding of a container scanning report, as the security page lists it.
struct Vulnerability {
  std::string severity;  // lower case: critical, high, medium, low, info, unknown
  std::string id;        // the first identifier (a CVE when there is one)
  std::string url;       // the advisory
  std::string name;
  std::string package;
  std::string installed;
  std::string fixed;  // "" when there is no fix
  std::string image;
  std::string job_dir;
  std::vector<std::pair<std::string, std::string>> identifiers;  // value, url
};

struct PostureFinding {
  std::string severity;
  std::string rule;
  std::string message;
  std::string file;
  int line = 0;
  std::string fix;
  std::string job_dir;
};

struct SecurityView {
  int64_t run_id = 0;  // 0: no run left a report
  std::vector<Vulnerability> vulnerabilities;
  std::vector<PostureFinding> posture;
  std::vector<std::string> images;
  std::vector<std::string> problems;  // reports that could not be read, and why
};

class Site {
 public:
  explicit Site(std::filesystem::path project_dir);

  Response handle(const Request& request);
  // The log of a job, when the job and its log exist (for the live stream).
  std::optional<LogTarget> log_target(int64_t run_id, const std::string& job);
  std::string job_status(int64_t run_id, const std::string& job);

  // Reads shared by a page and its /api/ twin.
  SecurityView security(int64_t run_id);  // 0: the newest run with a report

 private:
  db::Database& db();
  Response route(const Request& r, const std::vector<std::string>& parts);

  Response runs_page(const Request& r);
  Response run_page(int64_t id);
  Response job_page(int64_t id, const std::string& name);
  Response security_page(const Request& r);
  Response budget_page();
  Response performance_page();
  Response environments_page();
  Response artifact(int64_t id, const std::vector<std::string>& parts);

  Response api_runs(const Request& r);
  Response api_run(int64_t id);
  Response api_log(int64_t id, const std::string& name, const Request& r);
  Response api_security(const Request& r);
  Response api_environments();
  Response api_budget();
  Response api_performance();

  int64_t newest_security_run();
  nlohmann::json budget_data();
  nlohmann::json performance_data();
  nlohmann::json environments_data();
  // An absolute path under .tollgate/ for a path the history recorded, or nullopt when it
  // would lead outside (.., a symlink out) or does not exist.
  std::optional<std::filesystem::path> inside_state(const std::filesystem::path& path) const;

  std::filesystem::path project_dir_;
  std::filesystem::path state_dir_;
  ReportFiles reports_;
};

Response not_found(const std::string& what);
Response bad_request(const std::string& what);
Response json_response(const nlohmann::json& body, int status = 200);

}  // namespace tollgate::web
