#include "pipeline/resolver.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>

#include "pipeline/includer.h"
#include "util/files.h"
#include "util/strings.h"

namespace tollgate::pipeline {
namespace {

using yaml::Kind;
using yaml::Node;

constexpr int kMaxReferenceDepth = 10;
constexpr int kMaxExtendsDepth = 11;

const std::vector<std::string> kReserved = {"stages",        "variables",    "default",  "include",
                                            "workflow",      "image",        "services", "cache",
                                            "before_script", "after_script", "spec",     "types"};

const std::vector<std::string> kDefaultKeys = {
    "after_script", "artifacts",     "before_script", "cache",    "hooks", "id_tokens",
    "image",        "interruptible", "retry",         "services", "tags",  "timeout"};

void set_entry(Node& map, const std::string& key, Node value) {
  if (Node* existing = map.find(key)) {
    *existing = std::move(value);
    return;
  }
  map.entries.push_back({Node::make_scalar(key, value.where), std::move(value)});
}

void remove_entry(Node& map, const std::string& key) {
  map.entries.erase(std::remove_if(map.entries.begin(), map.entries.end(),
                                   [&](const Node::Entry& e) { return e.key.scalar == key; }),
                    map.entries.end());
}

// A mapping's values by key, as Node::find has them (the last of a repeated key wins). Merging
// a 40,000-job file under its includes looked each key up in the other; a hash keeps that
// linear, while a job's dozen keys are searched in place.
class KeyIndex {
 public:
  // map's entries must not be reallocated while the index is used.
  KeyIndex(Node& map, size_t lookups) : map_(map) {
    if (lookups * map.entries.size() < 256) return;
    hashed_ = true;
    for (auto& e : map.entries)
      add(e);
  }
  Node* find(std::string_view key) {
    if (!hashed_) return map_.find(key);
    auto it = by_key_.find(key);
    return it == by_key_.end() ? nullptr : it->second;
  }
  void add(Node::Entry& e) {
    if (hashed_ && e.key.kind == Kind::Scalar) by_key_[e.key.scalar] = &e.value;
  }

 private:
  Node& map_;
  bool hashed_ = false;
  std::unordered_map<std::string_view, Node*> by_key_;
};

// What the includes that could not be had leave undefined. A job that extends, references or
// needs something undefined is an error in a complete pipeline; with an include missing it may
// be defined there, so the job is marked as unable to run here instead, and the rest plans.
class Missing {
 public:
  Missing(const std::vector<Includer::Unavailable>& unavailable,
          std::map<std::string, std::string>& unrunnable)
      : unavailable_(unavailable), unrunnable_(unrunnable) {}

  // Marks job as unable to run because `what` (an undefined name); false when every include
  // was had, and `what` is an error.
  bool mark(const std::string& job, const std::string& what) {
    if (unavailable_.empty()) return false;
    unrunnable_.emplace(job, what + "; " + maybe_from(unavailable_));
    return true;
  }
  // A job that extends an unrunnable one cannot run either, for the same reason.
  void inherit(const std::string& job, const std::string& parent) {
    auto it = unrunnable_.find(parent);
    if (it != unrunnable_.end()) unrunnable_.emplace(job, it->second);
  }

 private:
  const std::vector<Includer::Unavailable>& unavailable_;
  std::map<std::string, std::string>& unrunnable_;
};

class ReferenceResolver {
 public:
  ReferenceResolver(const Node& root, Missing& missing, std::vector<Error>& errors)
      : root_(root), missing_(missing), errors_(errors) {}

  // Replaces the !reference tags under each of the root's entries. Only what holds a tag is
  // copied: copying every subtree at every level was most of the time a 40,000-job file took.
  void resolve_entries(Node& root) {
    for (auto& e : root.entries) {
      entry_ = &e.key.scalar;
      if (std::optional<Node> r = resolved(e.value, 0)) e.value = std::move(*r);
    }
  }

 private:
  Node resolve(const Node& n, int depth) {
    std::optional<Node> r = resolved(n, depth);
    return r ? std::move(*r) : n;
  }

  // n with its !reference tags replaced, or nullopt when it holds none.
  std::optional<Node> resolved(const Node& n, int depth) {
    if (n.tag == "!reference") return lookup(n, depth);
    std::optional<Node> out;
    if (n.is_sequence()) {
      for (size_t i = 0; i < n.items.size(); ++i) {
        const Node& item = n.items[i];
        std::optional<Node> r = resolved(item, depth);
        if (!r && !out) continue;
        if (!out) {
          out = n;
          out->items.resize(i);  // the items before the first that changed
        }
        if (!r) {
          out->items.push_back(item);
        } else if (item.tag == "!reference" && (r->is_sequence() || r->is_null())) {
          // A list is spliced in; nothing (a missing key, already reported) adds nothing.
          for (auto& spliced : r->items)
            out->items.push_back(std::move(spliced));
        } else {
          out->items.push_back(std::move(*r));
        }
      }
    } else if (n.is_mapping()) {
      for (size_t i = 0; i < n.entries.size(); ++i) {
        std::optional<Node> r = resolved(n.entries[i].value, depth);
        if (!r) continue;
        if (!out) out = n;
        out->entries[i].value = std::move(*r);
      }
    }
    return out;
  }

