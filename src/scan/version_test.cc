#include "scan/version.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/server.h"
#include "util/error.h"

namespace tollgate::scan {
namespace {

struct Case {
  const char* a;
  const char* b;
  int expected;  // compare(a, b)
};

// Checks the pair both ways round, so every row also proves antisymmetry.
void expect_table(Scheme scheme, const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    EXPECT_EQ(compare_versions(scheme, c.a, c.b), c.expected)
        << to_string(scheme) << ": " << c.a << " vs " << c.b;
    EXPECT_EQ(compare_versions(scheme, c.b, c.a), -c.expected)
        << to_string(scheme) << ": " << c.b << " vs " << c.a;
  }
}

TEST(Dpkg, OrdersAsDebVersionDefines) {
  expect_table(Scheme::Dpkg, {
                                 {"1.0", "1.0", 0},
                                 {"1.0", "1.0-0", 0},
                                 {"0:1.0", "1.0", 0},
                                 {"1.0", "1.1", -1},
                                 {"1.9", "1.10", -1},
                                 {"1.0-1", "1.0-2", -1},
                                 {"1.0-9", "1.0-10", -1},
                                 {"1:1.0", "2.0", 1},
                                 {"2:1.02.185-2", "2.03.16-2", 1},
                                 {"1:0.9", "1:1.0", -1},
                                 {"1.0~rc1", "1.0", -1},
                                 {"1.0~rc1", "1.0~rc2", -1},
                                 {"1.0~~", "1.0~", -1},
                                 {"1.0~~a", "1.0~", -1},
                                 {"1.0~", "1.0", -1},
                                 {"1.0", "1.0a", -1},
                                 {"1.0a", "1.0+", -1},
                                 {"1.0+", "1.0.", -1},
                                 {"1.0.", "1.0", 1},
                                 {"2.38.1-5+deb12u3", "2.38.1-5+deb12u2", 1},
                                 {"2.38.1-5+deb12u3", "2.38.1-5", 1},
                                 {"5.2.15-2+b8", "5.2.15-2", 1},
                                 {"5.2.15-2+b8", "5.2.15-3", -1},
                                 {"3.0.11-1~deb12u2", "3.0.11-1", -1},
                                 {"3.0.11-1~deb12u2", "3.0.11-1~deb12u1", 1},
                                 {"3.0.11-1~deb12u2", "3.0.13-1~deb12u1", -1},
                                 {"1.0-1", "1.0-1ubuntu1", -1},
                                 {"1.2.3", "1.2.3-0ubuntu1", -1},
                                 {"0.55.7~deb12u1", "1:14.0-55.7~deb12u1", -1},
                                 {"1:5.0.20-1+bionic", "5.0.21-1", 1},
                                 {"2:9.0.0", "8.3.2", 1},
                                 {"1.00", "1.0", 0},
                                 {"1.001", "1.1", 0},
                                 {"10", "9", 1},
                                 {"123456789012345678901234", "123456789012345678901235", -1},
                                 {"a", "b", -1},
                                 {"1.2a", "1.2b", -1},
                                 {"1.2-a", "1.2-A", 1},
                                 {"7.88.1-10+deb12u5", "7.88.1-10+deb12u12", -1},
                                 {"2.36-9+deb12u4", "2.36-9+deb12u10", -1},
                                 {"1:2.38.1-5+deb12u3", "2.38.1-5+deb12u3", 1},
                             });
}

TEST(Dpkg, RejectsMalformedVersions) {
  EXPECT_THROW(compare_dpkg("", "1"), Error);
  EXPECT_THROW(compare_dpkg("a:1.0", "1"), Error);
  EXPECT_THROW(compare_dpkg("1:", "1"), Error);
  EXPECT_THROW(compare_dpkg("1:-1", "1"), Error);
  EXPECT_THROW(compare_dpkg("1.0-", "1"), Error);
}

TEST(Apk, OrdersAsApkToolsDoes) {
  expect_table(Scheme::Apk, {
                                {"1.0", "1.0", 0},
                                {"1.0", "1.1", -1},
                                {"1.9", "1.10", -1},
                                {"1.0", "1", 1},
                                {"1.0-r0", "1.0", 1},
                                {"1.0-r1", "1.0-r0", 1},
                                {"1.0-r10", "1.0-r9", 1},
                                {"1.0_rc1", "1.0", -1},
                                {"1.0_alpha1", "1.0_beta1", -1},
                                {"1.0_beta1", "1.0_pre1", -1},
                                {"1.0_pre1", "1.0_rc1", -1},
                                {"1.0_rc1", "1.0_rc2", -1},
                                {"1.0_rc1-r5", "1.0-r0", -1},
                                {"1.0_p1", "1.0", 1},
                                {"1.0_p1", "1.0-r5", 1},
                                {"1.0_p1", "1.0_p2", -1},
                                {"1.0_git20230101", "1.0", 1},
                                {"1.0_cvs", "1.0_svn", -1},
                                {"1.0_svn", "1.0_git", -1},
                                {"1.0_git", "1.0_hg", -1},
                                {"1.0_hg", "1.0_p", -1},
                                {"1.0a", "1.0", 1},
                                {"1.0a", "1.0b", -1},
                                {"1.0a", "1.1", -1},
                                {"1.0a-r1", "1.0a", 1},
                                {"3.1.4-r5", "3.1.4-r6", -1},
                                {"3.1.4-r6", "3.1.4_p1-r0", -1},
                                {"1.01", "1.1", -1},
                                {"1.001", "1.01", -1},
                                {"1.35.0-r17", "1.36.1-r2", -1},
                                {"4.15.9-r0", "4.15.12-r0", -1},
                                {"7.53.0", "7.53.0-r0", -1},
                                {"7.53.0-r1", "7.53.0", 1},
                                {"1.29.3-r10", "1.30.1-r2", -1},
                                {"3.1.4-r5", "3.1.4-r5", 0},
                                {"20230101", "20221231", 1},
                                {"1.0~abc1", "1.0", 1},
                                {"1.0~abc1-r1", "1.0~abc1-r0", 1},
                                {"1.0_rc1_p2", "1.0_rc1", 1},
                                {"1.0_rc1_p2", "1.0", -1},
                                {"2.4.57-r0", "2.4.57_rc1-r0", 1},
                            });
}

// Every comparison line of apk-tools' own test vectors ("A op B" or "A !op B"), strings
// outside the strict grammar included; the fuzzy "~" lines test a match apk uses for
// dependencies, not the ordering.
TEST(Apk, AnswersEveryApkToolsTestVector) {
  std::ifstream in(tollgate::testing::source_dir() / "src/scan/testdata/apk_version.data");
  ASSERT_TRUE(in) << "apk_version.data";
  int checked = 0;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line.substr(0, line.find('#')));
    std::string a, op, b;
    if (!(words >> a >> op >> b) || op.find('~') != std::string::npos) continue;
    bool invert = op[0] == '!';
    if (invert) op.erase(0, 1);
    int c = compare_apk(a, b);
    bool holds = (c < 0 && op.find('<') != std::string::npos) ||
                 (c > 0 && op.find('>') != std::string::npos) ||
                 (c == 0 && op.find('=') != std::string::npos);
    EXPECT_NE(holds, invert) << line << " (tollgate says " << c << ")";
    ++checked;
  }
  EXPECT_EQ(checked, 738);  // the file's comparison lines (apk-tools at 90b974f)
  EXPECT_EQ(compare_apk("23_foo", "4_beta"), 1);
  EXPECT_EQ(compare_apk("1.0", "1.0bc"), -1);
  EXPECT_EQ(compare_apk("", "1"), -1);  // invalid at once ranks below a valid start
}

