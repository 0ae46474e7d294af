#include "runner/cache.h"

#include <gtest/gtest.h>

#include "pipeline/variables.h"

namespace tollgate::runner {
namespace {

TEST(ExpandCaches, KeyPathsAndPolicyUseTheJobsVariables) {
  pipeline::VariableSet vars;
  vars.set("CACHE_TAG", "v3");
  vars.set("DEPS", "vendor");
  vars.set("POLICY", "pull");
  pipeline::Cache c;
  c.key = "deps-$CACHE_TAG";
  c.paths = {"$DEPS/", "node_modules"};
  c.policy = "$POLICY";
  std::vector<pipeline::Cache> out = expand_caches({c}, vars.lookup());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].key, "deps-v3");
  EXPECT_EQ(out[0].paths, (std::vector<std::string>{"vendor/", "node_modules"}));
  EXPECT_EQ(out[0].policy, "pull");
}

TEST(ExpandCaches, KeyFilesAndPrefixUseTheJobsVariables) {
  pipeline::VariableSet vars;
  vars.set("LOCK", "package-lock.json");
  vars.set("OS", "linux");
  pipeline::Cache c;
  c.key_files = {"$LOCK"};
  c.key_prefix = "$OS";
  std::vector<pipeline::Cache> out = expand_caches({c}, vars.lookup());
  EXPECT_EQ(out[0].key_files, std::vector<std::string>{"package-lock.json"});
  EXPECT_EQ(out[0].key_prefix, "linux");
}

TEST(ExpandCaches, APolicyThatIsNoPolicyOnceExpandedFailsTheJob) {
  pipeline::VariableSet vars;
  vars.set("POLICY", "pull-only");
  pipeline::Cache c;
  c.policy = "$POLICY";
  try {
    expand_caches({c}, vars.lookup());
    FAIL() << "an unknown policy was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "cache:policy $POLICY is 'pull-only', not pull, push or pull-push");
  }
}

}  // namespace
}  // namespace tollgate::runner
