#include "budget/csv_reader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <random>

#include "util/files.h"

namespace tollgate::budget {
namespace {

// Hands out the text a few bytes at a time, so records straddle every possible chunk boundary.
class TrickleSource : public ByteSource {
 public:
  TrickleSource(std::string text, size_t step) : text_(std::move(text)), step_(step) {}
  size_t read(char* into, size_t n) override {
    size_t k = std::min({n, step_, text_.size() - at_});
    std::memcpy(into, text_.data() + at_, k);
    at_ += k;
    return k;
  }

 private:
  std::string text_;
  size_t step_;
  size_t at_ = 0;
};

using Records = std::vector<std::vector<std::string>>;

// exact: the exact scanner alone, the reference the fast path must agree with.
Records read_all(const std::string& text, size_t step = 1 << 20, std::vector<long>* lines = nullptr,
                 bool exact = false) {
  CsvReader reader(std::make_unique<TrickleSource>(text, step), "t.csv");
  if (exact) reader.use_exact_scanner_only();
  Records out;
  std::vector<std::string_view> fields;
  while (reader.next(fields)) {
    out.emplace_back(fields.begin(), fields.end());
    if (lines) lines->push_back(reader.line());
  }
  return out;
}

std::string error_of(const std::string& text, bool exact = false) {
  try {
    read_all(text, 1 << 20, nullptr, exact);
  } catch (const Error& e) {
    return e.message();
  }
  return "no error";
}

TEST(CsvReader, Rfc4180Fields) {
  Records r = read_all(
      "a,b,c\r\n"
      "1,\"x, y\",\"say \"\"hi\"\"\"\n"
      ",,\n"
      "\"\",\"{\"\"env\"\":\"\"prod\"\"}\",last");
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0], (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(r[1], (std::vector<std::string>{"1", "x, y", "say \"hi\""}));
  EXPECT_EQ(r[2], (std::vector<std::string>{"", "", ""}));
  EXPECT_EQ(r[3], (std::vector<std::string>{"", "{\"env\":\"prod\"}", "last"}));
}

TEST(CsvReader, LineBreaksInsideQuotesKeepLineNumbersTrue) {
  std::vector<long> lines;
  Records r = read_all("h1,h2\n\"two\nlines\",x\n\nnext,y\n", 1 << 20, &lines);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[1][0], "two\nlines");
  EXPECT_EQ(lines, (std::vector<long>{1, 2, 5}));  // the blank line 4 is skipped but counted
}

TEST(CsvReader, ByteOrderMarkIsNotPartOfTheFirstColumn) {
  Records r = read_all(
      "\xEF\xBB\xBF"
      "BilledCost,x\n1,2\n");
  EXPECT_EQ(r[0][0], "BilledCost");
}

TEST(CsvReader, EveryChunkBoundaryGivesTheSameRecords) {
  std::string text =
      "ProviderName,Tags,BilledCost\r\n"
      "AWS,\"{\"\"env\"\":\"\"staging\"\",\"\"team\"\":\"\"a,b\"\"}\",12.5\r\n"
      "\"Microsoft\nAzure\",,\"-3\"\r\n"
      "GCP,\"\"\"\"\"\",0\n";
  Records whole = read_all(text);
  ASSERT_EQ(whole.size(), 4u);
  EXPECT_EQ(whole[3][1], "\"\"");
  for (size_t step = 1; step <= 17; ++step)
    EXPECT_EQ(read_all(text, step), whole) << "step " << step;
}

// Random records of every awkward kind, written the RFC 4180 way and read back through every
// path of the reader (the block fast path, the exact scanner, refills at odd places).
TEST(CsvReader, RandomRecordsRoundTrip) {
  std::mt19937 rng(7);
  const std::string alphabet = "ab,\"\n\r x{}:";
  for (int round = 0; round < 300; ++round) {
    Records expected;
    std::string text;
    int rows = 1 + static_cast<int>(rng() % 6);
    for (int r = 0; r < rows; ++r) {
      std::vector<std::string> record;
      int width = 1 + static_cast<int>(rng() % 5);
      for (int f = 0; f < width; ++f) {
        std::string value;
        int len = static_cast<int>(rng() % (rng() % 4 == 0 ? 90 : 8));
        for (int i = 0; i < len; ++i)
          value += alphabet[rng() % alphabet.size()];
        if (width == 1 && value.empty()) value = "x";  // a lone empty field is a blank line
        bool needs_quotes = value.find_first_of(",\"\n\r") != std::string::npos;
        if (needs_quotes || rng() % 5 == 0) {
          std::string quoted = "\"";
          for (char c : value)
            quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
          text += quoted + "\"";
        } else {
          text += value;
        }
        text += f + 1 < width ? "," : "";
        record.push_back(value);
      }
      text += r + 1 < rows || rng() % 2 ? (rng() % 2 ? "\r\n" : "\n") : "";
      expected.push_back(record);
    }
    for (size_t step : {size_t{1}, size_t{3}, size_t{64}, size_t{1} << 20}) {
      ASSERT_EQ(read_all(text, step), expected) << "round " << round << " step " << step;
      ASSERT_EQ(read_all(text, step, nullptr, true), expected)
          << "exact scanner alone, round " << round << " step " << step;
    }
  }
}

// The fast path reads 64 bytes at a time: put every awkward byte (an opening or closing quote,
// a doubled quote, a comma or line break inside quotes, CR LF) on every offset around a block
// edge, at the start of the buffer and after a BOM.
TEST(CsvReader, AwkwardBytesOnEveryBlockEdge) {
  for (size_t shift = 0; shift < 140; ++shift) {
    std::string pad(shift, 'p');
    std::string text =
        "\xEF\xBB\xBF"
        "h1,h2,h3\r\n" +
        pad +
        ",\"a,b\"\"c\nd\"\"\",e\r\n"
        "\"\"\"\",\"x\r\ny\"," +
        pad + "\r\n" + pad + ",,\"\"\n";
    Records expected = {
        {"h1", "h2", "h3"}, {pad, "a,b\"c\nd\"", "e"}, {"\"", "x\r\ny", pad}, {pad, "", ""}};
    for (size_t step : {size_t{1} << 20, size_t{64}, size_t{63}, size_t{7}})
      ASSERT_EQ(read_all(text, step), expected) << "shift " << shift << " step " << step;
  }
}

// Line numbers stay true whichever path (fast or exact) read the records before an error.
TEST(CsvReader, ErrorLinesCountBreaksInsideQuotes) {
  std::string text =
      "a,b\r\n\"1\n2\",x\r\n" + std::string(200, 'z') + ",\"q\n\"\n" + "ok,\"bad\"quote\n";
  EXPECT_EQ(error_of(text), "t.csv:6:9: expected ',' or the end of the line after a closing quote");
  EXPECT_EQ(error_of(text, true), error_of(text)) << "the exact scanner alone";
}

TEST(CsvReader, RecordLongerThanTheBufferGrowsIt) {
  std::string big(3 * CsvReader::kChunk, 'x');
  Records r = read_all("a,b\n\"" + big + "\",2\n", 64 * 1024);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1][0].size(), big.size());
  EXPECT_EQ(r[1][1], "2");
}

