#include "runner/context.h"

#include <gtest/gtest.h>

namespace tollgate::runner {
namespace {

std::optional<std::string> value_of(const pipeline::Variables& vars, const std::string& name) {
  for (const auto& v : vars)
    if (v.name == name) return v.value;
  return std::nullopt;
}

// git abbreviates longer than 8 when 8 would be ambiguous; GitLab's short SHA never is.
TEST(PredefinedVariables, TheShortShaIsTheFirstEightCharactersOfTheCommit) {
  Context ctx;
  ctx.project_dir = "/work/shop";
  ctx.repo.sha = "0123456789abcdef0123456789abcdef01234567";
  ctx.repo.short_sha = "0123456789a";
  ctx.repo.branch = "main";
  EXPECT_EQ(value_of(predefined_variables(ctx, 7), "CI_COMMIT_SHORT_SHA"), "01234567");
}

TEST(JobVariables, StatusIsRunningAndANonParallelJobIsNodeOneOfOne) {
  Context ctx;
  pipeline::Job job;
  job.name = "unit";
  pipeline::Variables vars = job_variables(ctx, job, 1, "/builds/local/shop");
  EXPECT_EQ(value_of(vars, "CI_JOB_STATUS"), "running");
  EXPECT_EQ(value_of(vars, "CI_NODE_TOTAL"), "1");
  EXPECT_FALSE(value_of(vars, "CI_NODE_INDEX")) << "GitLab sets it for parallel jobs only";
}

// GitLab's own examples (spec/lib/gitlab/slug/environment_spec.rb), whose digest is 64 'a's
// and so whose suffix is q517sa.
TEST(EnvironmentSlug, GitLabsExamples) {
  const std::string digest(64, 'a');
  const std::pair<const char*, const char*> examples[] = {
      {"staging-12345678901234567", "staging-123456789-q517sa"},
      {"9-staging-123456789012345", "env-9-staging-123-q517sa"},
      {"staging-1234567890123456", "staging-1234567890123456"},
      {"staging-1234567890123456-", "staging-123456789-q517sa"},
      {"production", "production"},
      {"PRODUCTION", "production-q517sa"},
      {"review/1-foo", "review-1-foo-q517sa"},
      {"1-foo", "env-1-foo-q517sa"},
      {"1/foo", "env-1-foo-q517sa"},
      {"foo-", "foo"},
      {"foo--bar", "foo-bar-q517sa"},
      {"foo**bar", "foo-bar-q517sa"},
      {"*-foo", "env-foo-q517sa"},
      {"staging-12345678-", "staging-12345678"},
      {"staging-12345678-01234567", "staging-12345678-q517sa"},
      {"", "env-q517sa"},
  };
  for (const auto& [name, slug] : examples)
    EXPECT_EQ(environment_slug(name, digest), slug) << name;
}

// The suffix from the name's real SHA-256 (checked against Ruby's
// Digest::SHA2.hexdigest(name).to_i(16).to_s(36).last(6)).
TEST(EnvironmentSlug, TheSuffixComesFromTheNamesSha256) {
  EXPECT_EQ(environment_slug("review/Fix Login Page!"), "review-fix-login-dut568");
  EXPECT_EQ(environment_slug("Production"), "production-iis43c");
  EXPECT_EQ(environment_slug("staging"), "staging");
}

}  // namespace
}  // namespace tollgate::runner
