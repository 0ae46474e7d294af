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

#include "util/files.h"

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
  int fd = files::open_regular(path);
  unsigned char magic[2] = {0, 0};
  ssize_t got = pread(fd, magic, 2, 0);
  if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
    return std::make_unique<GzipSource>(fd, path);
  return std::make_unique<FileSource>(fd, path);
}

CsvReader::CsvReader(std::unique_ptr<ByteSource> source, std::string name, size_t chunk)
    : source_(std::move(source)),
      name_(std::move(name)),
      buffer_(new char[chunk + kPadding]()),
      capacity_(chunk) {}

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
  reindex();
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
  doubled_.assign(count, 0);
  for (size_t i = 0; i < count; ++i) {
    const Span& s = spans_[i];
    size_t stop = s.end;
    bool wanted = i >= wanted_.size() || wanted_[i];
    if (s.escaped && wanted) stop = unescape(base + s.begin, base + s.end) - base;
    doubled_[i] = s.escaped && !wanted;
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

// Indexes the buffer again from pos_, a record start: after a refill moved it, or after the
// exact scanner read a record.
void CsvReader::reindex() {
  index_.reset(pos_);
  index_.extend(buffer_.get(), end_, eof_);
}

// Cuts the next record out of the index. Records the index cannot vouch for (one holding an
// anomaly, or the last one of an input without a final line break) go to the exact scanner.
CsvReader::Scan CsvReader::scan_record() {
  CsvIndex& x = index_;
  const uint32_t* seps = x.seps.data();
  if (exact_only_ || x.next_record_end == x.record_ends.size()) {
    if (!exact_only_ && x.anomaly == SIZE_MAX && !eof_) return Scan::NeedMore;
    Scan scan = scan_record_exact(fields_);
    if (scan == Scan::Record) {
      exact_ = true;
      count_ = fields_.size();
    }
    reindex();
    return scan;
  }
  // The record ends at the next LF outside quotes. Rows of a bill have the same width, so
  // the last record's width finds that LF among the delimiters at once, nearly always.
  uint32_t lf = x.record_ends[x.next_record_end++];
  size_t last = x.next_sep + (count_ > 0 ? count_ - 1 : 0);
  if (last >= x.seps_size || seps[last] != lf) {
    last = x.next_sep;
    while (seps[last] != lf)
      ++last;
  }
  exact_ = false;
  record_begin_ = pos_;
  first_sep_ = x.next_sep;
  count_ = last - x.next_sep + 1;
  if (unescaped_.size() < count_) unescaped_.resize(count_);
  x.next_sep = last + 1;
  size_t record_end = seps[last] + 1;
  long inner_newlines = 0;
  while (x.next_quoted_lf < x.quoted_lfs.size() && x.quoted_lfs[x.next_quoted_lf] < record_end) {
    ++inner_newlines;
    ++x.next_quoted_lf;
  }
  record_line_ = next_line_;
  next_line_ += 1 + inner_newlines;
  pos_ = record_end;
  return Scan::Record;
}

std::string_view CsvReader::quoted_field(size_t i, size_t begin, size_t stop) {
  const char* base = buffer_.get();
  if (i + 1 == count_ && base[stop - 1] == '\r') --stop;
  // The index's checks guarantee the field closes with the quote right before `stop`.
  std::string_view inner(base + begin + 1, stop - begin - 2);
  if (!wanted(i) || inner.find('"') == std::string_view::npos) return inner;
  // Unescaped into a copy: the buffer stays as the index saw it, and asking twice is safe.
  // (scan_record sized unescaped_, so views of earlier fields stay valid.)
  std::string& out = unescaped_[i];
  out.clear();
  for (size_t k = 0; k < inner.size(); ++k) {
    out += inner[k];
    if (inner[k] == '"') ++k;
  }
  return out;
}

bool CsvReader::still_doubled(size_t i) const {
  if (exact_) return i < doubled_.size() && doubled_[i];
  if (wanted(i)) return false;
  const char* base = buffer_.get();
  size_t begin = i == 0 ? record_begin_ : index_.seps[first_sep_ + i - 1] + 1;
  return index_.seps[first_sep_ + i] > begin && base[begin] == '"';
}

bool CsvReader::next_record() {
  while (true) {
    if (pos_ == end_) {
      if (eof_) return false;
      refill();
      continue;
    }
    if (scan_record() == Scan::NeedMore) {
      refill();
      continue;
    }
    if (count_ == 1 && field(0).empty()) continue;  // a blank line
    return true;
  }
}

bool CsvReader::next(std::vector<std::string_view>& fields) {
  if (!next_record()) return false;
  fields.resize(count_);
  for (size_t i = 0; i < count_; ++i)
    fields[i] = field(i);
  return true;
}

}  // namespace tollgate::budget
