#include "support/browser.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "support/http_test_server.h"
#include "util/files.h"

namespace tollgate::testing {
namespace {

using namespace std::chrono_literals;

std::string file_url(const files::TempDir& dir, const std::string& name, const std::string& html) {
  std::ofstream(dir.path() / name) << html;
  return "file://" + (dir.path() / name).string();
}

const char* const kDelayedTitle = R"(<!doctype html>
<title>loading</title>
<p id=x>hello from the page</p>
<script>setTimeout(() => { document.title = 'done'; }, 300);</script>
)";

TEST(Browser, OpensEvaluatesWaitsAndTakesAScreenshot) {
  files::TempDir dir;
  Browser browser;
  browser.open(file_url(dir, "page.html", kDelayedTitle));
  EXPECT_EQ(browser.eval("document.getElementById('x').textContent"), "hello from the page");
  EXPECT_TRUE(browser.wait_for("document.title==='done'"));
  EXPECT_EQ(browser.eval("Promise.resolve(6 * 7)"), 42);
  EXPECT_TRUE(browser.eval("undefined").is_null());

  browser.screenshot(dir.path() / "page.png");
  std::ifstream png(dir.path() / "page.png", std::ios::binary);
  std::string bytes{std::istreambuf_iterator<char>(png), std::istreambuf_iterator<char>()};
  EXPECT_GT(bytes.size(), 1000u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST(Browser, ThrowingExpressionThrowsWithItsMessage) {
  Browser browser;
  try {
    browser.eval("throw new Error('boom')");
    FAIL() << "eval did not throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("Error: boom"), std::string::npos) << e.what();
  }
  EXPECT_THROW(browser.eval("no_such_variable.x"), std::runtime_error);
}

TEST(Browser, WaitForGivesUpAtItsTimeout) {
  Browser browser;
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(browser.wait_for("document.title==='never'", 700ms));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 700ms);
  EXPECT_LT(took, 5s);
}

TEST(Browser, OpenThrowsOnANavigationError) {
  files::TempDir dir;
  Browser browser;
  EXPECT_THROW(browser.open("file://" + (dir.path() / "missing.html").string()),
               std::runtime_error);
}

TEST(Browser, CollectsConsoleMessagesExceptionsAndCspViolations) {
  files::TempDir dir;
  Browser browser;
  browser.open(file_url(dir, "csp.html", R"(<!doctype html>
<meta http-equiv="Content-Security-Policy" content="img-src 'none'">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<script>
  console.log('hello', 42);
  setTimeout(() => { throw new Error('late failure'); }, 0);
</script>
)"));
  // A round trip after the page has settled reads the events that came before it.
  ASSERT_TRUE(browser.wait_for("new Promise(r => setTimeout(() => r(true), 100))"));
  std::string all;
  for (const std::string& line : browser.console())
    all += line + "\n";
  EXPECT_NE(all.find("console.log: hello 42"), std::string::npos) << all;
  EXPECT_NE(all.find("late failure"), std::string::npos) << all;
  EXPECT_NE(all.find("Content Security Policy"), std::string::npos) << all;
}

TEST(Browser, ExtraHeadersGoWithThePagesRequests) {
  HttpTestServer server;
  Browser browser;
  browser.open(server.url() + "/ok");
  const std::string status = "fetch('/cart/ann').then(r => r.status)";
  EXPECT_EQ(browser.eval(status), 401);
  browser.set_headers({{"Authorization", "Bearer tok-ann"}});
  EXPECT_EQ(browser.eval(status), 200);
}

}  // namespace
}  // namespace tollgate::testing
