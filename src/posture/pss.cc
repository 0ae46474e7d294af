#include "posture/pss.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "posture/pss_checks.h"

namespace tollgate::posture::pss {
namespace {

const CheckDef* find_def(const RuleInfo& rule) {
  for (const auto* list : {&baseline_checks(), &restricted_checks()})
    for (const auto& def : *list)
      if (&def.info == &rule || def.info.id == rule.id) return &def;
  return nullptr;
}

Pod make_pod(const Object& obj, const PodSpec& spec) {
  Pod pod;
  pod.obj = &obj;
  pod.spec = spec;
  pod.containers = containers_of(spec);
  pod.security_context = get(spec.spec, "securityContext");
  pod.windows = text(at(spec.spec, "os.name")) == "windows";
  pod.host_users_false = is_false(get(spec.spec, "hostUsers"));
  return pod;
}

}  // namespace

std::string_view to_string(Level l) {
  return l == Level::Baseline ? "baseline" : "restricted";
}

Level parse_level(std::string_view s, std::string_view flag) {
  if (s == "baseline") return Level::Baseline;
  if (s == "restricted") return Level::Restricted;
  throw UsageError(std::string(flag) + ": '" + std::string(s) +
                   "' is not a Pod Security Standards level (choose baseline or restricted; "
                   "privileged checks nothing)");
}

int parse_version(std::string_view s, std::string_view flag) {
  if (s == "latest") return kLatestMinor;
  std::string_view v = s;
  if (v.starts_with("v")) v.remove_prefix(1);
  int minor = -1;
  if (v.starts_with("1.")) {
    v.remove_prefix(2);
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), minor);
    if (ec != std::errc() || p != v.data() + v.size()) minor = -1;
  }
  if (minor < 0)
    throw UsageError(std::string(flag) + ": '" + std::string(s) +
                     "' is not a Kubernetes version (use latest or v1.NN, e.g. v1.30)");
  // Like PSA, a version newer than any known change is evaluated as the newest known.
  return std::min(minor, kNewestKnownMinor);
}

std::string version_name(int minor) {
  return "v1." + std::to_string(minor);
}

const std::vector<RuleInfo>& rules() {
  static const std::vector<RuleInfo> all = [] {
    std::vector<RuleInfo> out;
    for (const auto* list : {&baseline_checks(), &restricted_checks()})
      for (const auto& def : *list)
        out.push_back(def.info);
    return out;
  }();
  return all;
}

Level level_of(const RuleInfo& rule) {
  const CheckDef* def = find_def(rule);
  return def ? def->level : Level::Baseline;
}

int since_minor(const RuleInfo& rule) {
  const CheckDef* def = find_def(rule);
  return def ? def->since : 0;
}

void check(const Object& obj, const Options& options, Collector& out) {
  PodSpec spec = pod_spec_of(obj);
  if (spec.spec == nullptr) return;
  Pod pod = make_pod(obj, spec);

  std::vector<const CheckDef*> active;
  for (const auto& def : baseline_checks())
    if (def.since <= options.minor) active.push_back(&def);
  std::set<std::string> overridden;
  if (options.level == Level::Restricted) {
    for (const auto& def : restricted_checks()) {
      if (def.since > options.minor) continue;
      active.push_back(&def);
      overridden.insert(def.overrides.begin(), def.overrides.end());
    }
  }
  Subject subject = Subject::of(obj);
  for (const CheckDef* def : active) {
    if (overridden.count(def->info.id)) continue;
    // Findings carry the catalogue entry (rules()), so the policy can find them by address.
    const RuleInfo& info = *std::find_if(rules().begin(), rules().end(),
                                         [&](const RuleInfo& r) { return r.id == def->info.id; });
    out.raise(info, subject, def->run(pod, options.minor));
  }
}

}  // namespace tollgate::posture::pss
