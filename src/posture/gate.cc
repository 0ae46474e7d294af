#include "posture/gate.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "posture/terraform.h"
#include "posture/workload.h"
#include "util/strings.h"

namespace tollgate::posture {
namespace {

using verdict::Severity;

std::string utc_today() {
  auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  std::chrono::year_month_day ymd{now};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

// A workload rule that restates a PSS control: when PSS ran on the same object, its finding
// is the one that counts.
const std::map<std::string, std::string> kCoveredByPss = {{"host-port", "hostPorts"}};

bool pack_applies(const std::set<Pack>& chosen, Pack p) {
  return chosen.empty() || chosen.count(p) > 0;
}

std::string join_hits(const std::vector<Hit>& hits) {
  std::vector<std::string> parts;
  for (const auto& h : hits)
    parts.push_back(h.what);
  return str::join(parts, "; ");
}

verdict::Finding to_finding(const Raised& r, Severity severity, const Options& options) {
  verdict::Finding f;
  f.id = r.rule->id;
  f.severity = severity;
  f.title = r.unverifiable ? "Cannot be verified before apply: " + r.rule->title : r.rule->title;
  f.detail = join_hits(r.hits);
  f.subject = r.subject.name;
  f.location = r.hits.front().where.known() ? r.hits.front().where : r.subject.where;
  f.fix = r.rule->fix;
  f.properties["pack"] = std::string(to_string(r.rule->pack));
  f.properties["why"] = r.rule->why;
  if (r.rule->pack == Pack::Pss) {
    f.properties["pss_level"] = std::string(pss::to_string(pss::level_of(*r.rule)));
    f.properties["pss_version"] = pss::version_name(options.pss.minor);
  }
  if (r.unverifiable) f.properties["unverifiable"] = true;
  if (r.hits.size() > 1) {
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& h : r.hits)
      fields.push_back({{"where", h.where.str()}, {"what", h.what}});
    f.properties["fields"] = fields;
  }
  // PSS is a standard, not advice: a violation at the chosen level always closes the gate.
  f.blocking = r.rule->pack == Pack::Pss || severity >= options.fail_on;
  return f;
}

}  // namespace

std::vector<const RuleInfo*> all_rules() {
  std::vector<const RuleInfo*> out;
  for (const auto* list : {&pss::rules(), &workload::rules(), &terraform::rules()})
    for (const auto& r : *list)
      out.push_back(&r);
  return out;
}

verdict::Verdict evaluate(const Inputs& inputs, const Options& options) {
  if (inputs.objects.empty() && inputs.plans.empty() && inputs.lists == 0)
    throw Error("no Kubernetes objects or Terraform plans in the inputs (" +
                std::to_string(inputs.files.size()) + " files read)");
  Collector collector;
  const std::set<Pack>& packs = options.packs;
  if (pack_applies(packs, Pack::Pss))
    for (const auto& obj : inputs.objects)
      pss::check(obj, options.pss, collector);
  if (pack_applies(packs, Pack::Workload)) {
    workload::check_pods(inputs.objects, collector);
    workload::check_cluster(inputs.objects, collector);
  }
  if (pack_applies(packs, Pack::Terraform))
    for (const Node* plan : inputs.plans)
      terraform::check(*plan, collector);
  if (pack_applies(packs, Pack::Custom))
    check_custom(options.policy.custom, inputs.objects, collector);

  std::string today = options.today.empty() ? utc_today() : options.today;
  std::set<std::pair<std::string, std::string>> pss_seen;  // (subject, check id)
  for (const auto& r : collector.raised())
    if (r.rule->pack == Pack::Pss) pss_seen.insert({r.subject.name, r.rule->id});

  verdict::Verdict v;
  v.gate = "posture";
  nlohmann::json exempted = nlohmann::json::array();
  std::map<std::string, int> by_severity;
  int pss_violations = 0, blocking = 0, unverifiable = 0;
  for (const auto& r : collector.raised()) {
    if (options.policy.disabled.count(r.rule->id)) continue;
    auto covered = kCoveredByPss.find(r.rule->id);
    if (covered != kCoveredByPss.end() && pss_seen.count({r.subject.name, covered->second}))
      continue;
    const Exemption* exemption = nullptr;
    for (const auto& e : options.policy.exemptions)
      if (!e.expired(today) && e.matches(r)) exemption = &e;
    if (exemption != nullptr) {
      exempted.push_back({{"id", r.rule->id},
                          {"subject", r.subject.name},
                          {"reason", exemption->reason},
                          {"expires", exemption->expires},
                          {"exemption", exemption->where.str()}});
      continue;
    }
    auto sev_override = options.policy.severities.find(r.rule->id);
    Severity severity =
        sev_override != options.policy.severities.end() ? sev_override->second : r.rule->severity;
    verdict::Finding f = to_finding(r, severity, options);
    by_severity[std::string(verdict::to_string(f.severity))]++;
    pss_violations += r.rule->pack == Pack::Pss ? 1 : 0;
    blocking += f.blocking ? 1 : 0;
    unverifiable += r.unverifiable ? 1 : 0;
    v.findings.push_back(std::move(f));
  }
  // Expired exemptions are worth knowing about even when they no longer hide anything.
  nlohmann::json expired = nlohmann::json::array();
  for (const auto& e : options.policy.exemptions)
    if (e.expired(today)) expired.push_back(e.where.str() + " (expired " + e.expires + ")");

  // Grouped by object in input order, most severe first within an object.
  std::map<std::string, size_t> first_seen;
  for (const auto& f : v.findings)
    first_seen.emplace(f.subject, first_seen.size());
  std::stable_sort(v.findings.begin(), v.findings.end(),
                   [&](const verdict::Finding& a, const verdict::Finding& b) {
                     if (a.subject != b.subject)
                       return first_seen[a.subject] < first_seen[b.subject];
                     if (a.severity != b.severity) return a.severity > b.severity;
                     return a.id < b.id;
                   });

  size_t workloads = std::count_if(inputs.objects.begin(), inputs.objects.end(),
                                   [](const Object& o) { return pod_spec_of(o).spec != nullptr; });
  size_t resources = 0;
  for (const Node* plan : inputs.plans)
    resources += terraform::resource_count(*plan);
  v.summary = {{"files", inputs.files.size()},
               {"objects", inputs.objects.size()},
               {"workloads", workloads},
               {"terraform_plans", inputs.plans.size()},
               {"terraform_resources", resources},
               {"skipped_documents", inputs.skipped_documents},
               {"pss_level", std::string(pss::to_string(options.pss.level))},
               {"pss_version", pss::version_name(options.pss.minor)},
               {"fail_on", std::string(verdict::to_string(options.fail_on))},
               {"findings", v.findings.size()},
               {"pss_violations", pss_violations},
               {"unverifiable", unverifiable},
               {"by_severity", by_severity},
               {"exempted", exempted.size()},
               {"exemptions", exempted},
               {"expired_exemptions", expired}};
  if (!options.policy.file.empty()) v.summary["policy"] = options.policy.file;

  std::string level =
      std::string(pss::to_string(options.pss.level)) + " " + pss::version_name(options.pss.minor);
  if (blocking > 0) {
    v.status = verdict::Status::Fail;
    std::vector<std::string> why;
    if (pss_violations > 0)
      why.push_back(std::to_string(pss_violations) + " Pod Security Standards (" + level +
                    ") violation" + (pss_violations == 1 ? "" : "s"));
    int others = blocking - pss_violations;
    if (others > 0)
      why.push_back(std::to_string(others) + " finding" + (others == 1 ? "" : "s") +
                    " at or above " + std::string(verdict::to_string(options.fail_on)));
    v.reason = str::join(why, " and ");
  } else {
    v.status = verdict::Status::Pass;
    std::vector<std::string> checked;
    if (!inputs.objects.empty())
      checked.push_back(std::to_string(inputs.objects.size()) + " Kubernetes objects (" +
                        std::to_string(workloads) + " workloads, Pod Security Standards " + level +
                        ")");
    if (!inputs.plans.empty())
      checked.push_back(std::to_string(resources) + " Terraform resources");
    if (checked.empty()) checked.push_back("an empty List");
    v.reason = "checked " + str::join(checked, " and ") + ": " + std::to_string(v.findings.size()) +
               " findings, none blocking";
  }
  return v;
}

}  // namespace tollgate::posture
