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
// A job's `cache:` entries as the job runs them: key, key:files, key:prefix, paths and policy
// with the job's variables expanded, as GitLab's runner does. Throws Error when a policy is not
// pull, push or pull-push once expanded (the runner fails the job then).
std::vector<pipeline::Cache> expand_caches(const std::vector<pipeline::Cache>& caches,
                                           const pipeline::VariableLookup& lookup);

class CacheStore {
 public:
  using Sink = std::function<void(std::string_view)>;
  explicit CacheStore(std::filesystem::path root) : root_(std::move(root)) {}

  // The directory of each cache entry (as expand_caches made them), in their order.
  std::vector<std::filesystem::path> locate(const std::vector<pipeline::Cache>& caches,
                                            const std::filesystem::path& workspace) const;
  // Copies the entries the job pulls (policy pull or pull-push) into its workspace.
  void restore(const std::vector<pipeline::Cache>& caches,
               const std::vector<std::filesystem::path>& dirs,
               const std::filesystem::path& workspace, const Sink& sink) const;
  // Saves the entries the job pushes, as its `when:` and the job's outcome say.
  void save(const std::vector<pipeline::Cache>& caches,
            const std::vector<std::filesystem::path>& dirs, const std::filesystem::path& workspace,
            const std::vector<std::string>& project_files, bool success, const Sink& sink);

 private:
  std::filesystem::path root_;
  std::mutex mu_;
};

}  // namespace tollgate::runner
