#include "budget/scope.h"

#include <gtest/gtest.h>

#include "budget/tags.h"
#include "util/error.h"

namespace tollgate::budget {
namespace {

CostRow row(std::string_view provider, std::string_view service, std::string_view tags) {
  CostRow r;
  r.provider = provider;
  r.service = service;
  r.tags = tags;
  r.category = "Usage";
  r.billing_account = "111";
  return r;
}

TEST(Tags, FindsValuesOfEveryKind) {
  std::string_view tags =
      R"({"env":"staging","cost-center":123,"aws:createdBy":"a\"b\u00e9","flag":true})";
  EXPECT_EQ(find_tag(tags, "env")->text, "staging");
  EXPECT_TRUE(find_tag(tags, "env")->is_string);
  EXPECT_EQ(find_tag(tags, "cost-center")->text, "123");
  EXPECT_EQ(find_tag(tags, "aws:createdBy")->text, "a\"b\xC3\xA9");
  EXPECT_EQ(find_tag(tags, "flag")->text, "true");
  EXPECT_FALSE(find_tag(tags, "Env"));  // keys are case-sensitive
  EXPECT_FALSE(find_tag("", "env"));    // null Tags: no tags
  EXPECT_FALSE(find_tag("{}", "env"));
  EXPECT_EQ(find_tag(R"({"k\u0065y" : "v"})", "key")->text, "v");
}

TEST(Tags, ReadsCsvDoubledQuotesLikeTheUnescapedText) {
  std::string_view tags = R"({"env":"staging","cost-center":123,"note":"a \"b\" c","k\"ey":"v"})";
  std::string doubled;
  for (char c : tags)
    doubled += c == '"' ? std::string("\"\"") : std::string(1, c);
  for (const char* key : {"env", "cost-center", "note", "k\"ey", "missing"}) {
    std::string a, b;
    bool sa = false, sb = false;
    auto plain = find_tag_view(tags, key, a, &sa);
    auto twice = find_tag_view(doubled, key, b, &sb, true);
    ASSERT_EQ(plain.has_value(), twice.has_value()) << key;
    if (plain) {
      EXPECT_EQ(*plain, *twice) << key;
      EXPECT_EQ(sa, sb) << key;
    }
  }
  std::string scratch;
  EXPECT_EQ(*find_tag_view(doubled, "note", scratch, nullptr, true), "a \"b\" c");
  EXPECT_THROW(find_tag_view(R"({"env":"x"})", "env", scratch, nullptr, true), Error);
  EXPECT_THROW(find_tag_view(R"({""env"":""x"})", "env", scratch, nullptr, true), Error);
}

TEST(Tags, RejectsWhatFocusForbids) {
  for (const char* bad :
       {R"({"a":{"b":1}})", R"({"a":[1]})", R"({"a":1,"a":2})", R"({"a":1)", R"({"a" 1})",
        R"({"a":1}})", R"(["a"])", "env=prod", R"({"a":bogus})", R"({"a":"\x"})"})
    EXPECT_THROW(find_tag(bad, "a"), Error) << bad;
}

TEST(Scope, AllTermsMustHold) {
  Scope s = Scope::parse("provider:AWS,tag:env=staging");
  EXPECT_TRUE(s.matches(row("AWS", "EC2", R"({"env":"staging"})")));
  EXPECT_FALSE(s.matches(row("AWS", "EC2", R"({"env":"Staging"})")));  // values are exact
  EXPECT_FALSE(s.matches(row("AWS", "EC2", R"({"Env":"staging"})")));  // and so are keys
  EXPECT_FALSE(s.matches(row("Microsoft", "EC2", R"({"env":"staging"})")));
  EXPECT_FALSE(s.matches(row("AWS", "EC2", "")));
}

TEST(Scope, UntaggedAndAnyValue) {
  Scope untagged = Scope::parse("untagged:env");
  EXPECT_TRUE(untagged.matches(row("AWS", "EC2", "")));
  EXPECT_TRUE(untagged.matches(row("AWS", "EC2", R"({"Env":"prod"})")));
  EXPECT_FALSE(untagged.matches(row("AWS", "EC2", R"({"env":"prod"})")));
  Scope tagged = Scope::parse("tag:env");
  EXPECT_TRUE(tagged.matches(row("AWS", "EC2", R"({"env":""})")));
  EXPECT_FALSE(tagged.matches(row("AWS", "EC2", "")));
}

TEST(Scope, EscapedCommaAndEmptyScope) {
  Scope s = Scope::parse(R"(service:Storage\, Archive,category:Usage)");
  EXPECT_TRUE(s.matches(row("AWS", "Storage, Archive", "")));
  EXPECT_TRUE(Scope::parse("").matches(row("x", "y", "")));
}

TEST(Scope, BadTermsSayWhatToWrite) {
  try {
    Scope::parse("servce:EC2");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'service'?"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Scope::parse("EC2"), UsageError);
  EXPECT_THROW(Scope::parse("service:"), UsageError);
  EXPECT_THROW(Scope::parse("provider:AWS,,service:EC2"), UsageError);
  EXPECT_THROW(Scope::parse("tag:=x"), UsageError);
}

TEST(GroupBy, JoinsValuesAndNamesTheMissing) {
  GroupBy g = GroupBy::parse("service,tag:team,region");
  std::string key;
  g.key(row("AWS", "EC2", R"({"team":"cart"})"), key);
  EXPECT_EQ(key, "EC2 / cart / (none)");
  g.key(row("AWS", "S3", ""), key);
  EXPECT_EQ(key, "S3 / (untagged) / (none)");
  EXPECT_THROW(GroupBy::parse("tag"), UsageError);
  EXPECT_THROW(GroupBy::parse("regoin"), UsageError);
}

}  // namespace
}  // namespace tollgate::budget
