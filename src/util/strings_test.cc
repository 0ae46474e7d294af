#include "util/strings.h"

#include <gtest/gtest.h>

namespace tollgate::str {
namespace {

TEST(Strings, AppendUtf8AtEveryLengthBoundary) {
  std::string out;
  for (uint32_t cp : {0x41u, 0x7Fu, 0x80u, 0xE9u, 0x7FFu, 0x800u, 0x20ACu, 0xFFFFu, 0x10000u,
                      0x1F600u, 0x10FFFFu})
    append_utf8(out, cp);
  EXPECT_EQ(out,
            "A\x7F\xC2\x80\xC3\xA9\xDF\xBF\xE0\xA0\x80\xE2\x82\xAC\xEF\xBF\xBF\xF0\x90\x80\x80"
            "\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF");
}

TEST(Strings, FileSafeNamesFitAFileSystem) {
  EXPECT_EQ(file_safe("build: [cart, 1.2]"), "build_cart_1.2");
  std::string a(300, 'a'), b = a + "b";
  EXPECT_LE(file_safe(a).size(), 100u);
  EXPECT_NE(file_safe(a), file_safe(b)) << "long names that share a start stay apart";
  EXPECT_EQ(file_safe(a).substr(0, 80), std::string(80, 'a'));
}

TEST(Strings, XmlEscapeTurnsMarkupIntoCharactersForHtmlToo) {
  EXPECT_EQ(xml_escape("<img src=x onerror=\"a('1')\"> & co"),
            "&lt;img src=x onerror=&quot;a(&apos;1&apos;)&quot;&gt; &amp; co");
}

TEST(Strings, UrlEncodeKeepsAJobNameOneSegment) {
  EXPECT_EQ(str::url_encode("test: [a, b]/x"), "test%3A%20%5Ba%2C%20b%5D%2Fx");
  EXPECT_EQ(str::url_encode("build-1.2_x~"), "build-1.2_x~");
}

TEST(Strings, Base64DecodesExactlyAndRefusesTheRest) {
  EXPECT_EQ(base64_decode("dXNlcjpwYXNz"), "user:pass");
  // A value that ends in NUL bytes keeps them: padding alone says how many bytes there are.
  EXPECT_EQ(base64_decode("YQA="), std::string("a\0", 2));
  EXPECT_EQ(base64_decode("YQ=="), "a");
  EXPECT_EQ(base64_decode("YQ"), std::nullopt);
  EXPECT_EQ(base64_decode("Y!=="), std::nullopt);
}

TEST(Strings, PrintableShowsControlBytesAsHex) {
  EXPECT_EQ(printable(std::string("U\xff"
                                  "D\0",
                                  4)),
            "U\\xffD\\x00");
  EXPECT_EQ(printable(std::string(100, 'a'), 40), std::string(40, 'a'));
}

TEST(Strings, ClosestSuggestsOnlyLikelyTypos) {
  EXPECT_EQ(closest("junti", {"json", "junit", "table"}), "junit");
  EXPECT_EQ(closest("xml", {"json", "junit", "table"}), "");
}

}  // namespace
}  // namespace tollgate::str
