#include "load/http_response.h"

#include <gtest/gtest.h>

namespace tollgate::load {
namespace {

using Result = ResponseParser::Result;

// Feeds text cut at every position in turn (one split), and byte by byte, and checks each way
// gives the same response as one whole read.
struct Parsed {
  Result result;
  int status;
  bool keep_alive;
  std::string body;
  size_t consumed;
};

Parsed parse_pieces(const std::string& text, const std::vector<size_t>& cuts, bool head = false) {
  ResponseParser p;
  p.reset(head, true);
  size_t pos = 0, total = 0;
  Result r = Result::NeedMore;
  std::vector<size_t> ends = cuts;
  ends.push_back(text.size());
  for (size_t end : ends) {
    size_t used = 0;
    r = p.feed(text.data() + pos, end - pos, used);
    total += used;
    pos = end;
    if (r != Result::NeedMore) break;
  }
  return {r, p.status(), p.keep_alive(), p.body(), total};
}

void expect_all_splits(const std::string& text, int status, const std::string& body,
                       bool keep_alive) {
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    Parsed got = parse_pieces(text, {cut});
    ASSERT_EQ(got.result, Result::Done) << "cut at " << cut;
    EXPECT_EQ(got.status, status);
    EXPECT_EQ(got.body, body) << "cut at " << cut;
    EXPECT_EQ(got.keep_alive, keep_alive);
    EXPECT_EQ(got.consumed, text.size());
  }
  std::vector<size_t> every;
  for (size_t i = 1; i < text.size(); ++i)
    every.push_back(i);
  Parsed bytewise = parse_pieces(text, every);
  EXPECT_EQ(bytewise.result, Result::Done);
  EXPECT_EQ(bytewise.body, body);
}

TEST(ResponseParser, ContentLengthAtEverySplit) {
  expect_all_splits(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n"
      "{\"id\": \"a1\"}\n",
      200, "{\"id\": \"a1\"}\n", true);
}

TEST(ResponseParser, ChunkedWithExtensionsAndTrailersAtEverySplit) {
  expect_all_splits(
      "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=x\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n",
      201, "hello, world", true);
}

TEST(ResponseParser, ConnectionCloseIsHonoured) {
  expect_all_splits("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 2\r\n\r\nno",
                    404, "no", false);
}

TEST(ResponseParser, Http10DefaultsToCloseUnlessKeepAlive) {
  expect_all_splits("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 200, "", false);
  expect_all_splits("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", 200,
                    "", true);
}

TEST(ResponseParser, BodylessStatusesAndHead) {
  expect_all_splits("HTTP/1.1 204 No Content\r\n\r\n", 204, "", true);
  expect_all_splits("HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n", 304, "", true);
  Parsed head = parse_pieces("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", {}, true);
  EXPECT_EQ(head.result, Result::Done);
}

TEST(ResponseParser, InterimResponseIsSkipped) {
  expect_all_splits("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                    200, "ok", true);
}

TEST(ResponseParser, BodyUntilCloseCompletesOnEof) {
  ResponseParser p;
  p.reset(false, true);
  std::string text = "HTTP/1.1 200 OK\r\n\r\nstreamed";
  size_t used = 0;
  EXPECT_EQ(p.feed(text.data(), text.size(), used), Result::NeedMore);
  EXPECT_EQ(p.finish_on_eof(), Result::Done);
  EXPECT_EQ(p.body(), "streamed");
  EXPECT_FALSE(p.keep_alive());
}

TEST(ResponseParser, EofInTheMiddleIsAnError) {
  ResponseParser p;
  p.reset(false, true);
  std::string text = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
  size_t used = 0;
  EXPECT_EQ(p.feed(text.data(), text.size(), used), Result::NeedMore);
  EXPECT_EQ(p.finish_on_eof(), Result::Error);
  EXPECT_NE(p.error().find("middle"), std::string::npos);
}

TEST(ResponseParser, LeavesBytesOfTheNextResponse) {
  ResponseParser p;
  p.reset(false, false);
  std::string text = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n";
  size_t used = 0;
  EXPECT_EQ(p.feed(text.data(), text.size(), used), Result::Done);
  EXPECT_EQ(used, text.size() - 17);
  EXPECT_EQ(p.body(), "");  // not kept
  EXPECT_EQ(p.body_bytes(), 2u);
}

TEST(ResponseParser, MalformedInputIsRejected) {
  for (std::string bad : std::initializer_list<std::string>{
           "HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n",
           "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
           // a four-digit status is not 200; nor is HTTP/1.2 or a status glued on
           "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.2 200 OK\r\n\r\n", "HTTP/1.1 200OK\r\n\r\n",
           // a header name is a token: no NUL, space or control character
           std::string("HTTP/1.1 200 OK\r\nX-A\0b: 1\r\n\r\n", 29),
           "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n",
           "HTTP/1.1 200 OK\r\nX\x01: 1\r\n\r\n"}) {
    Parsed got = parse_pieces(bad, {});
    EXPECT_EQ(got.result, Result::Error) << bad;
  }
}

TEST(ResponseParser, HeadersAreFoundCaseInsensitively) {
  ResponseParser p;
  p.reset(false, true);
  std::string text = "HTTP/1.1 200 OK\r\nX-Token: abc\r\nContent-Length: 0\r\n\r\n";
  size_t used = 0;
  ASSERT_EQ(p.feed(text.data(), text.size(), used), Result::Done);
  EXPECT_EQ(p.header("x-token"), "abc");
  EXPECT_EQ(p.header("missing"), "");
}

}  // namespace
}  // namespace tollgate::load
