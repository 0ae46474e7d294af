#pragma once

#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/expression.h"
#include "pipeline/model.h"

namespace tollgate::runner {

// `cache:` between runs: each entry lives in ROOT/<key> (.tollgate/cache), the key expanded,
// or for `key: files:` a hash of those files' contents behind the prefix. Jobs of one run may
// save the same key at once: the last complete copy wins, never a mix of two.
class CacheStore {
 public:
  using Sink = std::function<void(std::string_view)>;
  explicit CacheStore(std::filesystem::path root) : root_(std::move(root)) {}

  // The directory of each of job's cache entries, in the order of job.cache.
  std::vector<std::filesystem::path> locate(const pipeline::Job& job,
                                            const pipeline::VariableLookup& lookup,
                                            const std::filesystem::path& workspace) const;
  // Copies the entries the job pulls (policy pull or pull-push) into its workspace.
  void restore(const pipeline::Job& job, const std::vector<std::filesystem::path>& dirs,
               const std::filesystem::path& workspace, const Sink& sink) const;
  // Saves the entries the job pushes, as its `when:` and the job's outcome say.
  void save(const pipeline::Job& job, const std::vector<std::filesystem::path>& dirs,
            const std::filesystem::path& workspace, const std::vector<std::string>& project_files,
            bool success, const Sink& sink);

 private:
  std::filesystem::path root_;
  std::mutex mu_;
};

}  // namespace tollgate::runner
