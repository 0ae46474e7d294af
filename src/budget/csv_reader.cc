#include "budget/csv_reader.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cerrno>
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

bool is_special(char c) {
  return c == ',' || c == '\n' || c == '\r' || c == '"';
}

// Finds the first ',', '"', CR or LF eight bytes at a time: a byte-equality test in a word has
// false positives only above a true match, so the lowest flagged byte is exact.
const char* find_special(const char* p, const char* end) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
  auto zero_bytes = [](uint64_t x) { return (x - kOnes) & ~x & kHighs; };
  while (end - p >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    uint64_t m = zero_bytes(v ^ (kOnes * ',')) | zero_bytes(v ^ (kOnes * '"')) |
                 zero_bytes(v ^ (kOnes * '\n')) | zero_bytes(v ^ (kOnes * '\r'));
    if (m) {
      if constexpr (std::endian::native == std::endian::little)
        return p + (std::countr_zero(m) >> 3);
      else
        break;  // finish bytewise; correctness over speed on big-endian machines
    }
    p += 8;
  }
  while (p < end && !is_special(*p))
    ++p;
  return p;
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
      buffer_(new char[kChunk]),
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
    std::unique_ptr<char[]> bigger(new char[capacity_ * 2]);
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

CsvReader::Scan CsvReader::scan_record(std::vector<std::string_view>& fields) {
  spans_.clear();
  char* base = buffer_.get();
  const char* p = base + pos_;
  const char* end = base + end_;
  long inner_newlines = 0;
  while (true) {
    if (p < end && *p == '"') {
      const char* q = p + 1;
      bool escaped = false;
      while (true) {
        auto* close = static_cast<const char*>(std::memchr(q, '"', static_cast<size_t>(end - q)));
        if (!close) {
          if (!eof_) return Scan::NeedMore;
          fail(p, "quoted field is never closed (a '\"' is missing)");
        }
        if (close + 1 == end && !eof_) return Scan::NeedMore;  // "" may straddle the chunk
        if (close + 1 < end && close[1] == '"') {
          escaped = true;
          q = close + 2;
          continue;
        }
        inner_newlines += std::count(p + 1, close, '\n');
        spans_.push_back(
            {static_cast<size_t>(p + 1 - base), static_cast<size_t>(close - base), escaped});
        p = close + 1;
        break;
      }
    } else {
      const char* q = find_special(p, end);
      if (q < end && *q == '"')
        fail(q, "'\"' inside an unquoted field (quote the whole field and write it as \"\")");
      spans_.push_back({static_cast<size_t>(p - base), static_cast<size_t>(q - base), false});
      p = q;
    }
    if (p == end) {
      if (!eof_) return Scan::NeedMore;
      break;
    }
    if (*p == ',') {
      ++p;
      continue;
    }
    if (*p == '\n') {
      ++p;
      break;
    }
    if (*p == '\r') {
      if (p + 1 == end && !eof_) return Scan::NeedMore;
      if (p + 1 < end && p[1] == '\n') {
        p += 2;
        break;
      }
      fail(p, "carriage return not followed by a line feed");
    }
    fail(p, "expected ',' or the end of the line after a closing quote");
  }
  record_line_ = next_line_;
  next_line_ += 1 + inner_newlines;
  pos_ = static_cast<size_t>(p - base);

  fields.clear();
  for (const Span& s : spans_) {
    size_t stop = s.end;
    if (s.escaped) {
      // Collapse "" to " in place: the record is complete, so it is never scanned again.
      size_t w = s.begin;
      for (size_t r = s.begin; r < s.end; ++r) {
        base[w++] = base[r];
        if (base[r] == '"') ++r;
      }
      stop = w;
    }
    fields.emplace_back(base + s.begin, stop - s.begin);
  }
  return Scan::Record;
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
