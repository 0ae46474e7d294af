#include "web/report_files.h"

#include <algorithm>

#include "util/files.h"
#include "util/json_read.h"

namespace tollgate::web {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

ReportKind kind_of(const json& j, std::string& gate) {
  if (!j.is_object()) return ReportKind::Other;
  if (j.contains("vulnerabilities") && j.contains("scan") && j["scan"].is_object() &&
      j["scan"].value("type", "") == "container_scanning")
    return ReportKind::ContainerScanning;
  if (j.value("version", "") == "2.1.0" && j.contains("runs") && j["runs"].is_array())
    return ReportKind::Sarif;
  if (j.contains("gate") && j["gate"].is_string() && j.contains("findings")) {
    gate = j["gate"].get<std::string>();
    return ReportKind::Verdict;
  }
  return ReportKind::Other;
}

bool is_report_name(const fs::path& p) {
  std::string ext = p.extension().string();
  return ext == ".json" || ext == ".sarif";
}

}  // namespace

ReportFiles::ReportFiles(fs::path state_dir, size_t capacity)
    : state_dir_(std::move(state_dir)), capacity_(capacity) {}

ReportFile ReportFiles::load(const fs::path& path, const std::string& job_dir) {
  std::error_code ec;
  auto status = fs::symlink_status(path, ec);
  ReportFile out{path, job_dir};
  if (ec || !fs::is_regular_file(status)) {
    out.error = "not a regular file";
    return out;
  }
  uintmax_t size = fs::file_size(path, ec);
  auto mtime = fs::last_write_time(path, ec);
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(path.string());
    if (it != cache_.end() && it->second.size == size && it->second.mtime == mtime) {
      ages_.splice(ages_.begin(), ages_, it->second.age);
      return it->second.file;
    }
  }
  if (size > kMaxReportBytes) {
    out.error = "larger than 256 MiB";
    return out;
  }
  // Parsed outside the lock: other requests go on meanwhile (two may parse one file at once).
  try {
    json j = json_read::parse_or_discarded(files::read(path));
    if (j.is_discarded()) {
      out.error = "not valid JSON";
    } else {
      out.kind = kind_of(j, out.gate);
      out.json = std::make_shared<const json>(std::move(j));
    }
  } catch (const std::exception& e) {
    out.error = e.what();
    return out;
  }
  remember(path.string(), mtime, size, out);
  return out;
}

void ReportFiles::remember(const std::string& key, fs::file_time_type mtime, uintmax_t size,
                           const ReportFile& file) {
  std::lock_guard lock(mu_);
  if (auto it = cache_.find(key); it != cache_.end()) {
    ages_.erase(it->second.age);
    cache_.erase(it);
  }
  ages_.push_front(key);
  cache_[key] = Entry{mtime, size, file, ages_.begin()};
  while (cache_.size() > capacity_) {
    cache_.erase(ages_.back());
    ages_.pop_back();
  }
}

std::vector<ReportFile> ReportFiles::of_run(int64_t run_id) {
  fs::path dir = state_dir_ / "runs" / std::to_string(run_id) / "artifacts";
  std::vector<std::pair<fs::path, std::string>> found;
  std::error_code ec;
  // Symlinks are not followed: a job's artifact may point anywhere on the machine.
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it.depth() > 6) it.disable_recursion_pending();
    if (!it->is_regular_file(ec) || it->is_symlink(ec) || !is_report_name(it->path())) continue;
    fs::path rel = it->path().lexically_relative(dir);
    found.emplace_back(it->path(), rel.begin()->string());
  }
  std::sort(found.begin(), found.end());
  std::vector<ReportFile> out;
  for (const auto& [path, job_dir] : found)
    out.push_back(load(path, job_dir));
  return out;
}

std::string text_of(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace tollgate::web
