// The shop example (examples/acme-fitness) as a test project, for the tests of its two paths.
#pragma once

#include <filesystem>

#include "pipeline_project.h"

namespace tollgate::testing {

inline const char* kAcmeServices[] = {"cart", "catalog", "front_end", "order", "payment", "user"};

// Fills P with the example as a git repository of one commit: its files and its runner
// settings (.tollgate/config), without the state a local run left in .tollgate/.
inline void copy_acme_example(PipelineProject& p) {
  namespace fs = std::filesystem;
  fs::path example = source_dir() / "examples/acme-fitness";
  for (const auto& entry : fs::directory_iterator(example)) {
    if (entry.path().filename() == ".tollgate") continue;
    fs::copy(entry.path(), p.path() / entry.path().filename(),
             fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  }
  fs::create_directories(p.path() / ".tollgate");
  fs::copy(example / ".tollgate/config", p.path() / ".tollgate/config");
  p.git_init();
  p.commit("acme-fitness");
}

}  // namespace tollgate::testing
