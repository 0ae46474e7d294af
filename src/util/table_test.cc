#include "util/table.h"

#include <gtest/gtest.h>

namespace tollgate {
namespace {

TEST(TextTable, ColumnsAreAsWideAsTheirWidestCellAndTheLastIsNotPadded) {
  TextTable t({"NAME", "VERSION", "NOTE"});
  t.add({"openssl", "3.0.11-1~deb12u2", "fixed"});
  t.add({"zlib", "1:1.2.13", ""});
  EXPECT_EQ(t.render(),
            "NAME     VERSION           NOTE\n"
            "openssl  3.0.11-1~deb12u2  fixed\n"
            "zlib     1:1.2.13\n");
}

TEST(TextTable, ColourCodesAndUtf8CountAsWhatIsVisible) {
  TextTable t({"A", "B"});
  t.add({"\033[31mred\033[0m", "x"});
  t.add({"caf\xC3\xA9", "y"});
  t.add({"abcd", "z"});
  EXPECT_EQ(t.render(),
            "A     B\n"
            "\033[31mred\033[0m   x\n"
            "caf\xC3\xA9  y\n"
            "abcd  z\n");
}

TEST(TextTable, LongCellsAreCutWithAnEllipsisButNeverInsideColour) {
  TextTable t({"K", "V"});
  t.add({"abcdefghij", "1"});
  t.add({"\033[31mabcdefghij\033[0m", "2"});
  t.add({"\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", "3"});
  std::string out = t.render(5);
  EXPECT_NE(out.find("abcd\u2026"), std::string::npos) << out;
  EXPECT_NE(out.find("\033[31mabcdefghij\033[0m"), std::string::npos) << out;
  EXPECT_NE(out.find("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\u2026"), std::string::npos) << out;
  // The cut cells set the column's width: 10 visible for the coloured one.
  EXPECT_NE(out.find("abcd\u2026       1\n"), std::string::npos) << out;
}

TEST(TextTable, AShortRowEndsEarly) {
  TextTable t({"A", "B", "C"});
  t.add({"1"});
  t.add({"22", "x", "y"});
  EXPECT_EQ(t.render(), "A   B  C\n1\n22  x  y\n");
}

}  // namespace
}  // namespace tollgate
