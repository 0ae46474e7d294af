#include "util/table.h"

#include <algorithm>
#include <deque>
#include <string_view>

#include "util/term.h"

namespace tollgate {
namespace {

// The first max_cell - 1 characters of cell and an ellipsis. Characters are whole UTF-8
// sequences; a cell holding escape codes is left whole, never cut inside one.
std::string cut(const std::string& cell, size_t max_cell) {
  if (cell.find('\033') != std::string::npos) return cell;
  size_t end = 0, chars = 0;
  while (end < cell.size() && chars + 1 < max_cell) {
    ++end;  // past the lead byte, then its continuation bytes
    while (end < cell.size() && (static_cast<unsigned char>(cell[end]) & 0xC0) == 0x80)
      ++end;
    ++chars;
  }
  return cell.substr(0, end) + "\u2026";
}

}  // namespace

std::string TextTable::render(size_t max_cell) const {
  // Each cell is measured once and copied only when it must be cut: a scan's table has
  // thousands of rows.
  struct Cell {
    std::string_view text;
    size_t width;
  };
  std::deque<std::string> shortened;
  std::vector<Cell> cells;
  std::vector<size_t> row_end;  // where each row's cells end in `cells`
  std::vector<size_t> widths(header_.size(), 0);
  auto add = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size(); ++i) {
      std::string_view text = row[i];
      size_t width = term::visible_width(text);
      if (max_cell > 0 && width > max_cell) {
        text = shortened.emplace_back(cut(row[i], max_cell));
        width = term::visible_width(text);
      }
      if (i < widths.size()) widths[i] = std::max(widths[i], width);
      cells.push_back({text, width});
    }
    row_end.push_back(cells.size());
  };
  add(header_);
  for (const auto& r : rows_)
    add(r);
  std::string out;
  size_t start = 0;
  for (size_t end : row_end) {
    size_t line = out.size();
    for (size_t k = start; k < end; ++k) {
      out += cells[k].text;
      size_t column = k - start;
      if (k + 1 < end && column < widths.size())
        out.append(widths[column] - cells[k].width + 2, ' ');
    }
    while (out.size() > line && out.back() == ' ')
      out.pop_back();
    out += '\n';
    start = end;
  }
  return out;
}

}  // namespace tollgate
