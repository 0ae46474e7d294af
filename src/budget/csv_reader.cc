#include "budget/csv_reader.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace tollgate::budget {
namespace {

class FileSource : public ByteSource {
 public:
  FileSource(int fd, std::string path) : fd_(fd), path_(std::move(path)) {
    posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  }
  ~FileSource() override { close(fd_); }
  size_t read(char* into, size_t n) override {
    while (true) {
      ssize_t got = ::read(fd_, into, n);
      if (got >= 0) return static_cast<size_t>(got);
      if (errno != EINTR)
        throw Error(SourceLocation{path_}, std::string("cannot read: ") + std::strerror(errno));
    }
  }

 private:
  int fd_;
  std::string path_;
};

class GzipSource : public ByteSource {
 public:
  GzipSource(int fd, std::string path) : path_(std::move(path)) {
    file_ = gzdopen(fd, "rb");
    if (!file_) {
      close(fd);
      throw Error(SourceLocation{path_}, "cannot open gzip stream");
    }
    gzbuffer(file_, 256 * 1024);
  }
  ~GzipSource() override { gzclose(file_); }
  size_t read(char* into, size_t n) override {
    int got = gzread(file_, into, static_cast<unsigned>(std::min<size_t>(n, 1u << 30)));
    int code = Z_OK;
    const char* message = gzerror(file_, &code);
    // A truncated stream reads as a short file with Z_BUF_ERROR: never a silently shorter bill.
    if (got < 0 || (code != Z_OK && code != Z_STREAM_END))
      throw Error(SourceLocation{path_}, std::string("corrupt or truncated gzip data: ") + message);
    return static_cast<size_t>(got);
  }

 private:
  gzFile file_ = nullptr;
  std::string path_;
};

// Bit i set when byte i of the 64 at p is ',', '"', CR or LF. Reads all 64 bytes: the buffer
// carries kPadding spare bytes so a block never reads past the allocation; the caller masks
// off bits beyond the data.
uint64_t structural_mask(const char* p) {
#if defined(__SSE2__)
  const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"');
  const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
  uint64_t mask = 0;
  for (int i = 0; i < 4; ++i) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, quote)),
                               _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)));
    mask |= static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(hit))) << (16 * i);
  }
  return mask;
#else
  uint64_t mask = 0;
  for (int i = 0; i < 64; ++i) {
    char c = p[i];
    if (c == ',' || c == '"' || c == '\n' || c == '\r') mask |= uint64_t{1} << i;
  }
  return mask;
#endif
}

// Collapses "" to " in place and returns the new end. The record is complete, so it is never
// scanned again. Sixteen bytes move at a time; a store never reaches past `end`, where the
// record's next field still waits to be read, nor over bytes not yet read.
char* unescape(char* begin, char* end) {
  char* w = begin;
  const char* r = begin;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  while (end - r >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(r));
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)));
    if (!mask) {
      // All sixteen bytes are consumed, so overwriting [w, w + 16), which may reach into
      // [r, r + 16), destroys nothing unread.
      _mm_storeu_si128(reinterpret_cast<__m128i*>(w), v);
      w += 16;
      r += 16;
      continue;
    }
    unsigned n = static_cast<unsigned>(std::countr_zero(mask));
    for (unsigned i = 0; i <= n; ++i)  // up to and including the first quote of the pair
      *w++ = r[i];
    r += n + 2;  // the second one is dropped
  }
#endif
  while (r < end) {
    char c = *r++;
    *w++ = c;
    if (c == '"') ++r;
  }
  return w;
}

}  // namespace

std::unique_ptr<ByteSource> ByteSource::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw Error(SourceLocation{path}, std::string("cannot open: ") + std::strerror(errno));
  unsigned char magic[2] = {0, 0};
  ssize_t got = pread(fd, magic, 2, 0);
  if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
    return std::make_unique<GzipSource>(fd, path);
  return std::make_unique<FileSource>(fd, path);
}

CsvReader::CsvReader(std::unique_ptr<ByteSource> source, std::string name)
    : source_(std::move(source)),
      name_(std::move(name)),
      buffer_(new char[kChunk + kPadding]()),
      capacity_(kChunk) {}

CsvReader::CsvReader(const std::string& path) : CsvReader(ByteSource::open(path), path) {}

