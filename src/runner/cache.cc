#include "runner/cache.h"

#include <unistd.h>

#include <algorithm>

#include "pipeline/variables.h"
#include "runner/workspace.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/strings.h"

namespace tollgate::runner {

namespace fs = std::filesystem;

std::vector<pipeline::Cache> expand_caches(const std::vector<pipeline::Cache>& caches,
                                           const pipeline::VariableLookup& lookup) {
  auto expand = [&](std::string& s) { s = pipeline::expand_variables(s, lookup); };
  std::vector<pipeline::Cache> out = caches;
  for (auto& c : out) {
    expand(c.key);
    expand(c.key_prefix);
    std::for_each(c.key_files.begin(), c.key_files.end(), expand);
    std::for_each(c.paths.begin(), c.paths.end(), expand);
    std::string written = c.policy;
    expand(c.policy);
    if (c.policy != "pull" && c.policy != "push" && c.policy != "pull-push")
      throw Error("cache:policy " + written + " is '" + c.policy +
                  "', not pull, push or pull-push");
  }
  return out;
}

std::vector<fs::path> CacheStore::locate(const std::vector<pipeline::Cache>& caches,
                                         const fs::path& workspace) const {
  std::vector<fs::path> out;
  for (const auto& c : caches) {
    std::string key = c.key;
    if (!c.key_files.empty()) {
      std::string combined;
      for (const auto& f : c.key_files) {
        fs::path p = workspace / f;
        combined += f + ":" + (fs::exists(p) ? hash::sha256_file_hex(p) : "missing") + "\n";
      }
      key = (c.key_prefix.empty() ? "" : c.key_prefix + "-") +
            hash::sha256_hex(combined).substr(0, 16);
    }
    out.push_back(root_ / str::file_safe(key));
  }
  return out;
}

void CacheStore::restore(const std::vector<pipeline::Cache>& caches,
                         const std::vector<fs::path>& dirs, const fs::path& workspace,
                         const Sink& sink) const {
  for (size_t c = 0; c < dirs.size(); ++c) {
    if (caches[c].policy == "push" || !fs::exists(dirs[c])) continue;
    restore_tree(dirs[c], workspace);
    sink("Restored cache " + dirs[c].filename().string());
  }
}

void CacheStore::save(const std::vector<pipeline::Cache>& caches, const std::vector<fs::path>& dirs,
                      const fs::path& workspace, const std::vector<std::string>& project_files,
                      bool success, const Sink& sink) {
  for (size_t c = 0; c < dirs.size(); ++c) {
    const auto& cache = caches[c];
    if (cache.policy == "pull") continue;
    bool wanted = cache.when == "always" || (cache.when == "on_success") == success;
    if (!wanted) continue;
    pipeline::Artifacts selection;
    selection.paths = cache.paths;
    selection.untracked = cache.untracked;
    // Collected beside the entry first, then swapped in whole under the lock.
    fs::path fresh = dirs[c];
    fresh += ".new." + std::to_string(getpid()) + "." + std::to_string(c);
    std::error_code ec;
    fs::remove_all(fresh, ec);
    auto saved = collect_artifacts(workspace, selection, project_files, fresh);
    std::lock_guard lock(mu_);
    fs::remove_all(dirs[c], ec);
    fs::create_directories(fresh, ec);
    fs::rename(fresh, dirs[c], ec);
    sink("Saved cache " + dirs[c].filename().string() + " (" + std::to_string(saved.size()) +
         " files)");
  }
}

}  // namespace tollgate::runner
