#include "web/ansi.h"

#include <gtest/gtest.h>

namespace tollgate::web {
namespace {

TEST(LogRenderer, ColoursBecomeClassesAndTheRestIsEscaped) {
  EXPECT_EQ(render_log("\x1b[1;32mok\x1b[0m <b>\n"),
            "<span class=\"l\"><span class=\"fg2 b\">ok</span> &lt;b&gt;</span>\n");
}

TEST(LogRenderer, MarksCommandLinesAndAttempts) {
  EXPECT_EQ(render_log("$ make\n--- attempt 2 of 3 ---\n"),
            "<span class=\"l cmd\">$ make</span>\n<span class=\"l attempt\">--- attempt 2 of 3 "
            "---</span>\n");
}

TEST(LogRenderer, AColourCarriesOverLinesAndCalls) {
  LogRenderer r;
  std::string out;
  r.render("\x1b[31mred\n", out);
  r.render("still red\x1b[39m plain\n", out);
  EXPECT_EQ(out,
            "<span class=\"l\"><span class=\"fg1\">red</span></span>\n"
            "<span class=\"l\"><span class=\"fg1\">still red</span> plain</span>\n");
}

TEST(LogRenderer, ShowsWhatATerminalShowsOfRedrawnLinesAndDropsOtherSequences) {
  // A progress bar redrawn with \r, CRLF endings, GitLab's section marker, bright and 256
  // colours (the first 16 named, the rest default), a truncated sequence at the end.
  EXPECT_EQ(render_log("10%\r50%\r100%\r\n"), "<span class=\"l\">100%</span>\n");
  EXPECT_EQ(render_log("section_start:1:x\r\x1b[0Kheader\n"), "<span class=\"l\">header</span>\n");
  EXPECT_EQ(
      render_log("\x1b[91ma\x1b[38;5;4mb\x1b[38;5;200mc\x1b[38;2;1;2;3md\x1b[0m\x1b["),
      "<span class=\"l\"><span class=\"fg9\">a</span><span class=\"fg4\">b</span>cd</span>\n");
}

}  // namespace
}  // namespace tollgate::web
