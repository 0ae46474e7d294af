#include "budget/focus_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <thread>

#include "budget/csv_reader.h"
#include "budget/tags.h"
#include "util/files.h"
#include "util/strings.h"
#include "util/timefmt.h"

namespace tollgate::budget {
namespace {

bool iso4217_like(std::string_view code) {
  return code.size() == 3 &&
         std::all_of(code.begin(), code.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
}

// Days since 1970-01-01 of a proleptic Gregorian date (the civil-from-days inverse of
// H. Hinnant's published algorithm, written out here).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool digits_at(std::string_view s, size_t at, size_t n, unsigned& out) {
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

// The last value of a date column and what it parsed to: bills list thousands of rows with the
// same few timestamps, so most rows skip parsing.
struct TimeColumn {
  int index = -1;
  std::string_view name;
  std::string last;
  Seconds value = 0;
};

struct Columns {
  int billed = -1, effective = -1, currency = -1, category = -1, charge_class = -1, frequency = -1;
  int provider = -1, billing_account = -1, sub_account = -1, service = -1, region = -1, tags = -1;
  TimeColumn bps, bpe, cps, cpe;
  size_t width = 0;
};

Columns map_header(const std::vector<std::string_view>& header, const CsvReader& reader,
                   const std::set<Dimension>& needed) {
  std::map<std::string, int, std::less<>> index;
  std::vector<std::string> names;
  for (size_t i = 0; i < header.size(); ++i) {
    std::string name(str::trim(header[i]));
    if (!index.emplace(name, static_cast<int>(i)).second)
      throw Error(reader.where(), "column '" + name + "' appears twice in the header");
    names.push_back(name);
  }
  auto find = [&](std::initializer_list<std::string_view> candidates, bool required) {
    for (auto c : candidates) {
      auto it = index.find(c);
      if (it != index.end()) return it->second;
    }
    if (!required) return -1;
    std::string want(*candidates.begin());
    std::string hint = str::closest(want, names);
    throw Error(reader.where(), "missing FOCUS column '" + want + "'" +
                                    (hint.empty() ? ""
                                                  : " (the header has '" + hint +
                                                        "'; FOCUS names are case-sensitive)") +
                                    "; is this a FOCUS 1.0-1.2 export?");
  };
  Columns c;
  c.width = header.size();
  c.billed = find({"BilledCost"}, true);
  c.effective = find({"EffectiveCost"}, true);
  c.currency = find({"BillingCurrency"}, true);
  c.category = find({"ChargeCategory"}, true);
  c.charge_class = find({"ChargeClass"}, false);   // FOCUS 0.5 had none: no corrections then
  c.frequency = find({"ChargeFrequency"}, false);  // Recommended, not Mandatory
  c.bps = {find({"BillingPeriodStart"}, true), "BillingPeriodStart"};
  c.bpe = {find({"BillingPeriodEnd"}, true), "BillingPeriodEnd"};
  c.cps = {find({"ChargePeriodStart"}, true), "ChargePeriodStart"};
  c.cpe = {find({"ChargePeriodEnd"}, true), "ChargePeriodEnd"};
  // ServiceProviderName is the name a later FOCUS version is expected to use for ProviderName.
  c.provider = find({"ProviderName", "ServiceProviderName"}, needed.count(Dimension::Provider) > 0);
  c.billing_account = find({"BillingAccountId"}, needed.count(Dimension::BillingAccount) > 0);
  c.service = find({"ServiceName"}, needed.count(Dimension::Service) > 0);
  c.sub_account = find({"SubAccountId"}, needed.count(Dimension::SubAccount) > 0);
  c.region = find({"RegionId"}, needed.count(Dimension::Region) > 0);
  c.tags = find({"Tags"}, needed.count(Dimension::Tag) > 0);
  return c;
}

Decimal cost(std::string_view text, std::string_view name, const CsvReader& reader) {
  if (text.empty())
    throw Error(reader.where(), std::string(name) + " is null; FOCUS requires a number here");
  auto value = Decimal::parse(text);
  if (!value)
    throw Error(reader.where(), std::string(name) + " '" + std::string(text) +
                                    "' is not a FOCUS number (digits, '.', '-', E-notation)");
  return *value;
}

// text == last for the 20-byte FOCUS date-times, without a call to memcmp: four of them per
// row, nearly always equal to the row before.
bool same_time_text(std::string_view text, const std::string& last) {
  if (text.size() != last.size()) return false;
  if (text.size() != 20) return text == last;
  uint64_t a[2], b[2];
  uint32_t c, d;
  std::memcpy(a, text.data(), 16);
  std::memcpy(b, last.data(), 16);
  std::memcpy(&c, text.data() + 16, 4);
  std::memcpy(&d, last.data() + 16, 4);
  return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (c ^ d)) == 0;
}

Seconds time_value(std::string_view text, TimeColumn& column, const CsvReader& reader) {
  if (!text.empty() && same_time_text(text, column.last)) return column.value;
  if (text.empty())
    throw Error(reader.where(), std::string(column.name) + " is null; FOCUS requires a date-time");
  auto value = parse_focus_time(text);
  if (!value)
    throw Error(reader.where(), std::string(column.name) + " '" + std::string(text) +
                                    "' is not a date-time like 2026-11-01T00:00:00Z");
  column.last.assign(text);
  column.value = *value;
  return *value;
}

// A category the forecast does not know would silently leave the run rate: refuse it.
bool known_category(std::string_view c) {
  return c == "Usage" || c == "Purchase" || c == "Tax" || c == "Credit" || c == "Adjustment";
}

}  // namespace

std::optional<Seconds> parse_focus_time(std::string_view s) {
  unsigned y, mo, d, h, mi, sec;
  if (s.size() == 20 && s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' &&
      s[16] == ':' && s[19] == 'Z' && digits_at(s, 0, 4, y) && digits_at(s, 5, 2, mo) &&
      digits_at(s, 8, 2, d) && digits_at(s, 11, 2, h) && digits_at(s, 14, 2, mi) &&
      digits_at(s, 17, 2, sec)) {
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return std::nullopt;
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
  }
  auto t = timefmt::parse_iso8601(s);
  if (!t) return std::nullopt;
  return std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count();
}

namespace {

// Parses every data row of reader into sink; returns the number of rows.
long read_rows(CsvReader& reader, Columns c, RowSink& sink) {
  std::vector<bool> wanted(c.width, false);
  // Tags stay CSV-quoted: the tag lookup reads doubled quotes itself, so the longest column of
  // a bill is never copied.
  for (int index : {c.billed, c.effective, c.currency, c.category, c.charge_class, c.frequency,
                    c.provider, c.billing_account, c.sub_account, c.service, c.region, c.bps.index,
                    c.bpe.index, c.cps.index, c.cpe.index})
    if (index >= 0) wanted[static_cast<size_t>(index)] = true;
  reader.set_wanted(wanted);
  // Only the columns a budget reads are cut out of each record.
  auto field = [&](int index) {
    return index < 0 ? std::string_view{} : reader.field(static_cast<size_t>(index));
  };
  long rows = 0;
  CostRow row;
  while (reader.next_record()) {
    if (reader.field_count() != c.width)
      throw Error(reader.where(), "row has " + std::to_string(reader.field_count()) +
                                      " fields but the header has " + std::to_string(c.width));
    std::string_view billed = field(c.billed), effective = field(c.effective);
    row.billed = cost(billed, "BilledCost", reader);
    // Most rows (on-demand usage) print the same text in both: the same text, the same value.
    row.effective = effective == billed ? row.billed : cost(effective, "EffectiveCost", reader);
    row.currency = field(c.currency);
    if (row.currency.empty())
      throw Error(reader.where(), "BillingCurrency is null; FOCUS requires a currency code");
    // Spend in a currency no budget names is spend no budget counts: only ISO 4217 codes.
    if (!iso4217_like(row.currency))
      throw Error(reader.where(), "BillingCurrency '" + str::printable(row.currency, 40) +
                                      "' is not an ISO 4217 code (three capital letters)");
    row.category = field(c.category);
    if (row.category.empty())
      throw Error(reader.where(),
                  "ChargeCategory is null; FOCUS requires Usage, Purchase, Tax, "
                  "Credit or Adjustment");
    if (!known_category(row.category))
      throw Error(reader.where(), "ChargeCategory '" + std::string(row.category) +
                                      "' is not one of Usage, Purchase, Tax, Credit, Adjustment "
                                      "(FOCUS values are case-sensitive)");
    row.charge_class = field(c.charge_class);
    if (!row.charge_class.empty() && row.charge_class != "Correction")
      throw Error(reader.where(), "ChargeClass '" + std::string(row.charge_class) +
                                      "' is neither Correction nor null");
    row.frequency = field(c.frequency);
    if (!row.frequency.empty() && row.frequency != "Usage-Based" && row.frequency != "One-Time" &&
        row.frequency != "Recurring")
      throw Error(reader.where(), "ChargeFrequency '" + str::printable(row.frequency, 40) +
                                      "' is not One-Time, Recurring or Usage-Based");
    row.billing_period_start = time_value(field(c.bps.index), c.bps, reader);
    row.billing_period_end = time_value(field(c.bpe.index), c.bpe, reader);
    row.charge_period_start = time_value(field(c.cps.index), c.cps, reader);
    row.charge_period_end = time_value(field(c.cpe.index), c.cpe, reader);
    if (row.billing_period_end <= row.billing_period_start)
      throw Error(reader.where(), "BillingPeriodEnd is not after BillingPeriodStart");
    row.provider = field(c.provider);
    row.billing_account = field(c.billing_account);
    row.sub_account = field(c.sub_account);
    row.service = field(c.service);
    row.region = field(c.region);
    row.tags = field(c.tags);
    row.tags_doubled = c.tags >= 0 && reader.still_doubled(static_cast<size_t>(c.tags));
    try {
      // Checked whether or not a scope reads them (a scope may look at some rows only): a
      // malformed export is refused either way. Each distinct Tags text is parsed once per
      // thread; a scope's own lookup then finds it in parsed_tags' cache.
      if (!row.tags.empty()) parsed_tags(row.tags, row.tags_doubled);
      sink.add(row);
    } catch (const Error& e) {
      if (e.where().known()) throw;
      throw Error(reader.where(), e.what());
    }
    ++rows;
  }
  return rows;
}

// A byte range of a plain file, read with pread so workers share nothing.
class RangeSource : public ByteSource {
 public:
  RangeSource(const std::string& path, uint64_t begin, uint64_t end)
      : at_(begin), end_(end), path_(path) {
    fd_ = files::open_regular(path);
  }
  ~RangeSource() override { ::close(fd_); }
  size_t read(char* into, size_t n) override {
    n = static_cast<size_t>(std::min<uint64_t>(n, end_ - at_));
    if (n == 0) return 0;
    ssize_t got = ::pread(fd_, into, n, static_cast<off_t>(at_));
    if (got < 0)
      throw Error(SourceLocation{path_}, std::string("cannot read: ") + std::strerror(errno));
    at_ += static_cast<uint64_t>(got);
    return static_cast<size_t>(got);
  }

