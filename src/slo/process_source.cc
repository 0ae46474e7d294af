#include "slo/process_source.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "util/process.h"
#include "util/strings.h"
#include "util/term.h"

namespace tollgate::slo {
namespace {

std::optional<std::string> slurp(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// utime and stime are fields 14 and 15 of /proc/PID/stat, counted after the command name,
// which is in parentheses and may itself hold spaces and parentheses.
std::optional<double> process_cpu_seconds(const std::string& stat) {
  // A zombie (Z) or dead (X) process still has /proc entries until its parent reaps it, but it
  // is not running: no data.
  std::string state = process::proc_stat_field(stat, 3);
  if (state.empty() || state == "Z" || state == "X") return std::nullopt;
  std::string utime_field = process::proc_stat_field(stat, 14);
  std::string stime_field = process::proc_stat_field(stat, 15);
  double utime = utime_field.empty() ? 0 : std::stod(utime_field);
  double stime = stime_field.empty() ? 0 : std::stod(stime_field);
  static const double kTicks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return (utime + stime) / kTicks;
}

std::optional<double> status_rss_bytes(const std::string& status) {
  for (const auto& line : str::split_lines(status)) {
    if (line.rfind("VmRSS:", 0) != 0) continue;
    return std::stod(std::string(str::trim(line.substr(6)))) * 1024.0;  // "123 kB"
  }
  return 0.0;  // kernel threads and zombies have no VmRSS
}

std::optional<double> cgroup_cpu_seconds(const std::string& cpu_stat) {
  for (const auto& line : str::split_lines(cpu_stat))
    if (line.rfind("usage_usec ", 0) == 0) return std::stod(line.substr(11)) / 1e6;
  return std::nullopt;
}

// The pid of a container's init process, from the engine that knows the container.
std::string container_pid(const std::string& name) {
  std::string errors;
  for (const char* engine : {"podman", "docker"}) {
    if (process::which(engine).empty()) continue;
    process::CapturedApart c = process::run_capture_apart(process::Command(
        {engine, "inspect", "--type", "container", "--format", "{{.State.Pid}}", name}));
    std::string pid(str::trim(c.output));
    if (c.outcome.ok() && !pid.empty() && pid != "0") return pid;
    std::string why(str::trim(c.errors));
    if (c.outcome.ok()) why = "it is not running";
    errors += std::string(errors.empty() ? "" : "; ") + engine + ": " + why;
  }
  if (errors.empty()) errors = "neither podman nor docker is on PATH";
  throw Error("--source container:" + name + ": no running container " + name + " (" + errors +
              ")");
}

}  // namespace

CgroupDirs cgroup_dirs(const std::string& proc_cgroup, const std::string& root) {
  CgroupDirs v1, v2;
  for (const auto& line : str::split_lines(proc_cgroup)) {
    size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string controllers = line.substr(a + 1, b - a - 1);
    std::string path = line.substr(b + 1);
    if (controllers.empty()) {
      // v2: the unified hierarchy is the root on a pure v2 host, /unified on a hybrid one.
      std::string base =
          std::filesystem::exists(root + "/cgroup.controllers") ? root : root + "/unified";
      v2.cpu = v2.memory = base + path;
      continue;
    }
    for (const auto& c : str::split(controllers, ','))
      if (c == "cpuacct")
        v1.cpu = root + "/" + controllers + path;
      else if (c == "memory")
        v1.memory = root + "/" + controllers + path;
  }
  return {v1.cpu.empty() ? v2.cpu : v1.cpu, v1.memory.empty() ? v2.memory : v1.memory};
}

const std::vector<std::string>& process_metrics() {
  static const std::vector<std::string> kMetrics = {"cpu_percent", "cpu_seconds", "memory_bytes"};
  return kMetrics;
}

ProcessSource::ProcessSource(Target target, std::string id) : target_(target), id_(std::move(id)) {
  if (target_ == Target::Process) {
    if (id_.empty() || !std::all_of(id_.begin(), id_.end(), ::isdigit))
      throw UsageError("--source process:" + id_ + ": expected a numeric process id");
    dir_ = "/proc/" + id_;
  } else if (target_ == Target::Cgroup) {
    dir_ = memory_dir_ = id_.rfind("/sys/fs/cgroup", 0) == 0 ? id_ : "/sys/fs/cgroup/" + id_;
  } else {
    std::string pid = container_pid(id_);
    auto text = slurp("/proc/" + pid + "/cgroup");
    CgroupDirs dirs = text ? cgroup_dirs(*text, "/sys/fs/cgroup") : CgroupDirs{};
    if (dirs.cpu.empty())
      throw Error("--source container:" + id_ + ": cannot find the cgroups of its process " + pid +
                  " in /proc/" + pid + "/cgroup");
    dir_ = dirs.cpu;
    memory_dir_ = dirs.memory.empty() ? dirs.cpu : dirs.memory;
  }
}

std::string ProcessSource::describe() const {
  return (target_ == Target::Process  ? "process:"
          : target_ == Target::Cgroup ? "cgroup:"
                                      : "container:") +
         id_;
}

std::optional<ProcessSource::Reading> ProcessSource::read() const {
  Reading r;
  r.wall_seconds = now_seconds();
  if (target_ == Target::Process) {
    auto stat = slurp(dir_ + "/stat");
    auto status = slurp(dir_ + "/status");
    if (!stat || !status) return std::nullopt;
    auto cpu = process_cpu_seconds(*stat);
    auto rss = status_rss_bytes(*status);
    if (!cpu || !rss) return std::nullopt;
    r.cpu_seconds = *cpu;
    r.memory_bytes = *rss;
  } else {
    // cgroup v2 files first, then the v1 controllers' (hybrid hosts still mount v1).
    std::optional<double> cpu;
    if (auto cpu_stat = slurp(dir_ + "/cpu.stat")) cpu = cgroup_cpu_seconds(*cpu_stat);
    if (!cpu) {
      if (auto usage = slurp(dir_ + "/cpuacct.usage")) cpu = std::stod(*usage) / 1e9;
    }
    if (!cpu) return std::nullopt;
    r.cpu_seconds = *cpu;
    auto memory = slurp(memory_dir_ + "/memory.current");
    if (!memory) memory = slurp(memory_dir_ + "/memory.usage_in_bytes");
    r.has_memory = memory.has_value();
    if (memory) r.memory_bytes = std::stod(*memory);
  }
  return r;
}

std::vector<Measurement> ProcessSource::measure(const std::vector<Query>& queries,
                                                const Window& window) {
  const auto& known = process_metrics();
  for (const auto& q : queries) {
    if (std::find(known.begin(), known.end(), q.text) != known.end()) continue;
    std::string hint = str::closest(q.text, known);
    throw Error(q.where, "indicator '" + q.sli + "': '" + q.text + "' is not a " +
                             describe().substr(0, describe().find(':')) + " metric" +
                             (hint.empty() ? "" : " (did you mean '" + hint + "'?)") + "; one of " +
                             str::join(known, ", "));
  }
  // /proc has no past: a window that ended before now cannot be sampled, and sampling the
  // present instead would report on the wrong time.
  if (window.end < timefmt::Clock::now() - std::chrono::seconds(5))
    throw UsageError(describe() +
                     " is sampled live; give --window (and no --start/--end in the "
                     "past), e.g. --window 30s");
  auto first = read();
  if (!first)
    throw Error(SourceLocation{dir_},
                describe() + ": cannot read " + dir_ +
                    (target_ == Target::Process  ? " (no such process?)"
                     : target_ == Target::Cgroup ? " (not a cgroup v2 directory with cpu.stat "
                                                   "and memory.current?)"
                                                 : " (the container stopped?)"));
  // The window is watched live: its length is what matters, not its calendar position.
  double length = std::max(window.seconds(), 0.1);
  double interval = std::clamp(length / 50.0, 0.05, 1.0);
  // Progress only on a terminal, so that pipes and CI logs stay clean.
  if (term::is_tty(2))
    std::cerr << "tollgate: sampling " << describe() << " for " << timefmt::format_duration(length)
              << " ...\n";
  std::vector<Reading> readings = {*first};
  std::string lost;
  double deadline = first->wall_seconds + length;
  while (!process::canceled()) {
    double next = std::min(readings.back().wall_seconds + interval, deadline);
    std::this_thread::sleep_for(std::chrono::duration<double>(next - now_seconds()));
    auto r = read();
    if (!r) {
      lost = describe() + " went away during the window";
      break;
    }
    readings.push_back(*r);
    if (r->wall_seconds >= deadline) break;
  }
  if (process::canceled()) throw Error("canceled while sampling " + describe());

  Measurement cpu_percent, cpu_seconds, memory;
  for (auto* m : {&cpu_percent, &cpu_seconds, &memory})
    m->series = 1;
  for (size_t i = 1; i < readings.size(); ++i) {
    double wall = readings[i].wall_seconds - readings[i - 1].wall_seconds;
    double cpu = readings[i].cpu_seconds - readings[i - 1].cpu_seconds;
    if (wall > 0) cpu_percent.samples.push_back(100.0 * cpu / wall);
  }
  for (const auto& r : readings)
    if (r.has_memory) memory.samples.push_back(r.memory_bytes);
  if (!lost.empty()) {
    // A service that died mid-window has no trustworthy figures: no data, so its objectives fail.
    for (auto* m : {&cpu_percent, &cpu_seconds, &memory}) {
      m->no_data = lost;
      m->samples.clear();
    }
  } else {
    double wall = readings.back().wall_seconds - readings.front().wall_seconds;
    double cpu = readings.back().cpu_seconds - readings.front().cpu_seconds;
    cpu_percent.value = wall > 0 ? 100.0 * cpu / wall : 0.0;
    cpu_seconds.value = cpu;
    cpu_seconds.samples = {cpu};
    if (readings.back().has_memory)
      memory.value = readings.back().memory_bytes;
    else
      memory.no_data = describe() + " has no memory.current or memory.usage_in_bytes";
  }
  std::vector<Measurement> out;
  for (const auto& q : queries)
    out.push_back(q.text == "cpu_percent"   ? cpu_percent
                  : q.text == "cpu_seconds" ? cpu_seconds
                                            : memory);
  return out;
}

}  // namespace tollgate::slo
