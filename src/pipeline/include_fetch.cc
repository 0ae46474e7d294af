#include "pipeline/include_fetch.h"

#include <algorithm>

#include "util/files.h"
#include "util/hash.h"
#include "util/http.h"
#include "util/json_read.h"
#include "util/strings.h"
#include "util/timefmt.h"

namespace tollgate::pipeline {
namespace {

// GitLab refuses a configuration file over 1 MB (max_yaml_size_bytes); an answer far past that
// is not a pipeline file, and is not kept in memory or in the cache.
constexpr size_t kMaxIncludeBytes = 4 * 1024 * 1024;

std::string status_reason(long status, bool from_instance) {
  std::string code = "HTTP " + std::to_string(status);
  if ((status == 401 || status == 403) && from_instance)
    return code +
           ": the GitLab instance refused access (a private project needs a token: "
           "GITLAB_TOKEN, CI_JOB_TOKEN or gitlab_token in .tollgate/config)";
  if (status == 404) return code + ": no such file at this URL or ref";
  return code;
}

}  // namespace

std::string url_host(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string template_url(const std::string& server, const std::string& name) {
  // The templates API names a template without its suffix; a nested one (Jobs/SAST) keeps
  // its folder, encoded as one path segment.
  std::string key = name;
  const std::string suffix = ".gitlab-ci.yml";
  if (key.size() > suffix.size() &&
      key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0)
    key.resize(key.size() - suffix.size());
  return server + "/api/v4/templates/gitlab_ci_ymls/" + str::url_encode(key);
}

std::string project_file_url(const std::string& server, const std::string& project,
                             const std::string& file, const std::string& ref) {
  std::string path = file;
  while (!path.empty() && path.front() == '/')
    path.erase(0, 1);
  return server + "/api/v4/projects/" + str::url_encode(project) + "/repository/files/" +
         str::url_encode(path) + "/raw?ref=" + str::url_encode(ref.empty() ? "HEAD" : ref);
}

ComponentRef parse_component(const std::string& text, const SourceLocation& where) {
  size_t at = text.rfind('@');
  std::string path = text.substr(0, at);
  std::vector<std::string> parts = str::split(path, '/');
  bool empty_part = std::any_of(parts.begin(), parts.end(), [](auto& p) { return p.empty(); });
  if (at == std::string::npos || at + 1 == text.size() || parts.size() < 4 || empty_part)
    throw Error(where, "component '" + text +
                           "' is not HOST/GROUP/PROJECT/NAME@VERSION (e.g. "
                           "$CI_SERVER_FQDN/my-org/components/lint@1.0.0)");
  ComponentRef c;
  c.host = parts.front();
  c.name = parts.back();
  c.project = str::join(std::vector<std::string>(parts.begin() + 1, parts.end() - 1), "/");
  c.version = text.substr(at + 1);
  return c;
}

IncludeFetcher::IncludeFetcher(IncludeSettings settings) : settings_(std::move(settings)) {}

std::filesystem::path IncludeFetcher::cache_path(const RemoteFile& file) const {
  return settings_.cache_dir / (hash::sha256_hex(file.url).substr(0, 32) + ".yml");
}

std::optional<std::string> IncludeFetcher::cached(const RemoteFile& file, std::string* when) const {
  if (settings_.cache_dir.empty()) return std::nullopt;
  std::filesystem::path path = cache_path(file);
  std::error_code ec;
  auto written = std::filesystem::last_write_time(path, ec);
  if (ec) return std::nullopt;
  auto at = std::chrono::file_clock::to_sys(written);
  *when = timefmt::iso8601(std::chrono::time_point_cast<timefmt::Clock::duration>(at));
  return files::read(path);
}

void IncludeFetcher::keep(const RemoteFile& file, const std::string& text) const {
  if (settings_.cache_dir.empty()) return;
  try {
    std::filesystem::create_directories(settings_.cache_dir);
    files::write_atomic(cache_path(file), text);
  } catch (const std::exception&) {
    // A cache that cannot be written costs the next offline plan this file, not this plan.
  }
}

std::string IncludeFetcher::download(const RemoteFile& file) {
  std::string host = url_host(file.url);
  for (const auto& [down, why] : unreachable_)
    if (down == host) throw IncludeUnavailable(why);
  http::Request request;
  request.url = file.url;
  request.timeout = settings_.timeout;
  if (file.from_instance && !settings_.token.empty())
    request.headers.push_back(settings_.token_header + ": " + settings_.token);
  http::Response response;
  try {
    response = http::perform(request);
  } catch (const Error& e) {
    // curl's reason without the request, which the include's label already names.
    std::string reason = e.what();
    if (size_t at = reason.find(" failed: "); at != std::string::npos) reason.erase(0, at + 9);
    std::string why = host + " cannot be reached: " + reason;
    unreachable_.emplace_back(host, why);
    throw IncludeUnavailable(why);
  }
  if (response.status != 200)
    throw IncludeUnavailable(status_reason(response.status, file.from_instance));
  if (response.body.size() > kMaxIncludeBytes)
    throw IncludeUnavailable("the answer is " + std::to_string(response.body.size()) +
                             " bytes, more than a pipeline file can be");
  if (!file.json_content) return response.body;
  nlohmann::json doc = json_read::parse(response.body, file.url);
  if (!doc.is_object() || !doc.contains("content") || !doc["content"].is_string())
    throw IncludeUnavailable("the templates API answered without a 'content' string");
  return doc["content"].get<std::string>();
}

std::string IncludeFetcher::fetch(const RemoteFile& file) {
  std::string failure = "--offline";
  if (!settings_.offline) {
    try {
      std::string text = download(file);
      keep(file, text);
      return text;
    } catch (const Error& e) {
      failure = e.what();
    }
  }
  std::string when;
  if (std::optional<std::string> text = cached(file, &when)) {
    if (!settings_.offline)
      notes_.push_back(file.label + ": using the copy cached " + when + " (" + failure + ")");
    return *text;
  }
  throw IncludeUnavailable(failure == "--offline" ? "--offline, and no copy of it is cached"
                                                  : failure);
}

std::string IncludeFetcher::latest_release(const std::string& project) {
  RemoteFile list{"releases of " + project,
                  settings_.server_url + "/api/v4/projects/" + str::url_encode(project) +
                      "/releases?order_by=released_at&sort=desc&per_page=1",
                  true, false};
  nlohmann::json doc = json_read::parse_or_discarded(fetch(list));
  if (doc.is_discarded() || !doc.is_array() || doc.empty() || !doc[0].is_object() ||
      !doc[0].contains("tag_name") || !doc[0]["tag_name"].is_string())
    throw IncludeUnavailable("the releases API named no release of " + project + " for ~latest");
  return doc[0]["tag_name"].get<std::string>();
}

}  // namespace tollgate::pipeline