bool CsvReader::refill() {
  if (pos_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  if (end_ == capacity_) {
    if (capacity_ >= kMaxRecord)
      throw Error(SourceLocation{name_, static_cast<int>(next_line_), 0},
                  "a record longer than 64 MiB: is this a CSV file, and are its quotes balanced?");
    std::unique_ptr<char[]> bigger(new char[capacity_ * 2 + kPadding]());
    std::memcpy(bigger.get(), buffer_.get(), end_);
    buffer_ = std::move(bigger);
    capacity_ *= 2;
  }
  size_t got = source_->read(buffer_.get() + end_, capacity_ - end_);
  bytes_read_ += got;
  if (got == 0) eof_ = true;
  end_ += got;
  if (first_chunk_ && end_ >= 3 && std::memcmp(buffer_.get(), "\xEF\xBB\xBF", 3) == 0) pos_ = 3;
  if (end_ >= 3 || eof_) first_chunk_ = false;
  return got > 0;
}

void CsvReader::fail(const char* at, const std::string& what) const {
  const char* record = buffer_.get() + pos_;
  long line = next_line_ + std::count(record, at, '\n');
  const char* line_start = at;
  while (line_start > record && line_start[-1] != '\n')
    --line_start;
  throw Error(SourceLocation{name_, static_cast<int>(line), static_cast<int>(at - line_start) + 1},
              what);
}

void CsvReader::finish_record(size_t record_end, long inner_newlines, size_t count,
                              std::vector<std::string_view>& fields) {
  char* base = buffer_.get();
  record_line_ = next_line_;
  next_line_ += 1 + inner_newlines;
  pos_ = record_end;
  fields.resize(count);
  for (size_t i = 0; i < count; ++i) {
    const Span& s = spans_[i];
    size_t stop = s.end;
    if (s.escaped && (i >= wanted_.size() || wanted_[i]))
      stop = unescape(base + s.begin, base + s.end) - base;
    fields[i] = std::string_view(base + s.begin, stop - s.begin);
  }
}

// The exact scanner: visits every structural character 64 bytes at a time and knows, for any
// malformed input, which character is wrong. The fast path below hands it every record it does
// not fully trust.
CsvReader::Scan CsvReader::scan_record_exact(std::vector<std::string_view>& fields) {
  char* base = buffer_.get();
  size_t count = 0;
  auto push = [&](size_t begin, size_t stop, bool escaped) {
    if (count == spans_.size()) spans_.resize(spans_.size() * 2 + 32);
    spans_[count++] = {begin, stop, escaped};
  };
  size_t field_begin = pos_, quote_close = 0, record_end = 0;
  bool quoted = false, in_quotes = false, escaped = false, skip_first = false, done = false;
  long inner_newlines = 0;
  for (size_t block = pos_; block < end_ && !done; block += 64) {
    uint64_t m = structural_mask(base + block);
    if (end_ - block < 64) m &= (uint64_t{1} << (end_ - block)) - 1;
    if (skip_first) m &= ~uint64_t{1};
    skip_first = false;
    while (m) {
      size_t k = block + static_cast<size_t>(std::countr_zero(m));
      m &= m - 1;
      char c = base[k];
      if (in_quotes) {
        if (c == '\n') ++inner_newlines;
        if (c != '"') continue;
        if (k + 1 == end_ && !eof_) return Scan::NeedMore;  // "" may straddle the chunk
        if (k + 1 < end_ && base[k + 1] == '"') {
          escaped = true;
          if (k + 1 - block < 64)
            m &= ~(uint64_t{1} << (k + 1 - block));
          else
            skip_first = true;
          continue;
        }
        in_quotes = false;
        quote_close = k;
        continue;
      }
      if (c == '"') {
        if (k == field_begin && !quoted) {
          quoted = in_quotes = true;
          continue;
        }
        if (quoted)
          fail(base + quote_close + 1, "expected ',' or the end of the line after a closing quote");
        fail(base + k,
             "'\"' inside an unquoted field (quote the whole field and write it as \"\")");
      }
      if (c == '\r') {
        if (k + 1 == end_ && !eof_) return Scan::NeedMore;
        if (k + 1 == end_ || base[k + 1] != '\n')
          fail(base + k, "carriage return not followed by a line feed");
        continue;  // the LF right after it ends the record
      }
      size_t stop = k;  // c is ',' or LF: the field ends here
      if (c == '\n' && stop > field_begin && base[stop - 1] == '\r') --stop;
      if (quoted) {
        if (quote_close + 1 != stop)
          fail(base + quote_close + 1, "expected ',' or the end of the line after a closing quote");
        push(field_begin + 1, quote_close, escaped);
      } else {
        push(field_begin, stop, false);
      }
      quoted = escaped = false;
      field_begin = k + 1;
      if (c == '\n') {
        record_end = k + 1;
        done = true;
        break;
      }
    }
  }
  if (!done) {
    if (!eof_) return Scan::NeedMore;
    // The last record of a file without a final line break.
    if (in_quotes) fail(base + field_begin, "quoted field is never closed (a '\"' is missing)");
    if (quoted) {
      if (quote_close + 1 != end_)
        fail(base + quote_close + 1, "expected ',' or the end of the line after a closing quote");
      push(field_begin + 1, quote_close, escaped);
    } else {
      push(field_begin, end_, false);
    }
    record_end = end_;
  }
  finish_record(record_end, inner_newlines, count, fields);
  return Scan::Record;
}

namespace {

struct BlockMasks {
  uint64_t quote = 0, comma = 0, lf = 0, cr = 0;
};

BlockMasks block_masks(const char* p) {
  BlockMasks m;
#if defined(__SSE2__)
  const __m128i comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"');
  const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
  for (int i = 0; i < 4; ++i) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    auto bits = [&](__m128i c) {
      return static_cast<uint64_t>(static_cast<uint16_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, c))))
             << (16 * i);
    };
    m.quote |= bits(quote);
    m.comma |= bits(comma);
    m.lf |= bits(lf);
    m.cr |= bits(cr);
  }
