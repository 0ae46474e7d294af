#include "scan/matcher.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "util/strings.h"

namespace tollgate::scan {
namespace {

using verdict::Severity;

int compare_or_throw(Scheme scheme, const std::string& a, const std::string& b,
                     const std::string& record_id) {
  try {
    return compare_versions(scheme, a, b);
  } catch (const Error& e) {
    throw Error("OSV record " + record_id + ": " + e.what());
  }
}

bool is_cve(const std::string& id) {
  return id.starts_with("CVE-");
}

}  // namespace

RangeVerdict evaluate_affected(const OsvAffected& a, Scheme ecosystem_scheme,
                               const std::string& version, const std::string& record_id) {
  RangeVerdict out;
  bool in_range = false, unfixed_range = false;
  std::string max_fix;
  for (const auto& listed : a.versions)
    if (listed == version) out.affected = true;
  for (const auto& range : a.ranges) {
    Scheme scheme;
    if (range.type == "ECOSYSTEM")
      scheme = ecosystem_scheme;
    else if (range.type == "SEMVER")
      scheme = Scheme::Semver;
    else
      continue;
    auto cmp = [&](const std::string& x, const std::string& y) {
      return compare_or_throw(scheme, x, y, record_id);
    };
    // limit: the range only covers versions below one of its limits ("*" is no limit).
    bool limited = false, under_limit = false;
    for (const auto& e : range.events)
      if (e.kind == OsvEvent::Kind::Limit && e.version != "*") {
        limited = true;
        if (cmp(version, e.version) < 0) under_limit = true;
      }
    if (limited && !under_limit) continue;
    std::vector<OsvEvent> events;
    for (const auto& e : range.events)
      if (e.kind != OsvEvent::Kind::Limit) events.push_back(e);
    // Records do not always list events in order; "introduced 0" is before everything, and at
    // equal versions an introduction comes first so "introduced X, fixed X" affects nothing.
    auto zero = [](const OsvEvent& e) {
      return e.kind == OsvEvent::Kind::Introduced && e.version == "0";
    };
    std::stable_sort(events.begin(), events.end(), [&](const OsvEvent& x, const OsvEvent& y) {
      if (zero(x) || zero(y)) return zero(x) && !zero(y);
      int c = cmp(x.version, y.version);
      if (c != 0) return c < 0;
      return x.kind == OsvEvent::Kind::Introduced && y.kind != OsvEvent::Kind::Introduced;
    });
    bool vulnerable = false;
    size_t vulnerable_from = 0;
    for (size_t i = 0; i < events.size(); ++i) {
      const auto& e = events[i];
      switch (e.kind) {
        case OsvEvent::Kind::Introduced:
          if (zero(e) || cmp(version, e.version) >= 0) {
            vulnerable = true;
            vulnerable_from = i;
          }
          break;
        case OsvEvent::Kind::Fixed:
          if (cmp(version, e.version) >= 0) vulnerable = false;
          break;
        case OsvEvent::Kind::LastAffected:
          if (cmp(version, e.version) > 0) vulnerable = false;
          break;
        case OsvEvent::Kind::Limit:
          break;
      }
    }
    if (!vulnerable) continue;
    in_range = true;
    std::string fix;
    for (size_t i = vulnerable_from + 1; i < events.size(); ++i)
      if (events[i].kind == OsvEvent::Kind::Fixed) {
        fix = events[i].version;
        break;
      }
    // Several ranges may hold the version: only a version above every one of their fixes is
    // safe, and one range without a fix leaves the vulnerability unfixed.
    if (fix.empty())
      unfixed_range = true;
    else if (max_fix.empty() || cmp(fix, max_fix) > 0)
      max_fix = fix;
  }
  out.affected = out.affected || in_range;
  if (in_range && !unfixed_range) out.fixed = max_fix;
  return out;
}

namespace {

int severity_rank(const Match& m) {
  return Rating{m.severity, m.severity_source}.rank();
}

void merge_into(Match& into, const Match& m) {
  for (const auto& r : m.records)
    if (std::find(into.records.begin(), into.records.end(), r) == into.records.end())
      into.records.push_back(r);
  for (const auto& a : m.aliases)
    if (a != into.id &&
        std::find(into.aliases.begin(), into.aliases.end(), a) == into.aliases.end())
      into.aliases.push_back(a);
  // An unfixed record (the tracker's "open") and a fixed one (a DSA) for the same CVE: the fix
  // is real, so report it; two fixes: the later one is the one that covers both.
  if (into.fixed_version.empty()) into.fixed_version = m.fixed_version;
  if (severity_rank(m) > severity_rank(into) ||
      (severity_rank(m) == severity_rank(into) && m.severity > into.severity)) {
    into.severity = m.severity;
    into.severity_source = m.severity_source;
  }
  if (into.vendor_severity.empty()) into.vendor_severity = m.vendor_severity;
  if (into.summary.empty()) into.summary = m.summary;
  for (const auto& l : m.links)
    if (std::find(into.links.begin(), into.links.end(), l) == into.links.end())
      into.links.push_back(l);
}

// The findings of one source package at one version, without the binary package they will be
// reported on. Advisories are looked up once per scan, and only for entries that match.
class SourceMatcher {
 public:
  SourceMatcher(VulnStore& store, std::string ecosystem, Scheme scheme)
      : store_(store), ecosystem_(std::move(ecosystem)), scheme_(scheme) {}