TEST(CsvReader, MalformedQuotingSaysWhere) {
  EXPECT_EQ(error_of("a,b\n1,\"open\n2,3\n"),
            "t.csv:2:3: quoted field is never closed (a '\"' is missing)");
  EXPECT_EQ(
      error_of("a,b\n1,x\"y\n"),
      "t.csv:2:4: '\"' inside an unquoted field (quote the whole field and write it as \"\")");
  EXPECT_EQ(error_of("a,b\n\"x\"y,1\n"),
            "t.csv:2:4: expected ',' or the end of the line after a closing quote");
  EXPECT_EQ(error_of("a,b\n\"multi\nline\" ,1\n"),
            "t.csv:3:6: expected ',' or the end of the line after a closing quote");
  EXPECT_EQ(error_of("a\rb\n"), "t.csv:1:2: carriage return not followed by a line feed");
  // Quote parity alone would accept these; the pairing check must not.
  EXPECT_EQ(error_of("a,b\n\"a\"b\"c\",d\n"),
            "t.csv:2:4: expected ',' or the end of the line after a closing quote");
  EXPECT_EQ(error_of("a,b\n\"" + std::string(70, 'x') + "\"y\"z\",d\n"),
            "t.csv:2:73: expected ',' or the end of the line after a closing quote");
}

TEST(CsvReader, ReadsGzipAndPlainFilesByContent) {
  files::TempDir dir("csv-test");
  std::string text = "a,b\n1,\"2\"\n";
  std::string gz = (dir.path() / "costs.csv.gz").string();
  gzFile f = gzopen(gz.c_str(), "wb");
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
  std::string plain = (dir.path() / "costs.gz").string();  // a misleading name: content decides
  files::write_atomic(plain, text);
  for (const auto& path : {gz, plain}) {
    CsvReader reader(path);
    std::vector<std::string_view> fields;
    ASSERT_TRUE(reader.next(fields));
    ASSERT_TRUE(reader.next(fields));
    EXPECT_EQ(fields[1], "2");
    EXPECT_FALSE(reader.next(fields));
  }
}

TEST(CsvReader, TruncatedGzipIsAnErrorNotAShortFile) {
  files::TempDir dir("csv-test");
  std::string gz = (dir.path() / "costs.csv.gz").string();
  std::string text;
  for (int i = 0; i < 20000; ++i)
    text += "AWS,EC2," + std::to_string(i) + ".25\n";
  gzFile f = gzopen(gz.c_str(), "wb");
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
  std::string whole = files::read(gz);
  files::write_atomic(gz, whole.substr(0, whole.size() / 2));
  CsvReader reader(gz);
  std::vector<std::string_view> fields;
  try {
    while (reader.next(fields)) {
    }
    FAIL() << "a truncated gzip file read as complete";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
  }
}

TEST(CsvReader, MissingFileSaysWhichAndWhy) {
  try {
    CsvReader reader("/nonexistent/costs.csv");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "/nonexistent/costs.csv: cannot read: No such file or directory");
  }
}

}  // namespace
}  // namespace tollgate::budget