TEST(Rpm, OrdersAsRpmvercmpDoes) {
  expect_table(Scheme::Rpm, {
                                {"1.0", "1.0", 0},
                                {"1.0", "2.0", -1},
                                {"2.0.1", "2.0", 1},
                                {"2.0.1", "2.0.1a", -1},
                                {"5.5p1", "5.5p2", -1},
                                {"5.5p1", "5.5p10", -1},
                                {"10xyz", "10.1xyz", -1},
                                {"xyz10", "xyz10.1", -1},
                                {"xyz.4", "8", -1},
                                {"xyz.4", "2", -1},
                                {"5.5p2", "5.6p1", -1},
                                {"5.6p1", "6.5p1", -1},
                                {"6.0.rc1", "6.0", 1},
                                {"10b2", "10a1", 1},
                                {"1.0aa", "1.0a", 1},
                                {"10.0001", "10.1", 0},
                                {"10.0001", "10.0039", -1},
                                {"4.999.9", "5.0", -1},
                                {"20101121", "20101122", -1},
                                {"2_0", "2_0", 0},
                                {"2.0", "2_0", 0},
                                {"a", "a", 0},
                                {"a+", "a_", 0},
                                {"+", "_", 0},
                                {"1.0~rc1", "1.0", -1},
                                {"1.0~rc1", "1.0~rc2", -1},
                                {"1.0~rc1~git123", "1.0~rc1", -1},
                                {"1.0^", "1.0", 1},
                                {"1.0^git1", "1.0", 1},
                                {"1.0^git1", "1.0.1", -1},
                                {"1.0^git1", "1.0^git2", -1},
                                {"1.0^git1~pre", "1.0^git1", -1},
                                {"1.0", "1.0-1", -1},
                                {"1:1.0-1", "2.0-1", 1},
                                {"0:1.0-1", "1.0-1", 0},
                                {"5.16.3-299.el7_9", "5.16.3-295.el7", 1},
                                {"3.0.7-16.el9_2", "3.0.7-18.el9_2", -1},
                                {"3.0.7-18.el9_2", "3.0.7-18.el9_3", -1},
                            });
}

