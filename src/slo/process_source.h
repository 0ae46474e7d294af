#pragma once

#include <string>
#include <vector>

#include "slo/source.h"

namespace tollgate::slo {

// CPU and memory of a local process (/proc/PID), a cgroup (/sys/fs/cgroup/PATH; v2 files, else
// v1 cpuacct.usage and memory.usage_in_bytes) or a container (container:NAME: the cgroups of the
// container's init process as podman, else docker, names it; every process in the container
// counts, as in kubernetes.pod_container.cpu), sampled live for the length of the window.
// Queries name a metric:
//   cpu_percent   value: CPU time over wall time for the whole window (100 = one core busy);
//                 samples: the same per sampling interval (for reduce: max/p95 and --baseline)
//   cpu_seconds   CPU time spent in the window
//   memory_bytes  value: resident memory (process) or memory.current (cgroup) at the end;
//                 samples: every reading
class ProcessSource : public Source {
 public:
  enum class Target { Process, Cgroup, Container };
  ProcessSource(Target target, std::string id);
  std::string describe() const override;
  std::vector<Measurement> measure(const std::vector<Query>& queries,
                                   const Window& window) override;
  bool names_are_queries() const override { return true; }

 private:
  struct Reading {
    double cpu_seconds = 0;
    double memory_bytes = 0;
    double wall_seconds = 0;  // steady clock
    bool has_memory = true;
  };
  std::optional<Reading> read() const;

  Target target_;
  std::string id_;
  std::string dir_;         // /proc/PID, or the cgroup directory with the CPU accounting
  std::string memory_dir_;  // the cgroup directory with the memory accounting (v1: another)
};

// The cgroup directories of a process from its /proc/PID/cgroup text: the one that accounts CPU
// (v1 cpuacct, else v2) and the one that accounts memory (v1 memory, else v2). root is where
// cgroups are mounted (/sys/fs/cgroup). Empty strings when the text names none.
struct CgroupDirs {
  std::string cpu;
  std::string memory;
};
CgroupDirs cgroup_dirs(const std::string& proc_cgroup, const std::string& root);

const std::vector<std::string>& process_metrics();

}  // namespace tollgate::slo
