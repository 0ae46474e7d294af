#include "util/table.h"

#include <algorithm>

#include "util/term.h"

namespace tollgate {
namespace {

std::string cut(const std::string& cell, size_t max_cell) {
  if (max_cell == 0 || term::visible_width(cell) <= max_cell) return cell;
  if (cell.find('\033') != std::string::npos) return cell;  // never cut inside escape codes
  std::string out;
  size_t w = 0;
  for (size_t i = 0; i < cell.size() && w + 1 < max_cell; ++i) {
    out += cell[i];
    if ((static_cast<unsigned char>(cell[i]) & 0xC0) != 0x80) ++w;
  }
  while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80)
    out.pop_back();
  if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80)) out.pop_back();
  return out + "\u2026";
}

}  // namespace

std::string TextTable::render(size_t max_cell) const {
  std::vector<std::vector<std::string>> all;
  all.push_back(header_);
  for (const auto& r : rows_) {
    std::vector<std::string> cells;
    for (const auto& c : r)
      cells.push_back(cut(c, max_cell));
    all.push_back(std::move(cells));
  }
  std::vector<size_t> widths(header_.size(), 0);
  for (const auto& r : all)
    for (size_t i = 0; i < r.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], term::visible_width(r[i]));
  std::string out;
  for (const auto& r : all) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line.append(widths[i] - term::visible_width(r[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace tollgate