  std::vector<Match> matches(const std::string& source, const std::string& version) {
    auto entries = entries_.find(source);
    if (entries == entries_.end())
      entries = entries_.emplace(source, store_.affected(ecosystem_, source)).first;
    // Findings keyed by vulnerability: the CVEs a record names (its id, aliases and upstream),
    // else the record's own id. A DSA naming three CVEs adds to three findings;
    // DEBIAN-CVE-2023-4911 and DSA-5514-1 meet in CVE-2023-4911.
    std::map<std::string, Match> found;
    for (const auto& entry : entries->second) {
      RangeVerdict rv = evaluate_affected(entry.affected, scheme_, version, entry.advisory_id);
      if (!rv.affected) continue;
      const Advisory* adv = advisory(entry.advisory_id);
      if (!adv) continue;  // withdrawn
      std::set<std::string> names = {adv->id};
      names.insert(adv->aliases.begin(), adv->aliases.end());
      names.insert(adv->upstream.begin(), adv->upstream.end());
      std::vector<std::string> keys;
      for (const auto& n : names)
        if (is_cve(n)) keys.push_back(n);
      if (keys.empty()) keys.push_back(adv->id);
      for (const auto& key : keys) {
        Match m;
        m.ecosystem = ecosystem_;
        m.id = key;
        m.records = {adv->id};
        for (const auto& n : names)
          if (n != key && (!is_cve(n) || keys.size() == 1)) m.aliases.push_back(n);
        m.fixed_version = rv.fixed;
        m.summary = adv->summary;
        m.links = adv->references;
        m.severity = entry.rating.severity;
        m.severity_source = entry.rating.source;
        m.vendor_severity = entry.affected.urgency;
        auto [slot, inserted] = found.try_emplace(key, std::move(m));
        if (!inserted) merge_into(slot->second, m);
      }
    }
    std::vector<Match> out;
    out.reserve(found.size());
    for (auto& [key, m] : found)
      out.push_back(std::move(m));
    return out;
  }

 private:
  const Advisory* advisory(const std::string& id) {
    auto it = advisories_.find(id);
    if (it == advisories_.end()) it = advisories_.emplace(id, store_.advisory(id)).first;
    return it->second ? &*it->second : nullptr;
  }

  VulnStore& store_;
  std::string ecosystem_;
  Scheme scheme_;
  std::unordered_map<std::string, std::vector<AffectedEntry>> entries_;
  std::unordered_map<std::string, std::optional<Advisory>> advisories_;
};

}  // namespace

std::vector<Match> match_inventory(const Inventory& inventory, VulnStore& store) {
  const std::string& ecosystem = inventory.os.ecosystem;
  auto scheme = scheme_for_ecosystem(ecosystem);
  if (!scheme) throw Error("no version ordering known for ecosystem '" + ecosystem + "'");
  SourceMatcher matcher(store, ecosystem, *scheme);
  struct Shared {
    std::vector<Match> matches;
    size_t users = 0;  // binary packages still to receive them
  };
  std::map<std::pair<std::string, std::string>, Shared> by_source;
  std::vector<Shared*> per_package;
  per_package.reserve(inventory.packages.size());
  size_t total = 0;
  for (const auto& pkg : inventory.packages) {
    auto key = std::make_pair(pkg.source_name, pkg.source_version);
    auto it = by_source.find(key);
    if (it == by_source.end())
      it = by_source.emplace(key, Shared{matcher.matches(pkg.source_name, pkg.source_version), 0})
               .first;
    ++it->second.users;
    per_package.push_back(&it->second);
    total += it->second.matches.size();
  }
  // Sized once: thousands of findings grown by doubling would copy and free megabytes. The last
  // binary package of a source takes its findings instead of copying them.
  std::vector<Match> out;
  out.reserve(total);
  for (size_t i = 0; i < inventory.packages.size(); ++i) {
    const Package& pkg = inventory.packages[i];
    Shared& shared = *per_package[i];
    bool last = --shared.users == 0;
    for (Match& m : shared.matches) {
      if (last)
        out.push_back(std::move(m));
      else
        out.push_back(m);
      out.back().package = pkg;
      out.back().kernel_headers = pkg.source_name == "linux";
    }
  }
  return out;
}

}  // namespace tollgate::scan
