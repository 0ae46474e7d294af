#include "load/http_response.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "util/strings.h"

namespace tollgate::load {
namespace {

constexpr size_t kMaxHeadBytes = 64 * 1024;
constexpr size_t kMaxKeptBody = 16 * 1024 * 1024;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a == b) return true;  // servers mostly send the canonical case the callers ask for
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Strips the optional whitespace (space and tab, RFC 9110 5.6.3) around a field value.
// RFC 9110 5.1: a field name is a token (tchar: letters, digits and !#$%&'*+-.^_`|~).
bool is_token(std::string_view name) {
  static constexpr std::string_view kPunct = "!#$%&'*+-.^_`|~";
  for (unsigned char c : name)
    if (!std::isalnum(c) && kPunct.find(static_cast<char>(c)) == std::string_view::npos)
      return false;
  return !name.empty();
}

std::string_view trim_ows(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
    v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
    v.remove_suffix(1);
  return v;
}

// Does a comma-separated header value list contain token (case-insensitive)? Walks the value in
// place: this runs for every response's Connection header.
bool has_token(std::string_view value, std::string_view token) {
  while (true) {
    size_t comma = value.find(',');
    if (iequals(trim_ows(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) return false;
    value.remove_prefix(comma + 1);
  }
}

// The header fields the parser itself acts on; the others are only kept for checks.
enum class Field { Other, ContentLength, TransferEncoding, Connection };

Field field_of(std::string_view name) {
  // Most fields of a response (Server, Date, ETag...) are told apart by their length alone.
  switch (name.size()) {
    case 10:
      return iequals(name, "Connection") ? Field::Connection : Field::Other;
    case 14:
      return iequals(name, "Content-Length") ? Field::ContentLength : Field::Other;
    case 17:
      return iequals(name, "Transfer-Encoding") ? Field::TransferEncoding : Field::Other;
    default:
      return Field::Other;
  }
}

}  // namespace

void ResponseParser::reset(bool head_request, bool keep_body, bool keep_headers) {
  state_ = State::StatusLine;
  head_request_ = head_request;
  keep_body_ = keep_body;
  keep_headers_ = keep_headers;
  started_ = false;
  status_ = 0;
  http10_ = false;
  keep_alive_ = true;
  chunked_ = false;
  has_length_ = false;
  remaining_ = 0;
  body_bytes_ = 0;
  head_bytes_ = 0;
  partial_.clear();
  headers_.clear();
  body_.clear();
  error_.clear();
}

ResponseParser::Result ResponseParser::fail(std::string why) {
  state_ = State::Failed;
  error_ = std::move(why);
  keep_alive_ = false;
  return Result::Error;
}

std::string_view ResponseParser::header(std::string_view name) const {
  for (const auto& [k, v] : headers_)
    if (iequals(k, name)) return v;
  return {};
}

void ResponseParser::take_body(const char* data, size_t n) {
  body_bytes_ += n;
  if (keep_body_ && body_.size() < kMaxKeptBody)
    body_.append(data, std::min(n, kMaxKeptBody - body_.size()));
}

bool ResponseParser::take_line(const char* p, size_t take, bool complete, std::string_view& line) {
  if (!complete) {
    // A line split across reads: kept until its end arrives (and checked to stay bounded).
    if (partial_.size() + take > kMaxHeadBytes) {
      fail("line longer than 64 KiB");
      return false;
    }
    partial_.append(p, take);
    return false;
  }
  line = std::string_view(p, take - 1);
  if (!partial_.empty()) {
    partial_.append(line);
    line = partial_;
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return true;
}

ResponseParser::Result ResponseParser::feed(const char* data, size_t len, size_t& consumed) {
  consumed = 0;
  if (len > 0) started_ = true;
  while (consumed < len) {
    const char* p = data + consumed;
    size_t avail = len - consumed;
    switch (state_) {
      case State::StatusLine:
      case State::Headers:
        // The head's lines one after the other, without going round the outer loop: the
        // common case is a whole head in one read, and this runs for every response.
        while (state_ == State::StatusLine || state_ == State::Headers) {
          const void* nl = std::memchr(p, '\n', avail);
          size_t take = nl ? static_cast<size_t>(static_cast<const char*>(nl) - p) + 1 : avail;
          head_bytes_ += take;
          if (head_bytes_ > kMaxHeadBytes) return fail("response head larger than 64 KiB");
          std::string_view line(p, take - 1);
          if (!nl || !partial_.empty()) {
            if (!take_line(p, take, nl != nullptr, line)) {
              if (state_ == State::Failed) return Result::Error;
              consumed += take;
              break;
            }
          } else if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
          }
          bool ok = state_ == State::StatusLine ? on_status_line(line)
                    : line.empty()              ? on_headers_end()
                                                : on_header_line(line);
          if (!partial_.empty()) partial_.clear();
          consumed += take;
          p += take;
          avail -= take;
          if (!ok) return Result::Error;
        }
        if (state_ == State::Done) return Result::Done;
        break;
      case State::ChunkSize:
      case State::ChunkDataEnd:
      case State::Trailers: {
        const void* nl = std::memchr(p, '\n', avail);
        size_t take = nl ? static_cast<size_t>(static_cast<const char*>(nl) - p) + 1 : avail;
        consumed += take;
        std::string_view line;
        if (!take_line(p, take, nl != nullptr, line)) {
          if (state_ == State::Failed) return Result::Error;
          break;
        }
        bool ok = on_line(line);
        partial_.clear();
        if (!ok) return Result::Error;
        if (state_ == State::Done) return Result::Done;
        break;
      }
      case State::Body:
      case State::ChunkData: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, avail));
        take_body(p, n);
        consumed += n;
        remaining_ -= n;
        if (remaining_ == 0) {
          if (state_ == State::Body) {
            state_ = State::Done;
            return Result::Done;
          }
          state_ = State::ChunkDataEnd;
        }
        break;
      }
      case State::UntilClose:
        take_body(p, avail);
        consumed += avail;
        break;
      case State::Done:
        return Result::Done;
      case State::Failed:
        return Result::Error;
    }
  }
  if (state_ == State::Done) return Result::Done;
  return Result::NeedMore;
}

