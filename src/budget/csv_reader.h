#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "budget/csv_index.h"
#include "util/error.h"

namespace tollgate::budget {

// Where bytes come from: a plain file or a gzip stream (detected by its magic bytes, not the
// name), read in chunks so memory stays constant whatever the file size.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Fills up to n bytes; 0 at the end. Throws Error on a read error or a corrupt stream.
  virtual size_t read(char* into, size_t n) = 0;
  static std::unique_ptr<ByteSource> open(const std::string& path);
};

// An RFC 4180 reader: fields separated by ',', records by LF or CRLF, fields in double quotes
// may hold ',', '"' (written "") and line breaks. Streams through a fixed buffer (it grows only
// for a single record longer than the buffer, up to kMaxRecord). Blank lines and a leading
// UTF-8 byte-order mark are skipped. Malformed quoting throws Error at file:line:col.
class CsvReader {
 public:
  static constexpr size_t kChunk = 1 << 20;
  static constexpr size_t kMaxRecord = 64 << 20;
  static constexpr size_t kPadding = 64;  // spare bytes so the 64-byte scanner never overreads

  // chunk: the buffer's first size; smaller ones (the tests, the fuzz target) reach the refills
  // and the growth that large files reach only with records of megabytes.
  CsvReader(std::unique_ptr<ByteSource> source, std::string name, size_t chunk = kChunk);
  explicit CsvReader(const std::string& path);

  // Moves to the next record; false at the end of the input. Its fields are then read one by
  // one with field(i), so a caller pays only for the columns it looks at.
  bool next_record();
  size_t field_count() const { return count_; }
  // Field i (< field_count()) of the current record: a view valid until the next record.
  std::string_view field(size_t i) { return exact_ ? fields_[i] : fast_field(i); }
  // Reads the next record into fields (every field); false at the end of the input.
  bool next(std::vector<std::string_view>& fields);

  // Which columns the caller reads (true = read); the others may come back with "" still
  // doubled, which saves the unescaping of long quoted columns nobody looks at. Default: all.
  void set_wanted(const std::vector<bool>& wanted) { wanted_.assign(wanted.begin(), wanted.end()); }
  // Whether field i of the current record came back raw with its quotes still doubled (a
  // quoted column not wanted).
  bool still_doubled(size_t i) const;

  // The line where the last record read starts, and the file name, for messages.
  long line() const { return record_line_; }
  const std::string& name() const { return name_; }
  SourceLocation where(int column = 0) const {
    return {name_, static_cast<int>(record_line_), column};
  }
  // Bytes consumed so far (after decompression).
  unsigned long long bytes_read() const { return bytes_read_; }
  // Where the next record starts, counted from the start of the input.
  unsigned long long offset() const { return bytes_read_ - (end_ - pos_); }
  // For a reader that starts mid-file: three bytes EF BB BF there are data, not a mark.
  void keep_byte_order_mark() { first_chunk_ = false; }
  // Reads every record with the exact scanner, never the index: the reference the fast path is
  // compared with (fuzz/csv_reader_fuzz.cc, the tests). Call before the first record.
  void use_exact_scanner_only() { exact_only_ = true; }

 private:
  enum class Scan { Record, NeedMore };
  void reindex();
  Scan scan_record();
  Scan scan_record_exact(std::vector<std::string_view>& fields);
  // A field of a record cut by the index; inline, as it runs for every column read.
  std::string_view fast_field(size_t i) {
    const char* base = buffer_.get();
    const uint32_t* seps = index_.seps.data() + first_sep_;
    size_t begin = i == 0 ? record_begin_ : seps[i - 1] + 1, stop = seps[i];
    if (stop > begin && base[begin] == '"') return quoted_field(i, begin, stop);
    if (i + 1 == count_ && stop > begin && base[stop - 1] == '\r') --stop;
    return {base + begin, stop - begin};
  }
  std::string_view quoted_field(size_t i, size_t begin, size_t stop);
  bool wanted(size_t i) const { return i >= wanted_.size() || wanted_[i]; }
  void finish_record(size_t record_end, long inner_newlines, size_t count,
                     std::vector<std::string_view>& fields);
  bool refill();
  [[noreturn]] void fail(const char* at, const std::string& what) const;

  std::unique_ptr<ByteSource> source_;
  std::string name_;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;
  size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  bool first_chunk_ = true;
  long record_line_ = 0;
  long next_line_ = 1;
  unsigned long long bytes_read_ = 0;
  struct Span {
    size_t begin, end;
    bool escaped;
  };
  std::vector<Span> spans_;
  std::vector<char> wanted_;
  // The current record: cut by the index (its fields are read from the delimiter offsets on
  // demand), or read by the exact scanner into fields_.
  bool exact_ = false;
  bool exact_only_ = false;
  size_t count_ = 0;
  size_t record_begin_ = 0, first_sep_ = 0;
  std::vector<std::string_view> fields_;
  std::vector<char> doubled_;           // of an exact record: still_doubled
  std::vector<std::string> unescaped_;  // of a fast record: wanted fields that held ""

  CsvIndex index_;  // the fast path's structural index of the buffer from pos_ on
};

}  // namespace tollgate::budget
