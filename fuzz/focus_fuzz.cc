// A FinOps FOCUS cost export (plain or gzip), as `tollgate check budget --focus FILE` reads it,
// every optional column asked for and every row's Tags looked into.
#include "budget/focus_source.h"
#include "budget/scope.h"
#include "budget/tags.h"
#include "fuzz_support.h"

namespace {

using namespace tollgate;

class TagReadingSink : public budget::RowSink {
 public:
  void add(const budget::CostRow& row) override {
    if (!row.tags.empty()) budget::parsed_tags(row.tags, row.tags_doubled).find("team");
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto path = fuzz::write_file("focus.csv", fuzz::text(data, size));
  fuzz::expect_errors([&] {
    TagReadingSink sink;
    budget::read_focus(
        path.string(), sink,
        {budget::Dimension::SubAccount, budget::Dimension::Region, budget::Dimension::Tag});
  });
  return 0;
}
