#include "runner/cache.h"

#include <unistd.h>

#include "pipeline/variables.h"
#include "runner/workspace.h"
#include "util/hash.h"
#include "util/strings.h"

namespace tollgate::runner {

namespace fs = std::filesystem;

std::vector<fs::path> CacheStore::locate(const pipeline::Job& job,
                                         const pipeline::VariableLookup& lookup,
                                         const fs::path& workspace) const {
  std::vector<fs::path> out;
  for (const auto& c : job.cache) {
    std::string key;
    if (!c.key_files.empty()) {
      std::string combined;
      for (const auto& f : c.key_files) {
        fs::path p = workspace / pipeline::expand_variables(f, lookup);
        combined += f + ":" + (fs::exists(p) ? hash::sha256_file_hex(p) : "missing") + "\n";
      }
      std::string prefix = pipeline::expand_variables(c.key_prefix, lookup);
      key = (prefix.empty() ? "" : prefix + "-") + hash::sha256_hex(combined).substr(0, 16);
    } else {
      key = pipeline::expand_variables(c.key, lookup);
    }
    out.push_back(root_ / str::file_safe(key));
  }
  return out;
}

void CacheStore::restore(const pipeline::Job& job, const std::vector<fs::path>& dirs,
                         const fs::path& workspace, const Sink& sink) const {
  for (size_t c = 0; c < dirs.size(); ++c) {
    if (job.cache[c].policy == "push" || !fs::exists(dirs[c])) continue;
    restore_tree(dirs[c], workspace);
    sink("Restored cache " + dirs[c].filename().string());
  }
}

void CacheStore::save(const pipeline::Job& job, const std::vector<fs::path>& dirs,
                      const fs::path& workspace, const std::vector<std::string>& project_files,
                      bool success, const Sink& sink) {
  for (size_t c = 0; c < dirs.size(); ++c) {
    const auto& cache = job.cache[c];
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
