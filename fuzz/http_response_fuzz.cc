// The HTTP/1.1 response parser of the load generator (load/http_response): the bytes a server
// sends, in pieces of varying size, for a GET and a HEAD, then the connection's close.
#include <algorithm>

#include "fuzz_support.h"
#include "load/http_response.h"

namespace {

void parse(const uint8_t* data, size_t size, bool head, size_t piece) {
  using tollgate::load::ResponseParser;
  ResponseParser parser;
  parser.reset(head, true, true);
  size_t at = 0;
  ResponseParser::Result r = ResponseParser::Result::NeedMore;
  while (at < size) {
    size_t consumed = 0, n = std::min(piece, size - at);
    r = parser.feed(reinterpret_cast<const char*>(data) + at, n, consumed);
    if (consumed > n) __builtin_trap();
    if (r == ResponseParser::Result::Error) return;
    if (consumed == 0) __builtin_trap();  // it must take what it is given, or finish
    at += consumed;
    if (r == ResponseParser::Result::Done) {
      // Bytes of a next response on the same connection.
      parser.header("content-type");
      parser.reset(head, false, false);
    }
  }
  if (r == ResponseParser::Result::NeedMore) parser.finish_on_eof();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  size_t piece = 1 + (size > 0 ? data[size - 1] % 61 : 0);
  parse(data, size, false, size == 0 ? 1 : size);
  parse(data, size, false, piece);
  parse(data, size, true, piece);
  return 0;
}