TEST(Semver, FollowsSemverPrecedence) {
  expect_table(Scheme::Semver,
               {
                   {"1.0.0", "1.0.0", 0},
                   {"1.0.0", "2.0.0", -1},
                   {"2.0.0", "2.1.0", -1},
                   {"2.1.0", "2.1.1", -1},
                   {"1.10.0", "1.9.0", 1},
                   {"1.0.0-alpha", "1.0.0", -1},
                   {"1.0.0-alpha", "1.0.0-alpha.1", -1},
                   {"1.0.0-alpha.1", "1.0.0-alpha.beta", -1},
                   {"1.0.0-alpha.beta", "1.0.0-beta", -1},
                   {"1.0.0-beta", "1.0.0-beta.2", -1},
                   {"1.0.0-beta.2", "1.0.0-beta.11", -1},
                   {"1.0.0-beta.11", "1.0.0-rc.1", -1},
                   {"1.0.0-rc.1", "1.0.0", -1},
                   {"1.0.0+build.1", "1.0.0+build.2", 0},
                   {"1.0.0-rc.1+build", "1.0.0-rc.1", 0},
                   {"v1.2.3", "1.2.3", 0},
                   {"1.2", "1.2.0", 0},
                   {"1", "1.0.1", -1},
                   {"0.0.0-20191109021931-daa7c04131f5", "0.0.0-20200101000000-abcdef012345", -1},
                   {"0.0.0-20191109021931-daa7c04131f5", "0.1.0", -1},
                   {"1.2.4-0.20191109021931-daa7c04131f5", "1.2.4", -1},
                   {"1.2.4-0.20191109021931-daa7c04131f5", "1.2.3", 1},
                   {"1.0.0-1", "1.0.0-a", -1},
                   {"99999999999999999999.0.0", "99999999999999999998.0.0", 1},
               });
}

