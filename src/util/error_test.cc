#include "util/error.h"

#include <gtest/gtest.h>

namespace tollgate {
namespace {

TEST(RedactCredentials, MasksThePasswordOrTheTokenOfEveryUrl) {
  EXPECT_EQ(redact_credentials("cannot reach http://admin:s3cret@cost.example:9003/allocation"),
            "cannot reach http://admin:[MASKED]@cost.example:9003/allocation");
  EXPECT_EQ(redact_credentials("https://ghp_abcdef@github.com and ftp://u:p@h"),
            "https://[MASKED]@github.com and ftp://u:[MASKED]@h");
  // A password may hold '@' and ':'; the authority ends at the last '@' before the path.
  EXPECT_EQ(redact_credentials("'http://u:p@ss:w@host/x'"), "'http://u:[MASKED]@host/x'");
  // No credentials, or an '@' only in the path or query: unchanged.
  for (const char* same : {"http://host:8080/a@b", "https://host/?mail=a@b.c", "git@github.com:x",
                           "plain text", "http://"})
    EXPECT_EQ(redact_credentials(same), same);
  EXPECT_EQ(redact_credentials("x://@"), "x://[MASKED]@") << "an empty userinfo is masked too";
}

TEST(Error, NeverCarriesAUrlsCredentials) {
  Error e(SourceLocation{"opencost:http://user:hunter22@oc:9003"},
          "no answer from "
          "http://user:hunter22@oc:9003");
  EXPECT_EQ(e.message(),
            "opencost:http://user:[MASKED]@oc:9003: no answer from http://user:[MASKED]@oc:9003");
}

}  // namespace
}  // namespace tollgate
