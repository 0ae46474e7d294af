#pragma once

#include <string>
#include <vector>

namespace tollgate {

// A plain-text table with left-aligned columns sized to their widest cell. Cells may hold
// colour escape codes; widths count only what is visible. The last column is not padded.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) : header_(std::move(header)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  bool empty() const { return rows_.empty(); }
  // Cells wider than max_cell are cut with an ellipsis (0: never cut).
  std::string render(size_t max_cell = 0) const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace tollgate