  Node lookup(const Node& ref, int depth) {
    // What a broken reference leaves is null at the reference's place, so that anything said
    // about it later is said at file:line:col too.
    Node nothing;
    nothing.where = ref.where;
    if (depth >= kMaxReferenceDepth) {
      errors_.emplace_back(ref.where, "!reference nested deeper than 10 levels");
      return nothing;
    }
    if (!ref.is_sequence() || ref.items.empty()) {
      errors_.emplace_back(ref.where, "!reference takes a list: !reference [job, key, ...]");
      return nothing;
    }
    const Node* cur = &root_;
    std::string path;
    for (const auto& part : ref.items) {
      path += (path.empty() ? "" : ", ") + part.scalar;
      cur = cur->is_mapping() ? cur->find(part.scalar) : nullptr;
      if (!cur) {
        std::string what = "!reference [" + path + "] points at nothing";
        std::string full;
        for (const auto& p : ref.items)
          full += (full.empty() ? "" : ", ") + p.scalar;
        if (!missing_.mark(*entry_, "!reference [" + full + "] points at nothing")) {
          errors_.emplace_back(ref.where, what);
          return nothing;
        }
        return nothing;  // splices to nothing, or unsets a key: the job still reads as valid
      }
    }
    return resolve(*cur, depth + 1);
  }

  const Node& root_;
  Missing& missing_;
  std::vector<Error>& errors_;
  const std::string* entry_ = nullptr;
};

class Extender {
 public:
  Extender(Node& root, Missing& missing, std::vector<Error>& errors)
      : root_(root), missing_(missing), errors_(errors) {
    // root.find() per job made extending 40,000 jobs quadratic. The last of a repeated key wins,
    // as find() has it.
    for (const auto& e : root_.entries)
      if (e.key.kind == Kind::Scalar) by_name_[e.key.scalar] = &e.value;
  }

  // Each job's expansion is computed from the file as written (parents come from the cache),
  // then put in its place: a parent's result is shared by its children, never copied to them
  // whole before the one copy their merge takes.
  void run() {
    for (auto& e : root_.entries) {
      if (is_reserved_top_level_key(e.key.scalar) || !e.value.is_mapping()) continue;
      std::vector<std::string> chain;
      expanded(e.key.scalar, chain);
    }
    place_results();
  }

 private:
  // A job whose name is repeated takes the expansion of the last one, as find() has it; the last
  // takes it by a move, so the others copy it first.
  void place_results() {
    for (int moving = 0; moving < 2; ++moving) {
      for (auto& e : root_.entries) {
        if (is_reserved_top_level_key(e.key.scalar) || !e.value.is_mapping()) continue;
        bool last = find(e.key.scalar) == &e.value;
        if (last != (moving == 1)) continue;
        auto done = cache_.find(e.key.scalar);
        if (done != cache_.end())
          e.value = last ? std::move(done->second) : done->second;
        else if (const Node* job = find(e.key.scalar); !job || !job->is_mapping())
          e.value = Node{};
        else if (!last)
          e.value = *job;
      }
    }
  }

  // The job with its parents merged in: a cached expansion, or the job as written when it has
  // no `extends` (or a broken one); nullptr when there is no such job.
  const Node* expanded(const std::string& name, std::vector<std::string>& chain) {
    auto done = cache_.find(name);
    if (done != cache_.end()) return &done->second;
    const Node* job = find(name);
    if (!job || !job->is_mapping()) return nullptr;
    const Node* extends = job->find("extends");
    if (!extends) return job;
    if (std::find(chain.begin(), chain.end(), name) != chain.end()) {
      errors_.emplace_back(extends->where,
                           "extends cycle: " + str::join(chain, " -> ") + " -> " + name);
      return job;
    }
    if (chain.size() >= kMaxExtendsDepth) {
      errors_.emplace_back(extends->where,
                           "job '" + chain.front() + "': extends nested deeper than 11 levels");
      return job;
    }
    std::vector<const Node*> parents;
    if (extends->is_scalar()) {
      parents.push_back(extends);
    } else if (extends->is_sequence()) {
      for (const auto& p : extends->items)
        parents.push_back(&p);
    } else {
      errors_.emplace_back(extends->where, "extends takes a job name or a list of job names");
      return job;
    }
    chain.push_back(name);
    Node merged = merged_parents(name, parents, chain);
    chain.pop_back();
    Node own = *job;
    remove_entry(own, "extends");
    Node result = deep_merge(std::move(merged), std::move(own));
    result.where = job->where;
    remove_entry(result, "extends");
    return &(cache_[name] = std::move(result));
  }

