#include "scan/db_update.h"

#include "util/error.h"
#include "util/files.h"
#include "util/http.h"

namespace tollgate::scan {

std::vector<std::string> default_update_sources() {
  return {
      "https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip",
      "https://osv-vulnerabilities.storage.googleapis.com/Alpine/all.zip",
      "https://osv-vulnerabilities.storage.googleapis.com/Ubuntu/all.zip",
  };
}

ImportResult update_database(VulnStore& store, const std::vector<std::string>& sources,
                             const std::function<void(const std::string&)>& step,
                             const std::function<void(const ImportProgress&)>& progress) {
  if (sources.empty()) throw UsageError("db update needs at least one source");
  files::TempDir tmp("tollgate-osv");
  std::vector<std::string> paths;
  int n = 0;
  for (const auto& src : sources) {
    if (!src.starts_with("http://") && !src.starts_with("https://")) {
      paths.push_back(src);
      continue;
    }
    if (step) step("downloading " + src);
    http::Request req;
    req.url = src;
    req.timeout = std::chrono::minutes(15);
    http::Response r = http::perform(req);
    if (r.status != 200)
      throw Error(SourceLocation{src}, "download failed: HTTP " + std::to_string(r.status) +
                                           "; the database was left unchanged");
    std::string name = src.substr(src.rfind('/') + 1);
    std::string ext = name.ends_with(".json") ? ".json" : ".zip";
    auto path = tmp.path() / (std::to_string(++n) + ext);
    files::write_atomic(path, r.body);
    if (step) step("downloaded " + src + " (" + std::to_string(r.body.size() / 1000) + " kB)");
    paths.push_back(path.string());
  }
  try {
    return import_osv(store, paths, [&](const ImportProgress& p) {
      if (!progress) return;
      ImportProgress named = p;
      // Name the URL rather than the temporary file it was saved as.
      for (size_t i = 0; i < sources.size() && i < paths.size(); ++i)
        if (named.path == paths[i]) named.path = sources[i];
      progress(named);
    });
  } catch (const Error& e) {
    // Name the URL rather than the temporary file it was saved as.
    std::string msg = e.message();
    for (size_t i = 0; i < sources.size() && i < paths.size(); ++i) {
      size_t at = msg.find(paths[i]);
      if (at != std::string::npos) msg.replace(at, paths[i].size(), sources[i]);
    }
    throw Error(msg + " (the database was left unchanged)");
  }
}

}  // namespace tollgate::scan
