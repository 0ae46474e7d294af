#include "scan/osv_import.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "scan/archive_error.h"
#include "util/error.h"
#include "util/files.h"
#include "util/json_read.h"

namespace tollgate::scan {
namespace {

namespace fs = std::filesystem;

bool has_suffix(const fs::path& p, std::string_view ext) {
  std::string s = p.filename().string();
  return s.size() >= ext.size() && s.compare(s.size() - ext.size(), ext.size(), ext) == 0;
}

// A batch of records on its way from the reading thread to the writing one.
struct Batch {
  std::vector<PreparedRecord> records;
  ImportProgress read;  // where the reader was when it sent this batch (records unused)
  int64_t files = 0;    // files finished so far
};

// One reader, one writer, a few batches between them: the reader never runs far ahead (memory
// stays flat) and either side can stop the other.
class BatchQueue {
 public:
  // False when the writer gave up: the reader should stop.
  bool push(Batch b) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return queue_.size() < kMaxBatches || cancelled_; });
    if (cancelled_) return false;
    queue_.push_back(std::move(b));
    changed_.notify_all();
    return true;
  }
  // The reader is done, with the error that stopped it if any.
  void finish(std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    done_ = true;
    error_ = std::move(error);
    changed_.notify_all();
  }
  void cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    changed_.notify_all();
  }
  // The next batch; nullopt once the reader finished; rethrows the reader's error.
  std::optional<Batch> pop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !queue_.empty() || done_; });
    if (!queue_.empty()) {
      Batch b = std::move(queue_.front());
      queue_.pop_front();
      changed_.notify_all();
      return b;
    }
    if (error_) std::rethrow_exception(error_);
    return std::nullopt;
  }

 private:
  static constexpr size_t kMaxBatches = 8;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> queue_;
  bool done_ = false, cancelled_ = false;
  std::exception_ptr error_;
};

struct Cancelled {};

// The reading side: walks the paths, inflates zips, parses and prepares records.
class Reader {
 public:
  explicit Reader(BatchQueue& queue) : queue_(queue) {}

  void run(const std::vector<std::string>& paths) {
    for (const auto& p : paths) {
      batch_.read.path = p;
      flush();  // each PATH is a step worth showing
      path(p);
    }
    flush();
  }

 private:
  static constexpr size_t kBatchRecords = 256;

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

  void file(const fs::path& p) {
    if (has_suffix(p, ".zip")) {
      zip(p);
    } else {
      std::error_code ec;
      if (fs::file_size(p, ec) > kMaxOsvDocumentBytes) too_large(p.string());
      document(files::read(p), p.string());
      ++batch_.files;
    }
  }

  void zip(const fs::path& p) {
    std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
    archive_read_support_format_zip(a.get());
    if (archive_read_open_filename(a.get(), p.c_str(), 1 << 16) != ARCHIVE_OK)
      throw Error(SourceLocation{p.string()},
                  std::string("cannot read zip archive: ") + archive_error(a.get()));
    archive_entry* entry = nullptr;
    std::string buffer;
    while (true) {
      int rc = archive_read_next_header(a.get(), &entry);
      if (rc == ARCHIVE_EOF) break;
      if (rc != ARCHIVE_OK)
        throw Error(SourceLocation{p.string()},
                    std::string("broken zip archive: ") + archive_error(a.get()));
      std::string name = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
      if (archive_entry_filetype(entry) != AE_IFREG || !has_suffix(name, ".json")) continue;
      buffer.clear();
      char chunk[1 << 16];
      la_ssize_t n;
      while ((n = archive_read_data(a.get(), chunk, sizeof chunk)) > 0) {
        buffer.append(chunk, static_cast<size_t>(n));
        if (buffer.size() > kMaxOsvDocumentBytes) too_large(p.string() + ":" + name);
      }
      if (n < 0)
        throw Error(SourceLocation{p.string() + ":" + name},
                    std::string("broken zip entry: ") + archive_error(a.get()));
      document(buffer, p.string() + ":" + name);
      ++batch_.files;
    }
  }

  [[noreturn]] static void too_large(const std::string& where) {
    throw Error(SourceLocation{where},
                "larger than " + std::to_string(kMaxOsvDocumentBytes >> 20) +
                    " MiB, the limit for one OSV document (osv.dev's records are a few KiB to "
                    "a few MiB; import a large collection as a zip of one record per file)");
  }

  void document(std::string_view text, const std::string& where) {
    batch_.read.bytes += text.size();
    for (const auto& record : parse_osv_document(text, where)) {
      batch_.records.push_back(prepare_record(record));
      if (batch_.records.size() >= kBatchRecords) flush();
    }
  }

  void flush() {
    Batch next;
    next.read = batch_.read;
    next.files = batch_.files;
    if (!queue_.push(std::move(batch_))) throw Cancelled{};
    batch_ = std::move(next);
  }

  BatchQueue& queue_;
  Batch batch_;
};

}  // namespace

namespace {

// A record's location is made only for its error: a location's file name is kept for the life
// of the process (util/error.h, FileName), and an import reads hundreds of thousands of records.
OsvRecord parse_record(const nlohmann::json& j, const std::string& where) {
  try {
    return parse_osv(j, SourceLocation{});
  } catch (const Error& e) {
    throw Error(SourceLocation{where}, e.what());
  }
}

}  // namespace

std::vector<OsvRecord> parse_osv_document(std::string_view text, const std::string& where) {
  nlohmann::json j = json_read::parse(text, where);
  std::vector<OsvRecord> out;
  if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i)
      out.push_back(parse_record(j[i], where + "[" + std::to_string(i) + "]"));
  } else {
    out.push_back(parse_record(j, where));
  }
  return out;
}

ImportResult import_osv(VulnStore& store, const std::vector<std::string>& paths,
                        const std::function<void(const ImportProgress&)>& progress) {
  if (paths.empty()) throw UsageError("db import needs at least one PATH");
  // libarchive turns every zip entry's DOS time into a time_t with mktime(), and glibc re-reads
  // /etc/localtime (a stat per entry) while TZ is unset. ":/etc/localtime" names the zone glibc
  // uses then, and lets it load the file once. Set before the reader thread starts.
  if (!std::getenv("TZ")) ::setenv("TZ", ":/etc/localtime", 0);
  StoreWriter writer(store);
  BatchQueue queue;
  std::thread reader([&] {
    try {
      Reader(queue).run(paths);
      queue.finish(nullptr);
    } catch (const Cancelled&) {
      queue.finish(nullptr);
    } catch (...) {
      queue.finish(std::current_exception());
    }
  });
  // Whatever happens here, the reader is stopped and joined before the writer rolls back.
  struct Join {
    BatchQueue& queue;
    std::thread& thread;
    ~Join() {
      queue.cancel();
      thread.join();
    }
  } join{queue, reader};
  int64_t files = 0, last_report = 0;
  std::string last_path;
  while (auto batch = queue.pop()) {
    for (const auto& record : batch->records)
      writer.add(record);
    files = batch->files;
    if (progress && (writer.records() - last_report >= 5000 || batch->read.path != last_path)) {
      ImportProgress p = batch->read;
      p.records = writer.records();
      progress(p);
      last_report = writer.records();
      last_path = p.path;
    }
  }
  writer.commit(paths);
  return {writer.records(), files};
}

}  // namespace tollgate::scan