ResponseParser::Result ResponseParser::finish_on_eof() {
  if (state_ == State::UntilClose) {
    state_ = State::Done;
    keep_alive_ = false;
    return Result::Done;
  }
  if (state_ == State::Done) return Result::Done;
  return fail(started_ ? "connection closed in the middle of a response"
                       : "connection closed before a response");
}

bool ResponseParser::on_line(std::string_view line) {
  switch (state_) {
    case State::ChunkSize:
      return on_chunk_size(line);
    case State::ChunkDataEnd:
      if (!line.empty()) {
        fail("chunk data longer than its declared size");
        return false;
      }
      state_ = State::ChunkSize;
      return true;
    case State::Trailers:
      if (line.empty()) state_ = State::Done;
      return true;  // trailer fields carry nothing a load test judges
    default:
      return true;
  }
}

bool ResponseParser::on_status_line(std::string_view line) {
  // HTTP/1.1 200 OK
  // HTTP-version SP 3DIGIT ( SP reason-phrase )? (RFC 9112, 4): a fourth digit or a missing space
  // is not a status this client understands.
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || (line[7] != '0' && line[7] != '1') ||
      line[8] != ' ' || (line.size() > 12 && line[12] != ' ')) {
    fail("malformed status line '" + std::string(line.substr(0, 80)) + "'");
    return false;
  }
  http10_ = line[7] == '0';
  keep_alive_ = !http10_;
  int code = 0;
  auto [ptr, ec] = std::from_chars(line.data() + 9, line.data() + 12, code);
  if (ec != std::errc() || ptr != line.data() + 12 || code < 100 || code > 999) {
    fail("malformed status code in '" + std::string(line.substr(0, 80)) + "'");
    return false;
  }
  status_ = code;
  state_ = State::Headers;
  return true;
}

bool ResponseParser::on_header_line(std::string_view line) {
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    fail("malformed header line '" + std::string(line.substr(0, 80)) + "'");
    return false;
  }
  std::string_view name = line.substr(0, colon);
  if (!is_token(name)) {
    fail("malformed header name '" + str::printable(name) + "'");
    return false;
  }
  Field field = field_of(name);
  if (field == Field::Other && !keep_headers_) return true;  // most lines of a plain load test
  std::string_view value = trim_ows(line.substr(colon + 1));
  switch (field) {
    case Field::ContentLength: {
      uint64_t n = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (value.empty() || ec != std::errc() || ptr != value.data() + value.size()) {
        fail("malformed Content-Length '" + std::string(value) + "'");
        return false;
      }
      if (has_length_ && n != remaining_) {
        fail("conflicting Content-Length headers");
        return false;
      }
      has_length_ = true;
      remaining_ = n;
      break;
    }
    case Field::TransferEncoding:
      if (has_token(value, "chunked")) chunked_ = true;
      break;
    case Field::Connection:
      if (has_token(value, "close")) keep_alive_ = false;
      if (has_token(value, "keep-alive")) keep_alive_ = true;
      break;
    case Field::Other:
      break;
  }
  if (keep_headers_) headers_.emplace_back(name, value);
  return true;
}

bool ResponseParser::on_headers_end() {
  if (status_ < 200) {
    // An interim response (100 Continue, 103 Early Hints): the real one follows.
    headers_.clear();
    has_length_ = chunked_ = false;
    remaining_ = 0;
    state_ = State::StatusLine;
    return true;
  }
  if (head_request_ || status_ == 204 || status_ == 304) {
    state_ = State::Done;
  } else if (chunked_) {
    // Transfer-Encoding wins over Content-Length (RFC 9112 6.3).
    state_ = State::ChunkSize;
  } else if (has_length_) {
    state_ = remaining_ == 0 ? State::Done : State::Body;
  } else {
    state_ = State::UntilClose;
    keep_alive_ = false;
  }
  return true;
}

bool ResponseParser::on_chunk_size(std::string_view line) {
  // chunk extensions are ignored
  std::string_view digits = trim_ows(line.substr(0, line.find(';')));
  uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n, 16);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) {
    fail("malformed chunk size '" + std::string(line.substr(0, 40)) + "'");
    return false;
  }
  if (n == 0) {
    state_ = State::Trailers;
  } else {
    remaining_ = n;
    state_ = State::ChunkData;
  }
  return true;
}

}  // namespace tollgate::load
