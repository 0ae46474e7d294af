#include "pipeline/expression.h"

#include <gtest/gtest.h>

#include <map>

namespace tollgate::pipeline {
namespace {

bool eval(std::string_view expr, std::map<std::string, std::string> vars = {}) {
  return evaluate_expression(expr, [&](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

TEST(Expression, BareVariableIsTrueWhenNonEmpty) {
  EXPECT_TRUE(eval("$A", {{"A", "x"}}));
  EXPECT_FALSE(eval("$A", {{"A", ""}}));
  EXPECT_FALSE(eval("$A"));
}

TEST(Expression, AnUndefinedPatternVariableMatchesNothing) {
  EXPECT_FALSE(eval("$B =~ $UNSET", {{"B", "main"}}));
  EXPECT_TRUE(eval("$B !~ $UNSET", {{"B", "main"}}));
}

TEST(Expression, BracedVariableIsASyntaxErrorAsInGitLab) {
  try {
    evaluate_expression(
        "$A == '1' && ${B} == '2'", [](std::string_view) { return "1"; },
        SourceLocation{"ci.yml", 4, 11});
    FAIL() << "GitLab's lexer reads $NAME only";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(),
              "ci.yml:4:24: in expression '$A == '1' && ${B} == '2'' at column 14: '${B}' is not "
              "valid in an expression: GitLab reads $B only");
  }
}

TEST(Expression, EqualityAndNull) {
  EXPECT_TRUE(eval("$CI_COMMIT_BRANCH == \"main\"", {{"CI_COMMIT_BRANCH", "main"}}));
  EXPECT_TRUE(eval("$B != 'main'", {{"B", "dev"}}));
  EXPECT_TRUE(eval("$UNSET == null"));
  EXPECT_FALSE(eval("$EMPTY == null", {{"EMPTY", ""}}));
  EXPECT_TRUE(eval("$EMPTY == \"\"", {{"EMPTY", ""}}));
  EXPECT_TRUE(eval("$A == $B", {{"A", "x"}, {"B", "x"}}));
  EXPECT_TRUE(eval("$UNSET != \"x\""));
}

TEST(Expression, RegexSearchFlagsAndPatternInVariable) {
  EXPECT_TRUE(eval("$B =~ /^release-/", {{"B", "release-1.2"}}));
  EXPECT_TRUE(eval("$B =~ /REL/i", {{"B", "release"}}));
  EXPECT_FALSE(eval("$B =~ /REL/", {{"B", "release"}}));
  EXPECT_TRUE(eval("$B =~ /lea/", {{"B", "release"}})) << "=~ searches, not anchored";
  EXPECT_FALSE(eval("$UNSET =~ /.*/"));
  EXPECT_TRUE(eval("$UNSET !~ /.*/"));
  EXPECT_TRUE(eval("$B =~ $P", {{"B", "Feature-x"}, {"P", "/^feature/i"}}));
  EXPECT_TRUE(eval("$B =~ /a\\/b/", {{"B", "a/b"}}));
}

TEST(Expression, AndBindsTighterThanOr) {
  // true || (false && false) is true; (true || false) && false would be false.
  EXPECT_TRUE(eval("$T || $F && $F", {{"T", "1"}}));
  EXPECT_FALSE(eval("($T || $F) && $F", {{"T", "1"}}));
  EXPECT_TRUE(eval("$F && $F || $T", {{"T", "1"}}));
}

TEST(Expression, SyntaxErrorsNameTheColumn) {
  try {
    eval("$A == \"x");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("column 7"), std::string::npos) << e.what();
  }
  EXPECT_THROW(eval("$A =="), Error);
  EXPECT_THROW(eval("($A == \"x\""), Error);
  EXPECT_THROW(eval("$A = \"x\""), Error);
  EXPECT_THROW(eval("\"x\""), Error);
  EXPECT_THROW(eval("$A =~ \"x\""), Error);
  EXPECT_THROW(eval("$A =~ /(/"), Error);
}

// Nesting is bounded: 100,000 '(' overflowed the stack; 100 levels still parse.
TEST(Expression, DeepParenthesesAreAnErrorNotACrash) {
  std::string deep = std::string(100'000, '(') + "$A" + std::string(100'000, ')');
  try {
    eval(deep, {{"A", "x"}});
    FAIL() << "accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("parentheses nest deeper than 100 levels"),
              std::string::npos);
  }
  EXPECT_TRUE(eval(std::string(100, '(') + "$A" + std::string(100, ')'), {{"A", "x"}}));
}

TEST(Expression, ColumnIsAddedToTheSourceLocation) {
  try {
    evaluate_expression(
        "$A ==", [](std::string_view) { return std::nullopt; }, SourceLocation{"ci.yml", 4, 11});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.where().line, 4);
    EXPECT_EQ(e.where().column, 16);
  }
}

}  // namespace
}  // namespace tollgate::pipeline
