#include "pipeline/variables.h"

#include <gtest/gtest.h>

#include "util/error.h"

namespace tollgate::pipeline {
namespace {

TEST(Variables, ReferencesDollarEscapeAndUndefined) {
  VariableSet vs;
  vs.set(Variable{"NAME", "cart", true});
  vs.set(Variable{"IMAGE", "registry/$NAME:${TAG}", true});
  vs.set(Variable{"TAG", "v1", true});
  vs.set(Variable{"PRICE", "$$5 and $UNDEFINED.", true});
  EXPECT_EQ(vs.get("IMAGE"), "registry/cart:v1");
  EXPECT_EQ(vs.get("PRICE"), "$5 and .");
  EXPECT_FALSE(vs.get("NOPE"));
}

TEST(Variables, ExpandFalseKeepsDollars) {
  VariableSet vs;
  vs.set(Variable{"A", "x", true});
  vs.set(Variable{"RAW", "$A $$", false});
  EXPECT_EQ(vs.get("RAW"), "$A $$");
}

TEST(Variables, LaterSetWinsAndNestedReferencesResolve) {
  VariableSet vs;
  vs.set(Variable{"ENV", "global", true});
  vs.set(Variable{"URL", "https://$HOST/$ENV", true});
  vs.set(Variable{"HOST", "$ENV.example.com", true});
  vs.set(Variable{"ENV", "job", true});
  EXPECT_EQ(vs.get("URL"), "https://job.example.com/job");
}

TEST(Variables, CyclesDoNotLoop) {
  VariableSet vs;
  vs.set(Variable{"A", "$B", true});
  vs.set(Variable{"B", "$A", true});
  vs.set(Variable{"SELF", "$SELF:x", true});
  EXPECT_TRUE(vs.get("A").has_value());
  EXPECT_EQ(vs.get("SELF"), ":x");
}

// Ten levels that each name the next ten times: 10^10 lookups, gigabytes, and no end.
TEST(Variables, AnExpansionBombIsAnErrorNotGigabytes) {
  VariableSet vars;
  for (char level = 'A'; level < 'J'; ++level) {
    std::string next = std::string("$") + static_cast<char>(level + 1);
    std::string value;
    for (int i = 0; i < 10; ++i)
      value += next;
    vars.set(std::string(1, level), value, true);
  }
  vars.set("J", "0123456789", true);
  try {
    vars.get("A");
    FAIL() << "the bomb expanded";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "variable A takes more than 100,000 lookups of other variables when expanded; "
              "tollgate stops there (do variables name each other many times over?)");
  }
  // Few lookups, long values: 4 x 300 KiB is past 1 MiB.
  vars.set("BIG", std::string(300 << 10, 'x'), true);
  vars.set("FOUR", "$BIG$BIG$BIG$BIG", true);
  EXPECT_THROW(vars.get("FOUR"), Error);
  vars.set("THREE", "$BIG$BIG$BIG", true);
  EXPECT_EQ(vars.get("THREE")->size(), 900u << 10);
  // Expanding other text is bounded the same way.
  EXPECT_THROW(expand_variables("$FOUR", vars.lookup()), Error);
}

TEST(Variables, EnvironmentAndMaskedValues) {
  VariableSet vs;
  vs.set(Variable{"A", "1", true});
  Variable secret{"TOKEN", "s3cr3t", false};
  secret.masked = true;
  vs.set(secret);
  auto env = vs.environment();
  EXPECT_NE(std::find(env.begin(), env.end(), "A=1"), env.end());
  EXPECT_EQ(vs.masked_values(), std::vector<std::string>{"s3cr3t"});
}

}  // namespace
}  // namespace tollgate::pipeline