  // The expansions of a job's parents merged in order (each later one over the earlier).
  Node merged_parents(const std::string& name, const std::vector<const Node*>& parents,
                      std::vector<std::string>& chain) {
    Node merged;
    merged.kind = Kind::Mapping;
    for (const Node* p : parents) {
      const Node* parent = find(p->scalar);
      if ((!parent || !parent->is_mapping()) &&
          missing_.mark(name, "extends '" + p->scalar + "', which is not defined"))
        continue;
      missing_.inherit(name, p->scalar);
      if (!parent || !parent->is_mapping()) {
        std::vector<std::string> names;
        for (const auto& e : root_.entries)
          names.push_back(e.key.scalar);
        std::string hint = str::closest(p->scalar, names);
        errors_.emplace_back(p->where, "job '" + name + "' extends '" + p->scalar +
                                           "', which does not exist" +
                                           (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
        continue;
      }
      merged = deep_merge(std::move(merged), *expanded(p->scalar, chain));
    }
    return merged;
  }

  const Node* find(const std::string& name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
  }

  Node& root_;
  Missing& missing_;
  std::vector<Error>& errors_;
  std::unordered_map<std::string_view, const Node*> by_name_;  // root's entries
  std::unordered_map<std::string, Node> cache_;                // expansions of jobs with `extends`
};

// Which default keys a job inherits, from `inherit: default: true|false|[keys]`.
std::set<std::string> inherited_defaults(const Node& job, std::vector<Error>& errors) {
  std::set<std::string> all(kDefaultKeys.begin(), kDefaultKeys.end());
  const Node* inherit = job.find("inherit");
  if (!inherit || !inherit->is_mapping()) return all;
  const Node* d = inherit->find("default");
  if (!d) return all;
  if (d->is_bool()) return d->as_bool() ? all : std::set<std::string>{};
  if (d->is_sequence()) {
    std::set<std::string> some;
    for (const auto& k : d->items)
      some.insert(k.scalar);
    return some;
  }
  errors.emplace_back(d->where, "inherit:default takes true, false or a list of keywords");
  return all;
}

}  // namespace

const std::vector<std::string>& reserved_top_level_keys() {
  return kReserved;
}

bool is_reserved_top_level_key(const std::string& key) {
  return std::find(kReserved.begin(), kReserved.end(), key) != kReserved.end();
}

Node deep_merge(Node base, Node over) {
  if (!base.is_mapping() || !over.is_mapping()) return over;
  base.entries.reserve(base.entries.size() + over.entries.size());
  KeyIndex index(base, over.entries.size());
  for (auto& e : over.entries) {
    Node* mine = index.find(e.key.scalar);
    if (mine && mine->is_mapping() && e.value.is_mapping()) {
      *mine = deep_merge(std::move(*mine), std::move(e.value));
    } else if (mine) {
      *mine = std::move(e.value);
    } else {
      base.entries.push_back({Node::make_scalar(e.key.scalar, e.value.where), std::move(e.value)});
      index.add(base.entries.back());
    }
  }
  base.where = std::move(over.where);
  return base;
}

Resolved resolve(Node root, const IncludeContext& context, std::vector<Error>& errors) {
  Resolved out;
  Includer includer(context, errors);
  Node tree = includer.expand(std::move(root));
  out.unavailable = includer.unavailable();
  // GitLab's order: include, then extends, then !reference, so a reference may name a key a
  // job has from its parents.
  Missing missing(out.unavailable, out.unrunnable);
  Extender extender(tree, missing, errors);
  extender.run();
  ReferenceResolver refs(tree, missing, errors);
  refs.resolve_entries(tree);

  Node defaults;
  defaults.kind = Kind::Mapping;
  for (const char* legacy : {"image", "services", "cache", "before_script", "after_script"})
    if (const Node* v = tree.find(legacy)) set_entry(defaults, legacy, *v);
  if (const Node* d = tree.find("default")) {
    if (!d->is_mapping()) {
      errors.emplace_back(d->where, "default must be a mapping of job keywords");
    } else {
      for (const auto& e : d->entries) {
        if (std::find(kDefaultKeys.begin(), kDefaultKeys.end(), e.key.scalar) ==
            kDefaultKeys.end()) {
          std::string hint = str::closest(e.key.scalar, kDefaultKeys);
          errors.emplace_back(e.key.where,
                              "'" + e.key.scalar + "' cannot be set in default" +
                                  (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
          continue;
        }
        set_entry(defaults, e.key.scalar, e.value);
      }
    }
  }
  for (auto& e : tree.entries) {
    if (is_reserved_top_level_key(e.key.scalar) || !e.value.is_mapping()) continue;
    if (!e.key.scalar.empty() && e.key.scalar[0] == '.') continue;
    std::set<std::string> allowed = inherited_defaults(e.value, errors);
    for (const auto& d : defaults.entries) {
      // A default is never merged with the job's own value: the job's value replaces it. A key
      // the job writes with no value is unset, as GitLab's entry factory has it: the default
      // fills it.
      Node* own = e.value.find(d.key.scalar);
      if (!allowed.count(d.key.scalar)) continue;
      if (!own)
        e.value.entries.push_back(d);
      else if (own->is_null())
        *own = d.value;
    }
  }
  out.tree = std::move(tree);
  return out;
}

}  // namespace tollgate::pipeline
