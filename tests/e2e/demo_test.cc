// `make demo` (scripts/demo.sh) takes the container path when podman works here and the local
// path when it does not, and its first line says which and why. Its `plan` form shows the plan
// it would run, so both decisions are checked without running the shop twice more (the two
// paths themselves run in example_acme_engine_test.cc and example_acme_test.cc).
#include <gtest/gtest.h>

#include "pipeline_project.h"

namespace tollgate::testing {
namespace {

CommandResult demo_plan(const std::string& env) {
  return shell(env + "bash " + (source_dir() / "scripts/demo.sh").string() + " " +
               tollgate_binary().parent_path().string() + " plan 2>&1");
}

TEST(Demo, TakesTheContainerPathWhenPodmanWorks) {
  CommandResult r = demo_plan("");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.rfind("demo: the container path (podman works here)", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("scan:cart"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("podman: localhost/tollgate:latest"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("DELIVERY=local"), std::string::npos) << r.out;
}

TEST(Demo, TakesTheLocalPathAndSaysWhyWithoutAnEngine) {
  PathWithoutEngines path;
  CommandResult r = demo_plan(path.env());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.rfind("demo: the local path (podman is not installed)", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("tollgate plan --var BUILD_ALL=true --var DELIVERY=local --executor shell"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("shell (image localhost/tollgate:latest unused)"), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace tollgate::testing
