#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tollgate::load {

// An incremental HTTP/1.1 response parser: bytes arrive in whatever pieces the socket gives and
// are fed as they come. Handles Content-Length, chunked transfer coding (with extensions and
// trailers), bodies delimited by the connection closing, bodiless statuses (1xx, 204, 304) and
// HEAD, and whether the connection may be reused. It never allocates per byte: the common case
// (a whole response head in one read) scans the buffer in place.
class ResponseParser {
 public:
  enum class Result { NeedMore, Done, Error };

  // Prepares for the next response. keep_body / keep_headers: store the body and the header
  // fields (checks and extraction need them; plain load does not, which saves copies).
  void reset(bool head_request, bool keep_body, bool keep_headers = true);

  // Consumes bytes from data; `consumed` says how many (a Done response may leave bytes of the
  // next one, which HTTP/1.1 without pipelining never sends, but a parser must not eat them).
  Result feed(const char* data, size_t len, size_t& consumed);
  // The peer closed the connection: completes a body delimited by close, else an error.
  Result finish_on_eof();

  bool started() const { return started_; }
  int status() const { return status_; }
  bool keep_alive() const { return keep_alive_; }
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }
  // Header value by case-insensitive name, or "".
  std::string_view header(std::string_view name) const;
  const std::string& body() const { return body_; }
  uint64_t body_bytes() const { return body_bytes_; }
  const std::string& error() const { return error_; }

 private:
  enum class State {
    StatusLine,
    Headers,
    Body,
    ChunkSize,
    ChunkData,
    ChunkDataEnd,
    Trailers,
    UntilClose,
    Done,
    Failed
  };

  Result fail(std::string why);
  // The line that ends `take` bytes from p (joined with what earlier reads left of it, \r
  // stripped); false when the line is incomplete, or too long (then the parser failed).
  bool take_line(const char* p, size_t take, bool complete, std::string_view& line);
  bool on_line(std::string_view line);  // a line of the chunked framing; false: error set
  bool on_status_line(std::string_view line);
  bool on_header_line(std::string_view line);
  bool on_headers_end();
  bool on_chunk_size(std::string_view line);
  void take_body(const char* data, size_t n);

  State state_ = State::StatusLine;
  bool head_request_ = false;
  bool keep_body_ = false;
  bool keep_headers_ = true;
  bool started_ = false;
  int status_ = 0;
  bool http10_ = false;
  bool keep_alive_ = true;
  bool chunked_ = false;
  bool has_length_ = false;
  uint64_t remaining_ = 0;
  uint64_t body_bytes_ = 0;
  size_t head_bytes_ = 0;
  std::string partial_;  // a line split across reads
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string body_;
  std::string error_;
};

}  // namespace tollgate::load
