#include "pipeline/glob.h"

#include <gtest/gtest.h>

namespace tollgate::pipeline {
namespace {

TEST(Glob, StarStaysInOneDirectoryAndMatchesDotfiles) {
  EXPECT_TRUE(glob_match("*.md", "README.md"));
  EXPECT_FALSE(glob_match("*.md", "docs/README.md"));
  EXPECT_TRUE(glob_match("*", ".gitlab-ci.yml"));
  EXPECT_TRUE(glob_match("src/*/main.go", "src/cart/main.go"));
  EXPECT_FALSE(glob_match("src/*/main.go", "src/cart/x/main.go"));
}

TEST(Glob, DoubleStarSlashIsZeroOrMoreDirectories) {
  EXPECT_TRUE(glob_match("**/*.md", "README.md"));
  EXPECT_TRUE(glob_match("**/*.md", "a/b/c.md"));
  EXPECT_TRUE(glob_match("cart/**/*", "cart/src/x.go"));
  EXPECT_TRUE(glob_match("cart/**/*", "cart/Dockerfile"));
  EXPECT_FALSE(glob_match("cart/**/*", "catalog/Dockerfile"));
  EXPECT_TRUE(glob_match("a/**/b", "a/b"));
  EXPECT_TRUE(glob_match("a/**/b", "a/x/y/b"));
  EXPECT_TRUE(glob_match("**/.env", "deep/dir/.env"));
}

TEST(Glob, DoubleStarWithoutSlashIsAStar) {
  EXPECT_TRUE(glob_match("docs/**", "docs/a"));
  EXPECT_FALSE(glob_match("docs/**", "docs/a/b"));
}

TEST(Glob, ClassesQuestionBracesEscapes) {
  EXPECT_TRUE(glob_match("file?.txt", "file1.txt"));
  EXPECT_FALSE(glob_match("file?.txt", "file/.txt"));
  EXPECT_TRUE(glob_match("[a-c]at", "bat"));
  EXPECT_FALSE(glob_match("[!a-c]at", "bat"));
  EXPECT_TRUE(glob_match("[^a-c]at", "rat"));
  EXPECT_TRUE(glob_match("{cart,catalog}/**/*", "catalog/x.py"));
  EXPECT_TRUE(glob_match("*.{yml,yaml}", "k.yaml"));
  EXPECT_FALSE(glob_match("*.{yml,yaml}", "k.json"));
  EXPECT_TRUE(glob_match("a\\*b", "a*b"));
  EXPECT_FALSE(glob_match("a\\*b", "axb"));
  EXPECT_TRUE(glob_match("Dockerfile", "Dockerfile"));
  EXPECT_FALSE(glob_match("Dockerfile", "cart/Dockerfile"));
}

// GitLab lists include:local wildcards with a regex: ** becomes .*? and * becomes [^/]*?
// (Repository#search_files_by_wildcard_path), unlike fnmatch's **/ for changes and exists.
TEST(IncludeWildcard, DoubleStarIsEveryDepthAndDoubleStarSlashOnlySubfolders) {
  EXPECT_TRUE(include_wildcard_match("ci/**.yml", "ci/a.yml"));
  EXPECT_TRUE(include_wildcard_match("ci/**.yml", "ci/jobs/deep/a.yml"));
  EXPECT_FALSE(include_wildcard_match("ci/**/*.yml", "ci/a.yml"));  // needs one folder
  EXPECT_TRUE(include_wildcard_match("ci/**/*.yml", "ci/jobs/a.yml"));
  EXPECT_TRUE(include_wildcard_match("ci/**/*.yml", "ci/jobs/deep/a.yml"));
  EXPECT_TRUE(include_wildcard_match("ci/*.yml", "ci/a.yml"));
  EXPECT_FALSE(include_wildcard_match("ci/*.yml", "ci/jobs/a.yml"));
  EXPECT_FALSE(include_wildcard_match("ci/*.yml", "ci/a.yaml"));
  // Only stars are special: ? and [ are the characters themselves.
  EXPECT_TRUE(include_wildcard_match("ci/a?[1].yml", "ci/a?[1].yml"));
  EXPECT_FALSE(include_wildcard_match("ci/a?.yml", "ci/ab.yml"));
  EXPECT_TRUE(include_wildcard_match("**", "any/thing"));
  EXPECT_FALSE(include_wildcard_match(std::string(40, '*') + "x", std::string(5000, 'a')));
}

}  // namespace
}  // namespace tollgate::pipeline