#else
  for (int i = 0; i < 64; ++i) {
    uint64_t bit = uint64_t{1} << i;
    m.quote |= p[i] == '"' ? bit : 0;
    m.comma |= p[i] == ',' ? bit : 0;
    m.lf |= p[i] == '\n' ? bit : 0;
    m.cr |= p[i] == '\r' ? bit : 0;
  }
#endif
  return m;
}

// Bit i = parity of the quotes at or below i: 1 inside a quoted field (from its opening quote
// up to, not including, its closing one). A doubled quote flips it twice, so it stays inside.
uint64_t prefix_xor(uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

}  // namespace

// The fast path (the technique of simdjson and simdcsv): quote parity masks out delimiters in
// quoted fields, so the loop visits only real field ends, about 25 per bill row instead of every
// quote of a JSON Tags column. Anything unusual (a bare CR, a stray quote, a final line without
// a line break) goes to the exact scanner, which reports it precisely.
CsvReader::Scan CsvReader::scan_record(std::vector<std::string_view>& fields) {
  const char* base = buffer_.get();
  size_t count = 0, field_begin = pos_;
  unsigned pending_quotes = 0;  // quotes of the open field in earlier blocks, counted up to 3
  bool pending_unpaired = false;
  uint64_t inside = 0;  // all ones when the previous block ended inside quotes
  long inner_newlines = 0;
  for (size_t block = pos_; block < end_; block += 64) {
    BlockMasks m = block_masks(base + block);
    uint64_t valid = end_ - block >= 64 ? ~uint64_t{0} : (uint64_t{1} << (end_ - block)) - 1;
    uint64_t quote = m.quote & valid;
    uint64_t in = prefix_xor(quote) ^ inside;
    inside = static_cast<uint64_t>(static_cast<int64_t>(in) >> 63);
    uint64_t lf = m.lf & valid;
    uint64_t delims = (m.comma | lf) & ~in & valid;
    uint64_t cr = m.cr & ~in & valid;
    // A CR outside quotes must sit right before an LF of this block.
    if (cr & ~(lf >> 1)) return scan_record_exact(fields);
    // A quote that closes a quoted run must be followed by another (an escaped "") unless it
    // ends its field; these are the candidates, checked against field ends below.
    uint64_t unpaired = quote & ~in & ~(quote >> 1);
    if ((unpaired >> 63) && block + 64 < end_ && base[block + 64] == '"')
      unpaired &= ~(uint64_t{1} << 63);
    uint64_t done_bits = 0;  // bits of this block up to the last delimiter handled
    while (delims) {
      unsigned bit = static_cast<unsigned>(std::countr_zero(delims));
      delims &= delims - 1;
      size_t k = block + bit;
      uint64_t below = bit == 0 ? 0 : (~uint64_t{0} >> (64 - bit));
      uint64_t field_quotes = quote & below & ~done_bits;
      unsigned quotes = pending_quotes;
      for (uint64_t q = field_quotes; q && quotes < 3; q &= q - 1)
        ++quotes;
      size_t stop = k;
      bool is_lf = base[k] == '\n';
      if (is_lf && stop > field_begin && base[stop - 1] == '\r') --stop;
      if (count == spans_.size()) spans_.resize(spans_.size() * 2 + 32);
      if (quotes == 0) {
        spans_[count++] = {field_begin, stop, false};
      } else {
        // Well formed: opens at the field start, closes right before the delimiter, and every
        // quote in between is doubled.
        uint64_t last = stop - 1 >= block ? uint64_t{1} << (stop - 1 - block) : 0;
        bool paired = !pending_unpaired && !(unpaired & below & ~done_bits & ~last);
        if (base[field_begin] != '"' || stop - field_begin < 2 || base[stop - 1] != '"' || !paired)
          return scan_record_exact(fields);
        spans_[count++] = {field_begin + 1, stop - 1, quotes > 2};
      }
      pending_quotes = 0;
      pending_unpaired = false;
      field_begin = k + 1;
      done_bits = bit == 63 ? ~uint64_t{0} : (~uint64_t{0} >> (63 - bit));
      if (is_lf) {
        for (uint64_t n = lf & in & below; n; n &= n - 1)
          ++inner_newlines;
        finish_record(k + 1, inner_newlines, count, fields);
        return Scan::Record;
      }
    }
    for (uint64_t q = quote & ~done_bits; q && pending_quotes < 3; q &= q - 1)
      ++pending_quotes;
    pending_unpaired = pending_unpaired || (unpaired & ~done_bits);
    for (uint64_t n = lf & in; n; n &= n - 1)
      ++inner_newlines;
  }
  if (!eof_) return Scan::NeedMore;
  return scan_record_exact(fields);
}

bool CsvReader::next(std::vector<std::string_view>& fields) {
  while (true) {
    if (pos_ == end_) {
      if (eof_) return false;
      refill();
      continue;
    }
    if (scan_record(fields) == Scan::NeedMore) {
      refill();
      continue;
    }
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    return true;
  }
}

}  // namespace tollgate::budget
