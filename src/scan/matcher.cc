#include "scan/matcher.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <span>
#include <thread>
#include <unordered_map>

#include "util/parallel.h"
#include "util/strings.h"

namespace tollgate::scan {
namespace {

using verdict::Severity;

int compare_or_throw(Scheme scheme, std::string_view a, std::string_view b,
                     std::string_view record_id) {
  try {
    return compare_versions(scheme, a, b);
  } catch (const Error& e) {
    throw Error("OSV record " + std::string(record_id) + ": " + e.what());
  }
}

bool is_cve(const std::string& id) {
  return id.starts_with("CVE-");
}

using Event = AffectedView::Event;

bool is_zero(const Event& e) {
  return e.kind == OsvEvent::Kind::Introduced && e.version == "0";
}

}  // namespace

RangeVerdict evaluate_affected(const AffectedView& a, Scheme ecosystem_scheme,
                               std::string_view version, std::string_view record_id) {
  RangeVerdict out;
  bool in_range = false, unfixed_range = false;
  std::string_view max_fix;
  for (auto listed : a.versions)
    if (listed == version) out.affected = true;
  for (const auto& range : a.ranges) {
    Scheme scheme;
    if (range.type == "ECOSYSTEM")
      scheme = ecosystem_scheme;
    else if (range.type == "SEMVER")
      scheme = Scheme::Semver;
    else
      continue;
    auto cmp = [&](std::string_view x, std::string_view y) {
      return compare_or_throw(scheme, x, y, record_id);
    };
    std::span<const Event> events(a.events.data() + range.first, range.count);
    // limit: the range only covers versions below one of its limits ("*" is no limit).
    bool limited = false, under_limit = false, has_limit = false;
    for (const auto& e : events)
      if (e.kind == OsvEvent::Kind::Limit) {
        has_limit = true;
        if (e.version == "*") continue;
        limited = true;
        if (cmp(version, e.version) < 0) under_limit = true;
      }
    if (limited && !under_limit) continue;
    // Records do not always list events in order; "introduced 0" is before everything, and at
    // equal versions an introduction comes first so "introduced X, fixed X" affects nothing.
    auto before = [&](const Event& x, const Event& y) {
      if (is_zero(x) || is_zero(y)) return is_zero(x) && !is_zero(y);
      int c = cmp(x.version, y.version);
      if (c != 0) return c < 0;
      return x.kind == OsvEvent::Kind::Introduced && y.kind != OsvEvent::Kind::Introduced;
    };
    // Nearly every range is stored in order ("introduced 0, fixed X" costs no comparison here):
    // only one with limits or out of order is copied and sorted.
    bool ordered = !has_limit;
    for (size_t i = 1; ordered && i < events.size(); ++i)
      ordered = !before(events[i], events[i - 1]);
    std::vector<Event> sorted;
    if (!ordered) {
      for (const auto& e : events)
        if (e.kind != OsvEvent::Kind::Limit) sorted.push_back(e);
      std::stable_sort(sorted.begin(), sorted.end(), before);
      events = sorted;
    }
    bool vulnerable = false;
    size_t vulnerable_from = 0;
    for (size_t i = 0; i < events.size(); ++i) {
      const auto& e = events[i];
      switch (e.kind) {
        case OsvEvent::Kind::Introduced:
          if (is_zero(e) || cmp(version, e.version) >= 0) {
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
    std::string_view fix;
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

RangeVerdict evaluate_affected(const OsvAffected& a, Scheme scheme, std::string_view version,
                               std::string_view record_id) {
  AffectedView view;
  view.read(a);
  return evaluate_affected(view, scheme, version, record_id);
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

// Runs work(store, i) for every i in [0, count) on `threads` threads (the caller's among them),
// each with its own database connection: SQLite connections are not shared between threads.
// Threads take `batch` adjacent items at a time, so each reads neighbouring rows of the store and
// one heavy item does not leave the others idle. The first failure stops the rest and is
// rethrown. Each connection holds one read transaction for the Workers' life, so every pass
// reads the same data even if an import commits meanwhile.
class Workers {
 public:
  Workers(VulnStore& store, size_t threads) : store_(store) {
    for (size_t t = 1; t < threads; ++t)
      more_.push_back(std::make_unique<VulnStore>(store.path()));
    snapshots_.push_back(std::make_unique<db::ReadTransaction>(store.database()));
    for (auto& st : more_)
      snapshots_.push_back(std::make_unique<db::ReadTransaction>(st->database()));
  }

  void run(size_t count, size_t batch, const std::function<void(VulnStore&, size_t)>& work) {
    std::atomic<size_t> next{0};
    std::mutex failed_mutex;
    std::exception_ptr failed;
    auto loop = [&](VulnStore& st) {
      try {
        for (;;) {
          size_t first = next.fetch_add(batch);
          if (first >= count) break;
          for (size_t i = first; i < std::min(first + batch, count); ++i)
            work(st, i);
        }
      } catch (...) {
        next = count;
        std::lock_guard lock(failed_mutex);
        if (!failed) failed = std::current_exception();
      }
    };
    std::vector<std::thread> threads;
    for (auto& st : more_)
      threads.emplace_back(loop, std::ref(*st));
    loop(store_);
    for (auto& t : threads)
      t.join();
    if (failed) std::rethrow_exception(failed);
  }

  size_t threads() const { return more_.size() + 1; }

 private:
  VulnStore& store_;
  std::vector<std::unique_ptr<VulnStore>> more_;
  std::vector<std::unique_ptr<db::ReadTransaction>> snapshots_;  // ended before more_ closes
};

// An affected entry that holds the installed version.
struct Hit {
  std::string advisory_id, stored, fixed;
};

using SourceKey = std::pair<std::string, std::string>;  // source package name and version

// The findings of one source from its hits. Findings are keyed by vulnerability: the CVEs a
// record names (its id, aliases and upstream), else the record's own id. A DSA naming three CVEs
// adds to three findings; DEBIAN-CVE-2023-4911 and DSA-5514-1 meet in CVE-2023-4911.
std::vector<Match> findings_of(const std::vector<Hit>& hits, const std::string& ecosystem,
                               const std::function<const Advisory*(const std::string&)>& advisory) {
  std::map<std::string, Match> found;
  for (const auto& hit : hits) {
    const Advisory* adv = advisory(hit.advisory_id);
    if (!adv) continue;  // withdrawn
    Rating rating;
    OsvAffected entry = decode_affected(hit.stored, rating);
    std::set<std::string> names = {adv->id};
    names.insert(adv->aliases.begin(), adv->aliases.end());
    names.insert(adv->upstream.begin(), adv->upstream.end());
    std::vector<std::string> keys;
    for (const auto& n : names)
      if (is_cve(n)) keys.push_back(n);
    if (keys.empty()) keys.push_back(adv->id);
    for (const auto& key : keys) {
      Match m;
      m.ecosystem = ecosystem;
      m.id = key;
      m.records = {adv->id};
      for (const auto& n : names)
        if (n != key && (!is_cve(n) || keys.size() == 1)) m.aliases.push_back(n);
      m.fixed_version = hit.fixed;
      m.summary = adv->summary;
      m.links = adv->references;
      m.severity = rating.severity;
      m.severity_source = rating.source;
      m.vendor_severity = entry.urgency;
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

// The findings of every distinct source, in three passes. Every entry of every source is
// evaluated in place and only hits are copied; then the advisories of all hits are read in id
// order (neighbouring rows of the store, each once); then the findings are put together. The
// result does not depend on the number of threads.
std::vector<std::vector<Match>> match_sources(const std::vector<SourceKey>& keys, size_t threads,
                                              VulnStore& store, const std::string& ecosystem,
                                              Scheme scheme) {
  if (threads == 0)
    threads = std::min({size_t{std::max(1u, std::thread::hardware_concurrency())}, size_t{4},
                        (keys.size() + 31) / 32});
  Workers workers(store, std::max<size_t>(threads, 1));
  std::vector<std::vector<Hit>> hits(keys.size());
  workers.run(keys.size(), 8, [&](VulnStore& st, size_t i) {
    AffectedView view;  // reused for every entry of this source
    const std::string& name = keys[i].first;
    const std::string& version = keys[i].second;
    st.each_affected(ecosystem, name, [&](std::string_view id, std::string_view stored) {
      view.read(stored);
      RangeVerdict rv = evaluate_affected(view, scheme, version, id);
      if (rv.affected)
        hits[i].push_back({std::string(id), std::string(stored), std::move(rv.fixed)});
    });
  });
  std::vector<std::string> ids;
  for (const auto& list : hits)
    for (const auto& h : list)
      ids.push_back(h.advisory_id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<std::optional<Advisory>> advisories(ids.size());
  size_t share = (ids.size() + workers.threads() - 1) / workers.threads();
  workers.run(ids.size(), std::max<size_t>(share, 1),
              [&](VulnStore& st, size_t i) { advisories[i] = st.advisory(ids[i]); });
  auto advisory = [&](const std::string& id) -> const Advisory* {
    auto it = std::lower_bound(ids.begin(), ids.end(), id);
    auto& a = advisories[static_cast<size_t>(it - ids.begin())];
    return a ? &*a : nullptr;
  };
  std::vector<std::vector<Match>> results(keys.size());
  parallel::for_pieces(keys.size(), 64, [&](size_t, size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i)
      results[i] = findings_of(hits[i], ecosystem, advisory);
  });
  return results;
}

}  // namespace

std::vector<Match> match_inventory(const Inventory& inventory, VulnStore& store, size_t threads) {
  const std::string& ecosystem = inventory.os.ecosystem;
  auto scheme = scheme_for_ecosystem(ecosystem);
  if (!scheme) throw Error("no version ordering known for ecosystem '" + ecosystem + "'");
  // Binary packages built from one source at one version share their findings: each distinct
  // source is matched once. Sources go in name order, the store's own, so that the lookups walk
  // its B-tree forwards.
  std::map<SourceKey, size_t> index;
  for (const auto& pkg : inventory.packages)
    index.try_emplace({pkg.source_name, pkg.source_version}, 0);
  std::vector<SourceKey> keys;
  keys.reserve(index.size());
  for (auto& [key, i] : index) {
    i = keys.size();
    keys.push_back(key);
  }
  std::vector<size_t> key_of;  // per package
  key_of.reserve(inventory.packages.size());
  for (const auto& pkg : inventory.packages)
    key_of.push_back(index.at({pkg.source_name, pkg.source_version}));
  std::vector<std::vector<Match>> results = match_sources(keys, threads, store, ecosystem, *scheme);
  std::vector<size_t> users(keys.size(), 0);  // binary packages still to receive them
  size_t total = 0;
  for (size_t k : key_of) {
    ++users[k];
    total += results[k].size();
  }
  // Sized once: thousands of findings grown by doubling would copy and free megabytes. The last
  // binary package of a source takes its findings instead of copying them.
  std::vector<Match> out;
  out.reserve(total);
  for (size_t i = 0; i < inventory.packages.size(); ++i) {
    const Package& pkg = inventory.packages[i];
    size_t k = key_of[i];
    bool last = --users[k] == 0;
    for (Match& m : results[k]) {
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
