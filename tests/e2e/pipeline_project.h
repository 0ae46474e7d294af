#pragma once

// A throw-away project for whole-binary pipeline tests: files, optional git history, and
// `tollgate` runs whose stdout, stderr and exit code are kept apart.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/server.h"
#include "util/files.h"
#include "util/process.h"
#include "util/strings.h"

namespace tollgate::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  nlohmann::json json() const { return nlohmann::json::parse(out); }
};

class PipelineProject {
 public:
  PipelineProject() : dir_("tollgate-e2e") {}

  const std::filesystem::path& path() const { return dir_.path(); }

  void write(const std::string& rel, const std::string& content) {
    std::filesystem::path p = path() / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << content;
  }

  std::string read(const std::string& rel) const { return files::read(path() / rel); }

  CommandResult sh(const std::string& script) const {
    process::Command cmd({"bash", "-c", script});
    cmd.cwd = path().string();
    auto c = process::run_capture(cmd);
    return {c.outcome.exit_code, c.output, ""};
  }

  void git_init() {
    sh("git init -q -b main && git config user.email t@example.com && git config user.name T");
  }
  void commit(const std::string& message) {
    auto r = sh("git add -A && git commit -q -m '" + message + "'");
    if (r.exit_code != 0) throw std::runtime_error("git commit failed: " + r.out);
  }

  // Runs tollgate with args in the project directory; env: "NAME=value ..." for it alone.
  CommandResult tollgate(const std::string& args, const std::string& env = "") const {
    std::filesystem::path err = path() / ".stderr";
    process::Command cmd({"bash", "-c",
                          (env.empty() ? "" : "env " + env + " ") + tollgate_binary().string() +
                              " " + args + " 2>" + err.string()});
    cmd.cwd = path().string();
    auto c = process::run_capture(cmd);
    CommandResult r{c.outcome.exit_code, c.output, files::read(err)};
    std::filesystem::remove(err);
    return r;
  }

  // A file the job whose artifacts directory is JOB_DIR (its name, ':' and '/' as '_') left in
  // RUN.
  std::string artifact(const nlohmann::json& run, const std::string& job_dir,
                       const std::string& file) const {
    return read(".tollgate/runs/" + std::to_string(run["id"].get<int>()) + "/artifacts/" + job_dir +
                "/" + file);
  }

  // Runs the pipeline with --format json and returns the run. An unexpected exit code throws
  // with the logs of the jobs that failed (their last 40 lines), else the whole output.
  nlohmann::json run_json(const std::string& args = "", int expected_exit = 0) const {
    CommandResult r = tollgate("run --format json " + args);
    if (r.exit_code == expected_exit) return r.json();
    std::string why = "exit " + std::to_string(r.exit_code) + " (expected " +
                      std::to_string(expected_exit) + ")\n";
    nlohmann::json run = nlohmann::json::parse(r.out, nullptr, false);
    if (run.is_discarded() || !run.contains("jobs"))
      throw std::runtime_error(why + "stdout:\n" + r.out + "\nstderr:\n" + r.err);
    for (const auto& job : run["jobs"]) {
      if (job["status"] != "failed" || !job.contains("log")) continue;
      std::vector<std::string> lines = str::split_lines(read(job["log"].get<std::string>()));
      size_t from = lines.size() > 40 ? lines.size() - 40 : 0;
      why += "--- " + job["name"].get<std::string>() + " failed; its log ends:\n";
      for (size_t i = from; i < lines.size(); ++i)
        why += lines[i] + "\n";
    }
    throw std::runtime_error(why + "stderr:\n" + r.err);
  }

 private:
  files::TempDir dir_;
};

// Runs a bash script where the test program runs: its exit code and its output and errors
// together.
inline CommandResult shell(const std::string& script) {
  process::Command cmd({"bash", "-c", script});
  auto c = process::run_capture(cmd);
  return {c.outcome.exit_code, c.output, ""};
}

inline const nlohmann::json* find_job(const nlohmann::json& run, const std::string& name) {
  for (const auto& j : run["jobs"])
    if (j["name"] == name) return &j;
  return nullptr;
}

inline std::string job_status(const nlohmann::json& run, const std::string& name) {
  const nlohmann::json* j = find_job(run, name);
  return j ? (*j)["status"].get<std::string>() : "absent";
}

// A directory of links to every program on PATH but podman and docker.
class PathWithoutEngines {
 public:
  PathWithoutEngines() : dir_("tollgate-path") {
    namespace fs = std::filesystem;
    for (const char* d : {"/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"}) {
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(d, ec)) {
        std::string name = entry.path().filename().string();
        fs::path link = dir_.path() / name;
        if (name == "podman" || name == "docker" || fs::is_symlink(link)) continue;
        fs::create_symlink(entry.path(), link);
      }
    }
  }
  std::string env() const { return "env PATH=" + dir_.path().string() + " "; }

 private:
  files::TempDir dir_;
};

}  // namespace tollgate::testing
