#pragma once

// Internal to the PSS pack: the pod being checked and the check table.
#include <string>
#include <vector>

#include "posture/pss.h"

namespace tollgate::posture::pss {

struct Pod {
  const Object* obj = nullptr;
  PodSpec spec;
  std::vector<Container> containers;
  const Node* security_context = nullptr;  // spec.securityContext
  bool windows = false;                    // spec.os.name == windows
  bool host_users_false = false;           // spec.hostUsers: false (user namespaces)

  std::string path(std::string_view rest) const { return spec.path + "." + std::string(rest); }
};

const Node* security_context(const Container& c);
// Every container that sets a procMount other than Default.
std::vector<Hit> procmount_any(const Pod& pod);

using CheckFn = std::vector<Hit> (*)(const Pod& pod, int minor);

struct CheckDef {
  RuleInfo info;
  Level level;
  int since;                           // minimum minor version
  std::vector<std::string> overrides;  // baseline check ids this one replaces
  CheckFn run;
};

const std::vector<CheckDef>& baseline_checks();
const std::vector<CheckDef>& restricted_checks();

}  // namespace tollgate::posture::pss