TEST(Semver, RejectsWhatIsNotAVersion) {
  EXPECT_THROW(compare_semver("1.x", "1"), Error);
  EXPECT_THROW(compare_semver("1.2.3.4", "1"), Error);
  EXPECT_THROW(compare_semver("1.0.0-", "1"), Error);
  EXPECT_THROW(compare_semver("", "1"), Error);
}

TEST(Pep440, OrdersAsPep440Specifies) {
  expect_table(Scheme::Pep440, {
                                   {"1.0", "1.0", 0},
                                   {"1.0", "1.0.0", 0},
                                   {"1.0", "1.1", -1},
                                   {"1.0.dev0", "1.0a1", -1},
                                   {"1.0a1", "1.0a2", -1},
                                   {"1.0a2", "1.0b1", -1},
                                   {"1.0b1", "1.0rc1", -1},
                                   {"1.0rc1", "1.0", -1},
                                   {"1.0", "1.0.post1", -1},
                                   {"1.0.post1", "1.0.post2", -1},
                                   {"1.0.post1.dev1", "1.0.post1", -1},
                                   {"1.0a1.dev1", "1.0a1", -1},
                                   {"1.0a1.post1", "1.0a1", 1},
                                   {"1.0a1.post1", "1.0b1", -1},
                                   {"1.0", "1.0+local", -1},
                                   {"1.0+abc", "1.0+1", -1},
                                   {"1.0+1", "1.0+2", -1},
                                   {"1.0+abc.1", "1.0+abc", 1},
                                   {"1.0.post1", "1.0+local", 1},
                                   {"1!1.0", "2.0", 1},
                                   {"0!2.0", "2.0", 0},
                                   {"1.0alpha1", "1.0a1", 0},
                                   {"1.0-beta-2", "1.0b2", 0},
                                   {"1.0c1", "1.0rc1", 0},
                                   {"1.0pre1", "1.0rc1", 0},
                                   {"1.0preview1", "1.0rc1", 0},
                                   {"1.0-1", "1.0.post1", 0},
                                   {"1.0r1", "1.0.post1", 0},
                                   {"1.0rev1", "1.0.post1", 0},
                                   {"1.0.post", "1.0.post0", 0},
                                   {"1.0a", "1.0a0", 0},
                                   {"1.0.dev", "1.0.dev0", 0},
                                   {"V1.0", "1.0", 0},
                                   {"1.0RC1", "1.0rc1", 0},
                                   {"1.0+ubuntu-1", "1.0+ubuntu.1", 0},
                                   {"2.28.2", "2.31.0", -1},
                                   {"2.31.0", "2.4.0", 1},
                                   {"1.0.dev1", "1.0.dev2", -1},
                                   {"1.0", "1.0.1.dev1", -1},
                               });
}

TEST(Pep440, RejectsWhatIsNotAVersion) {
  EXPECT_THROW(compare_pep440("1.0-foo", "1"), Error);
  EXPECT_THROW(compare_pep440("", "1"), Error);
  EXPECT_THROW(compare_pep440("abc", "1"), Error);
}

TEST(Scheme, MapsEcosystemsToTheirOrdering) {
  EXPECT_EQ(scheme_for_ecosystem("Debian:12"), Scheme::Dpkg);
  EXPECT_EQ(scheme_for_ecosystem("Ubuntu:22.04:LTS"), Scheme::Dpkg);
  EXPECT_EQ(scheme_for_ecosystem("Alpine:v3.18"), Scheme::Apk);
  EXPECT_EQ(scheme_for_ecosystem("Rocky Linux:9"), Scheme::Rpm);
  EXPECT_EQ(scheme_for_ecosystem("PyPI"), Scheme::Pep440);
  EXPECT_EQ(scheme_for_ecosystem("npm"), Scheme::Semver);
  EXPECT_EQ(scheme_for_ecosystem("Maven"), std::nullopt);
  EXPECT_EQ(parse_scheme("dpkg"), Scheme::Dpkg);
  EXPECT_EQ(parse_scheme("deb"), std::nullopt);
}

}  // namespace
}  // namespace tollgate::scan
