// Differential: the CSV reader's fast path (budget/csv_index, delimiters found 64 bytes at a
// time, records cut from the index) against its exact scanner alone, on the same bytes handed
// over in pieces of different sizes, into buffers of different sizes (small ones refill and
// grow, as megabyte records do in a real export). All must read the same records on the same
// lines, or fail with the same message: the fast path only ever hands records to the exact
// scanner, so any difference is a defect of the index.
#include <algorithm>
#include <cstring>
#include <vector>

#include "budget/csv_reader.h"
#include "fuzz_support.h"

namespace {

using namespace tollgate;

class Pieces : public budget::ByteSource {
 public:
  Pieces(std::string_view text, size_t step) : text_(text), step_(step) {}
  size_t read(char* into, size_t n) override {
    size_t k = std::min({n, step_, text_.size() - at_});
    std::memcpy(into, text_.data() + at_, k);
    at_ += k;
    return k;
  }

 private:
  std::string_view text_;
  size_t step_;
  size_t at_ = 0;
};

struct Outcome {
  std::vector<std::vector<std::string>> records;
  std::vector<long> lines;
  std::string error;
};

Outcome read_all(std::string_view input, size_t step, size_t chunk, bool exact, bool skip_second) {
  Outcome out;
  try {
    budget::CsvReader reader(std::make_unique<Pieces>(input, step), "focus.csv", chunk);
    if (exact) reader.use_exact_scanner_only();
    // A caller that does not want column 1 may get it with its quotes still doubled; compare
    // what a caller would see after undoubling it itself.
    if (skip_second) reader.set_wanted({true, false});
    while (reader.next_record()) {
      std::vector<std::string> fields;
      for (size_t i = 0; i < reader.field_count(); ++i) {
        std::string f(reader.field(i));
        if (reader.still_doubled(i)) {
          std::string undoubled;
          for (size_t k = 0; k < f.size(); ++k) {
            undoubled += f[k];
            if (f[k] == '"') ++k;
          }
          f = undoubled;
        }
        fields.push_back(std::move(f));
      }
      out.records.push_back(std::move(fields));
      out.lines.push_back(reader.line());
    }
  } catch (const Error& e) {
    out.error = e.message();
  }
  return out;
}

void same(const Outcome& a, const Outcome& b) {
  if (a.error != b.error || a.records != b.records || a.lines != b.lines) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto input = fuzz::text(data, size);
  size_t step = 1 + (size > 0 ? data[0] % 97 : 0);
  // Not the 1 MiB of a real reader: five of those per input would leave little time to fuzz.
  const size_t whole = 4096, small = 64;
  Outcome reference = read_all(input, whole, whole, true, false);
  same(reference, read_all(input, whole, whole, false, false));
  same(reference, read_all(input, step, small, false, false));
  same(reference, read_all(input, step, small, true, false));
  same(reference, read_all(input, 64, whole, false, true));
  return 0;
}
