#include "posture/gate.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <span>
#include <tuple>

#include "posture/terraform.h"
#include "posture/workload.h"
#include "util/parallel.h"
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

// The rules that look at one object at a time, on every core for large inputs: each piece
// collects on its own and the pieces are joined in input order.
void check_each_object(const std::vector<Object>& objects, const Options& options, bool pss_on,
                       bool workload_on, Collector& out) {
  auto run = [&](std::span<const Object> part, Collector& c) {
    if (pss_on)
      for (const auto& obj : part)
        pss::check(obj, options.pss, c);
    if (workload_on) workload::check_pods(part, c);
  };
  constexpr size_t kPerThreadMinimum = 1000;
  size_t pieces = parallel::piece_count(objects.size(), kPerThreadMinimum);
  if (pieces < 2) {
    run(objects, out);
    return;
  }
  std::vector<Collector> parts(pieces);
  std::span<const Object> all(objects);
  // Rethrows an Error from a malformed object once every piece is done.
  parallel::for_pieces(objects.size(), kPerThreadMinimum,
                       [&](size_t piece, size_t begin, size_t end) {
                         run(all.subspan(begin, end - begin), parts[piece]);
                       });
  for (auto& part : parts)
    for (auto& r : part.raised())
      out.raised().push_back(std::move(r));
}

// Findings are listed by object in input order: file, then position in the file.
struct InputOrder {
  std::map<std::string, size_t> file_index;

  explicit InputOrder(const Inputs& inputs) {
    for (const auto& f : inputs.files)
      file_index.emplace(f, file_index.size());
  }
  std::tuple<size_t, int, int> key(const SourceLocation& where) const {
    auto it = file_index.find(where.file);
    return {it == file_index.end() ? file_index.size() : it->second, where.line, where.column};
  }
};

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
  check_each_object(inputs.objects, options, pack_applies(packs, Pack::Pss),
                    pack_applies(packs, Pack::Workload), collector);
  if (pack_applies(packs, Pack::Workload)) workload::check_cluster(inputs.objects, collector);
  if (pack_applies(packs, Pack::Terraform))
    for (const Node* plan : inputs.plans)
      terraform::check(*plan, collector);
  if (pack_applies(packs, Pack::Custom))
    check_custom(options.policy.custom, inputs.objects, collector);

  std::string today = options.today.empty() ? utc_today() : options.today;
  std::set<std::pair<std::string, std::string>> pss_seen;  // (subject, check id)
  for (const auto& r : collector.raised())
    if (r.rule->pack == Pack::Pss) pss_seen.insert({r.subject.name, r.rule->id});

  InputOrder order(inputs);
  std::stable_sort(collector.raised().begin(), collector.raised().end(),
                   [&](const Raised& a, const Raised& b) {
                     return order.key(a.subject.where) < order.key(b.subject.where);
                   });

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

  // Grouped by object (already in input order), most severe first within an object.
  auto group_start = v.findings.begin();
  while (group_start != v.findings.end()) {
    auto group_end = std::find_if(group_start, v.findings.end(), [&](const verdict::Finding& f) {
      return f.subject != group_start->subject;
    });
    std::stable_sort(group_start, group_end,
                     [](const verdict::Finding& a, const verdict::Finding& b) {
                       if (a.severity != b.severity) return a.severity > b.severity;
                       return a.id < b.id;
                     });
    group_start = group_end;
  }

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
