#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "util/error.h"

namespace tollgate::pipeline {

// Where `include:` entries that live outside the project come from: `remote` from its URL,
// `template`, `project` and `component` from a GitLab instance's API. Every file fetched is kept
// in a cache by URL and ref, so a pipeline that planned once plans offline too.
struct IncludeSettings {
  std::string server_url = "https://gitlab.com";  // CI_SERVER_URL, no trailing '/'
  // Sent to the GitLab instance (never to a `remote` URL) as `token_header: token`:
  // PRIVATE-TOKEN for a personal or project token, JOB-TOKEN for CI_JOB_TOKEN.
  std::string token;
  std::string token_header = "PRIVATE-TOKEN";
  bool offline = false;             // --offline: the cache only, nothing fetched
  std::filesystem::path cache_dir;  // $XDG_CACHE_HOME/tollgate/includes; empty: no cache
  std::chrono::milliseconds timeout{10'000};
};

// One file an include names, and how to get it.
struct RemoteFile {
  std::string label;  // as the include says it: "template: Jobs/SAST.gitlab-ci.yml"
  std::string url;
  bool from_instance = false;  // the GitLab instance's API: the token is sent
  bool json_content = false;   // the templates API answers {"name", "content"}
};

// A file that could not be had: the include is left out, and what needed it cannot run here.
class IncludeUnavailable : public Error {
 public:
  using Error::Error;
};

class IncludeFetcher {
 public:
  explicit IncludeFetcher(IncludeSettings settings);

  // The file's text: fetched (and cached), else the cached copy when the fetch failed or
  // --offline forbids it. Throws IncludeUnavailable saying why. Once the instance or a host
  // cannot be reached, later files from it are not tried again: one slow timeout, not one per
  // include.
  std::string fetch(const RemoteFile& file);

  // What the user should know once: "template: X is the copy cached on DATE (why)".
  const std::vector<std::string>& notes() const { return notes_; }
  const IncludeSettings& settings() const { return settings_; }

  // The latest release's tag of a project (component@~latest), via the releases API.
  std::string latest_release(const std::string& project);

 private:
  std::string download(const RemoteFile& file);
  std::optional<std::string> cached(const RemoteFile& file, std::string* when) const;
  void keep(const RemoteFile& file, const std::string& text) const;
  std::filesystem::path cache_path(const RemoteFile& file) const;

  IncludeSettings settings_;
  std::vector<std::string> notes_;
  std::vector<std::pair<std::string, std::string>> unreachable_;  // host, why
};

// HOST[:PORT] of a URL (GitLab's CI_SERVER_FQDN of CI_SERVER_URL).
std::string url_host(const std::string& url);

// The URLs of GitLab's API for the include kinds (server: IncludeSettings::server_url).
std::string template_url(const std::string& server, const std::string& name);
std::string project_file_url(const std::string& server, const std::string& project,
                             const std::string& file, const std::string& ref);

// A component reference `HOST/GROUP/PROJECT/NAME@VERSION`, split.
struct ComponentRef {
  std::string host;
  std::string project;  // GROUP/PROJECT (groups may nest)
  std::string name;
  std::string version;  // a tag, a branch, a SHA, or ~latest
};
// Throws Error at `where` when the reference is malformed.
ComponentRef parse_component(const std::string& text, const SourceLocation& where);

}  // namespace tollgate::pipeline
