// The report files a run's jobs left in .tollgate/runs/ID/artifacts, read once and kept: the
// container scanning reports, SARIF logs and gate verdicts the security, budget and performance
// pages are drawn from. A finished run's files do not change, and a page with 5,000 findings
// must not parse megabytes of JSON on every request.
#pragma once

#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

namespace tollgate::web {

// What a JSON file in a run's artifacts is, judged by its content (names are the jobs' choice).
enum class ReportKind { Other, ContainerScanning, Sarif, Verdict };

struct ReportFile {
  std::filesystem::path path;  // absolute
  std::string job_dir;         // the artifacts directory it is in: the job's file-safe name
  ReportKind kind = ReportKind::Other;
  std::string gate;  // a Verdict's gate: budget, load, posture, scan, slo
  std::shared_ptr<const nlohmann::json> json;
  std::string error;  // why it could not be read, when it could not
};

class ReportFiles {
 public:
  explicit ReportFiles(std::filesystem::path state_dir, size_t capacity = 256);

  // Every JSON and SARIF file of the run's artifacts, parsed (from the cache when the file's
  // size and time are unchanged), in path order.
  std::vector<ReportFile> of_run(int64_t run_id);

 private:
  struct Entry {
    std::filesystem::file_time_type mtime;
    uintmax_t size = 0;
    ReportFile file;
    std::list<std::string>::iterator age;
  };
  ReportFile load(const std::filesystem::path& path, const std::string& job_dir);
  void remember(const std::string& key, std::filesystem::file_time_type mtime, uintmax_t size,
                const ReportFile& file);

  std::filesystem::path state_dir_;
  size_t capacity_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;
  std::list<std::string> ages_;  // most recently used first
};

// A string field of a report's JSON object, or "" when it is absent or not a string.
std::string text_of(const nlohmann::json& object, const char* key);

// The largest report file read (a scan report of a big image is tens of megabytes).
inline constexpr uintmax_t kMaxReportBytes = 256ull << 20;

}  // namespace tollgate::web
