#include "load/feeder.h"

#include "util/files.h"

namespace tollgate::load {

Feeder parse_csv_feeder(const std::string& name, std::string_view text, const std::string& file) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, field_started = false;
  int line = 1, row_line = 1;
  auto end_row = [&] {
    row.push_back(std::move(field));
    field.clear();
    field_started = false;
    if (!(row.size() == 1 && row[0].empty())) {  // skip blank lines
      rows.push_back(std::move(row));
      if (rows.size() > 1 && rows.back().size() != rows.front().size())
        throw Error({file, row_line, 1}, "row has " + std::to_string(rows.back().size()) +
                                             " fields, the header has " +
                                             std::to_string(rows.front().size()));
    }
    row.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
    } else if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_row();
      row_line = ++line;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) throw Error({file, row_line, 1}, "unterminated quoted field");
  if (field_started || !row.empty()) end_row();
  if (rows.size() < 2)
    throw Error({file, 1, 1}, "a feeder needs a header row and at least one row");
  Feeder f;
  f.name = name;
  f.columns = std::move(rows.front());
  rows.erase(rows.begin());
  f.rows = std::move(rows);
  return f;
}

Feeder read_csv_feeder(const std::string& name, const std::filesystem::path& path,
                       const SourceLocation& where) {
  if (!std::filesystem::exists(path))
    throw Error(where, "feeder " + name + ": " + path.string() + " does not exist");
  return parse_csv_feeder(name, files::read(path), path.string());
}

}  // namespace tollgate::load