 private:
  int fd_ = -1;
  uint64_t at_, end_;
  std::string path_;
};

// The offset just after the first LF at or after `from` (or `limit` when there is none).
uint64_t next_line_start(const std::string& path, uint64_t from, uint64_t limit) {
  RangeSource source(path, from, limit);
  std::vector<char> chunk(64 * 1024);
  uint64_t at = from;
  while (size_t got = source.read(chunk.data(), chunk.size())) {
    if (auto* lf = static_cast<char*>(std::memchr(chunk.data(), '\n', got)))
      return at + static_cast<uint64_t>(lf - chunk.data()) + 1;
    at += got;
  }
  return limit;
}

}  // namespace

long read_focus(const std::string& path, RowSink& sink, const std::set<Dimension>& needed) {
  CsvReader reader(path);
  std::vector<std::string_view> fields;
  if (!reader.next(fields))
    throw Error(SourceLocation{path}, "empty file: expected a FOCUS header line");
  long rows = read_rows(reader, map_header(fields, reader, needed), sink);
  if (rows == 0) throw Error(SourceLocation{path}, "no cost rows after the header");
  return rows;
}

long read_focus_parallel(const std::string& path, SplittableSink& sink,
                         const std::set<Dimension>& needed, const ParallelOptions& options) {
  unsigned threads =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, 16u);
  struct stat st {};
  bool plain = false;
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    unsigned char magic[2] = {0, 0};
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      plain = !(::pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b);
      ::close(fd);
    }
  }
  auto size = static_cast<uint64_t>(st.st_size);
  if (threads < 2 || !plain || size < options.min_bytes) return read_focus(path, sink, needed);

  CsvReader header_reader(path);
  std::vector<std::string_view> fields;
  if (!header_reader.next(fields)) return read_focus(path, sink, needed);  // reports the error
  Columns columns = map_header(fields, header_reader, needed);
  // The body is cut at line breaks into more segments than threads, and each thread takes the
  // next free one: on a busy machine a thread the scheduler holds back leaves its share to the
  // others instead of making them wait for it at the end.
  uint64_t body = size - header_reader.offset();
  uint64_t step =
      std::clamp<uint64_t>(body / (threads * 8ull), std::max<uint64_t>(options.min_segment, 1),
                           std::max<uint64_t>(options.min_segment, 64ull << 20));
  std::vector<uint64_t> cuts = {header_reader.offset()};
  while (cuts.back() + step < size) {
    uint64_t cut = next_line_start(path, cuts.back() + step, size);
    if (cut <= cuts.back() || cut >= size) break;
    cuts.push_back(cut);
  }
  cuts.push_back(size);

  // Each thread parses its segments into its own sink. A cut is only a guess at a record
  // boundary (a quoted field may hold a line break), which the segment before it checks (it
  // then ends inside quotes): if any segment fails, the parts are thrown away and the file is
  // read again in one pass, which is always right and reports errors at their true lines.
  size_t segments = cuts.size() - 1;
  threads = static_cast<unsigned>(std::min<size_t>(threads, segments));
  std::vector<std::unique_ptr<SplittableSink>> sinks(threads);
  std::vector<long> counts(threads, 0);
  std::atomic<size_t> next_segment{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t) {
    sinks[t] = sink.split();
    workers.emplace_back([&, t] {
      try {
        for (size_t i; !failed && (i = next_segment++) < segments;) {
          CsvReader reader(std::make_unique<RangeSource>(path, cuts[i], cuts[i + 1]), path);
          reader.keep_byte_order_mark();
          counts[t] += read_rows(reader, columns, *sinks[t]);
        }
      } catch (...) {
        failed = true;
      }
    });
  }
  for (auto& w : workers)
    w.join();
  if (failed) return read_focus(path, sink, needed);
  long rows = 0;
  for (unsigned t = 0; t < threads; ++t) {
    sink.merge(*sinks[t]);
    rows += counts[t];
  }
  if (rows == 0) throw Error(SourceLocation{path}, "no cost rows after the header");
  return rows;
}

}  // namespace tollgate::budget
