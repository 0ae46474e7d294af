#include "scan/osv_import.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <filesystem>
#include <memory>

#include "util/error.h"
#include "util/files.h"

namespace tollgate::scan {
namespace {

namespace fs = std::filesystem;

// Where byte `offset` of text is, as 1-based line and column.
SourceLocation locate(const std::string& file, std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  int line = 1, column = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {file, line, column};
}

bool has_suffix(const fs::path& p, std::string_view ext) {
  std::string s = p.filename().string();
  return s.size() >= ext.size() && s.compare(s.size() - ext.size(), ext.size(), ext) == 0;
}

class Importer {
 public:
  Importer(VulnStore& store, const std::function<void(int64_t)>& progress)
      : writer_(store), progress_(progress) {}

  void path(const fs::path& p) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<fs::path> found;
      for (auto it = fs::recursive_directory_iterator(p, ec); !ec && it != fs::end(it);
           it.increment(ec))
        if (it->is_regular_file() &&
            (has_suffix(it->path(), ".json") || has_suffix(it->path(), ".zip")))
          found.push_back(it->path());
      if (ec) throw Error(SourceLocation{p.string()}, "cannot list directory: " + ec.message());
      std::sort(found.begin(), found.end());  // a stable order makes errors reproducible
      for (const auto& f : found)
        file(f);
    } else if (fs::exists(p, ec)) {
      file(p);
    } else {
      throw Error(SourceLocation{p.string()}, "no such file or directory");
    }
  }

  ImportResult finish(const std::vector<std::string>& sources) {
    writer_.commit(sources);
    return {writer_.records(), files_};
  }

 private:
  void file(const fs::path& p) {
    if (has_suffix(p, ".zip"))
      zip(p);
    else
      document(files::read(p), p.string());
  }

  void zip(const fs::path& p) {
    std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
    archive_read_support_format_zip(a.get());
    if (archive_read_open_filename(a.get(), p.c_str(), 1 << 16) != ARCHIVE_OK)
      throw Error(SourceLocation{p.string()},
                  std::string("cannot read zip archive: ") + archive_error_string(a.get()));
    archive_entry* entry = nullptr;
    std::string buffer;
    while (true) {
      int rc = archive_read_next_header(a.get(), &entry);
      if (rc == ARCHIVE_EOF) break;
      if (rc != ARCHIVE_OK)
        throw Error(SourceLocation{p.string()},
                    std::string("broken zip archive: ") + archive_error_string(a.get()));
      std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
      if (archive_entry_filetype(entry) != AE_IFREG || !has_suffix(name, ".json")) continue;
      buffer.clear();
      char chunk[1 << 16];
      la_ssize_t n;
      while ((n = archive_read_data(a.get(), chunk, sizeof chunk)) > 0)
        buffer.append(chunk, static_cast<size_t>(n));
      if (n < 0)
        throw Error(SourceLocation{p.string() + ":" + name},
                    std::string("broken zip entry: ") + archive_error_string(a.get()));
      document(buffer, p.string() + ":" + name);
    }
  }

  void document(std::string_view text, const std::string& where) {
    for (const auto& record : parse_osv_document(text, where)) {
      writer_.add(record);
      if (progress_ && writer_.records() % 5000 == 0) progress_(writer_.records());
    }
    ++files_;
  }

  StoreWriter writer_;
  const std::function<void(int64_t)>& progress_;
  int64_t files_ = 0;
};

}  // namespace

std::vector<OsvRecord> parse_osv_document(std::string_view text, const std::string& where) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    // nlohmann's message starts "[json.exception.parse_error.101] parse error at line 1, ...";
    // keep only the reason, the location comes from the byte offset.
    size_t colon = what.find(": ");
    throw Error(locate(where, text, e.byte == 0 ? 0 : e.byte - 1),
                "invalid JSON: " + (colon == std::string::npos ? what : what.substr(colon + 2)));
  }
  std::vector<OsvRecord> out;
  if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i)
      out.push_back(parse_osv(j[i], SourceLocation{where + "[" + std::to_string(i) + "]"}));
  } else {
    out.push_back(parse_osv(j, SourceLocation{where}));
  }
  return out;
}

ImportResult import_osv(VulnStore& store, const std::vector<std::string>& paths,
                        const std::function<void(int64_t)>& progress) {
  if (paths.empty()) throw UsageError("db import needs at least one PATH");
  Importer importer(store, progress);
  for (const auto& p : paths)
    importer.path(p);
  return importer.finish(paths);
}

}  // namespace tollgate::scan
