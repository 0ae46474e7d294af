#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "posture/rule.h"

// Pod Security Standards as Pod Security Admission (the reference implementation in
// kubernetes/pod-security-admission) evaluates them: the same check ids, levels, versioned
// behaviour and restricted-over-baseline overrides.
namespace tollgate::posture::pss {

enum class Level { Baseline, Restricted };
std::string_view to_string(Level l);
// "baseline" or "restricted"; throws UsageError otherwise.
Level parse_level(std::string_view s, std::string_view flag);

// The newest Kubernetes minor version whose checks tollgate knows, used for "latest".
constexpr int kLatestMinor = 36;
// Newest minor with any change in the checks (v1.37 allows two more sysctls).
constexpr int kNewestKnownMinor = 37;

// "latest", "v1.NN" or "1.NN" -> NN; throws UsageError otherwise.
int parse_version(std::string_view s, std::string_view flag);
std::string version_name(int minor);  // "v1.36"

struct Options {
  Level level = Level::Restricted;
  int minor = kLatestMinor;
};

// The 19 checks (12 baseline, 7 restricted) as rules; RuleInfo::id is the PSA check id.
const std::vector<RuleInfo>& rules();
Level level_of(const RuleInfo& rule);
// The first Kubernetes minor version in which the check exists.
int since_minor(const RuleInfo& rule);

// Evaluates the pod spec of a workload object (no-op for kinds without one).
void check(const Object& obj, const Options& options, Collector& out);

}  // namespace tollgate::posture::pss
