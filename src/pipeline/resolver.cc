#include "pipeline/resolver.h"

#include <glob.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>

#include "pipeline/glob.h"
#include "pipeline/inputs.h"
#include "util/files.h"
#include "util/strings.h"

namespace tollgate::pipeline {
namespace {

using yaml::Kind;
using yaml::Node;

constexpr int kMaxIncludes = 150;
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

class Includer {
 public:
  Includer(std::filesystem::path project_dir, std::vector<Error>& errors)
      : project_dir_(std::move(project_dir)), errors_(errors) {}

  // Returns root with everything it includes merged underneath it.
  Node expand(Node root, int depth) {
    const Node* include = root.find("include");
    if (!include) return root;  // moved, not copied: a 40,000-job file is copied no more
    Node merged;
    merged.kind = Kind::Mapping;
    merged.where = root.where;
    std::vector<Node> items;
    if (include->is_sequence())
      items = include->items;
    else
      items.push_back(*include);
    for (const auto& item : items) {
      for (const auto& file : local_files(item)) {
        if (++count_ > kMaxIncludes) {
          errors_.emplace_back(item.where, "more than 150 included files");
          return root;
        }
        if (depth > 100 || std::find(stack_.begin(), stack_.end(), file) != stack_.end()) {
          errors_.emplace_back(item.where, "include cycle: '" + file + "' includes itself");
          continue;
        }
        try {
          Node included = load_with_inputs(file, item);
          if (included.is_null()) continue;
          if (!included.is_mapping()) {
            errors_.emplace_back(included.where, "an included file must hold a mapping");
            continue;
          }
          stack_.push_back(file);
          merged = deep_merge(merged, expand(std::move(included), depth + 1));
          stack_.pop_back();
        } catch (const Error& e) {
          errors_.push_back(e);
        }
      }
    }
    remove_entry(root, "include");
    return deep_merge(merged, root);
  }

 private:
  // An included file is one document, or a `spec:` header document then the content; the
  // include entry's `inputs` fill the header's declared inputs.
  Node load_with_inputs(const std::string& file, const Node& item) {
    std::string path = (project_dir_ / file).string();
    std::vector<Node> docs = yaml::load_all(files::read(path), path);
    const Node* given = item.is_mapping() ? item.find("inputs") : nullptr;
    const Node* spec = nullptr;
    Node content;
    if (docs.size() >= 2 && docs[0].is_mapping() && docs[0].find("spec")) {
      spec = docs[0].find("spec");
      content = docs[1];
    } else if (!docs.empty()) {
      content = docs[0];
    }
    if (given && !spec) {
      errors_.emplace_back(given->where,
                           "'" + file + "' declares no spec:inputs, so it takes no inputs");
      return content;
    }
    if (!spec) return content;
    return apply_inputs(spec, given, content, errors_);
  }

  std::vector<std::string> local_files(const Node& item) {
    std::string pattern;
    SourceLocation where = item.where;
    if (item.is_scalar()) {
      pattern = item.scalar;
      if (pattern.find("://") != std::string::npos) {
        errors_.emplace_back(where, "include of a remote URL '" + pattern +
                                        "' is not available offline; copy the file into the "
                                        "project and include it with include:local");
        return {};
      }
    } else if (item.is_mapping()) {
      if (const Node* local = item.find("local")) {
        pattern = local->scalar;
        where = local->where;
      } else {
        for (const char* kind : {"remote", "project", "template", "component"}) {
          if (item.find(kind)) {
            errors_.emplace_back(item.where, std::string("include:") + kind +
                                                 " is not available offline; copy the file into "
                                                 "the project and use include:local");
            return {};
          }
        }
        errors_.emplace_back(item.where, "include entry has no 'local' file");
        return {};
      }
    } else {
      errors_.emplace_back(where, "include takes a file name, a list, or {local: FILE}");
      return {};
    }
    while (!pattern.empty() && pattern.front() == '/')
      pattern.erase(0, 1);
    if (pattern.find_first_of("*?[") == std::string::npos) {
      if (!files::inside(project_dir_, pattern)) {
        errors_.emplace_back(where, "included file '" + pattern +
                                        "' is outside the project directory (GitLab includes "
                                        "only files of the project)");
        return {};
      }
      if (!std::filesystem::exists(project_dir_ / pattern)) {
        errors_.emplace_back(where, "included file '" + pattern + "' does not exist");
        return {};
      }
      return {pattern};
    }
    std::vector<std::string> matches;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(project_dir_, ec);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) break;
      std::string rel = std::filesystem::relative(it->path(), project_dir_).string();
      if (rel.rfind(".git/", 0) == 0 || rel.rfind(".tollgate/", 0) == 0) continue;
      if (it->is_regular_file() && glob_match(pattern, rel) && files::inside(project_dir_, rel))
        matches.push_back(rel);
    }
    std::sort(matches.begin(), matches.end());
    if (matches.empty())
      errors_.emplace_back(where, "include pattern '" + pattern + "' matches no file");
    return matches;
  }

  std::filesystem::path project_dir_;
  std::vector<Error>& errors_;
  std::vector<std::string> stack_;
  int count_ = 0;
};

class ReferenceResolver {
 public:
  ReferenceResolver(const Node& root, std::vector<Error>& errors) : root_(root), errors_(errors) {}

  // Replaces the !reference tags under each of the root's entries. Only what holds a tag is
  // copied: copying every subtree at every level was most of the time a 40,000-job file took.
  void resolve_entries(Node& root) {
    for (auto& e : root.entries)
      if (std::optional<Node> r = resolved(e.value, 0)) e.value = std::move(*r);
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
        errors_.emplace_back(ref.where, "!reference [" + path + "] points at nothing");
        return nothing;
      }
    }
    return resolve(*cur, depth + 1);
  }

  const Node& root_;
  std::vector<Error>& errors_;
};

class Extender {
 public:
  Extender(Node& root, std::vector<Error>& errors) : root_(root), errors_(errors) {
    // root.find() per job made extending 40,000 jobs quadratic. The last of a repeated key wins,
    // as find() has it.
    for (const auto& e : root_.entries)
      if (e.key.kind == Kind::Scalar) by_name_[e.key.scalar] = &e.value;
  }

  void run() {
    for (auto& e : root_.entries) {
      if (is_reserved_top_level_key(e.key.scalar) || !e.value.is_mapping()) continue;
      std::vector<std::string> chain;
      e.value = expanded(e.key.scalar, chain);
    }
  }

 private:
  Node expanded(const std::string& name, std::vector<std::string>& chain) {
    auto done = cache_.find(name);
    if (done != cache_.end()) return done->second;
    const Node* job = find(name);
    if (!job || !job->is_mapping()) return Node{};
    const Node* extends = job->find("extends");
    if (!extends) return *job;
    if (std::find(chain.begin(), chain.end(), name) != chain.end()) {
      errors_.emplace_back(extends->where,
                           "extends cycle: " + str::join(chain, " -> ") + " -> " + name);
      return *job;
    }
    if (chain.size() >= kMaxExtendsDepth) {
      errors_.emplace_back(extends->where,
                           "job '" + chain.front() + "': extends nested deeper than 11 levels");
      return *job;
    }
    std::vector<const Node*> parents;
    if (extends->is_scalar()) {
      parents.push_back(extends);
    } else if (extends->is_sequence()) {
      for (const auto& p : extends->items)
        parents.push_back(&p);
    } else {
      errors_.emplace_back(extends->where, "extends takes a job name or a list of job names");
      return *job;
    }
    chain.push_back(name);
    Node merged;
    merged.kind = Kind::Mapping;
    for (const Node* p : parents) {
      const Node* parent = find(p->scalar);
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
      merged = deep_merge(merged, expanded(p->scalar, chain));
    }
    chain.pop_back();
    Node own = *job;
    remove_entry(own, "extends");
    Node result = deep_merge(merged, own);
    result.where = job->where;
    remove_entry(result, "extends");
    cache_[name] = result;
    return result;
  }

  const Node* find(const std::string& name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
  }

  Node& root_;
  std::vector<Error>& errors_;
  std::unordered_map<std::string_view, const Node*> by_name_;  // root's entries
  std::map<std::string, Node> cache_;
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

Node deep_merge(const Node& base, const Node& over) {
  if (!base.is_mapping() || !over.is_mapping()) return over;
  Node out = base;
  for (const auto& e : over.entries) {
    Node* mine = out.find(e.key.scalar);
    if (mine && mine->is_mapping() && e.value.is_mapping())
      *mine = deep_merge(*mine, e.value);
    else
      set_entry(out, e.key.scalar, e.value);
  }
  out.where = over.where;
  return out;
}

Node resolve(Node root, const std::filesystem::path& project_dir, std::vector<Error>& errors) {
  Includer includer(project_dir, errors);
  Node tree = includer.expand(std::move(root), 0);
  ReferenceResolver refs(tree, errors);
  refs.resolve_entries(tree);
  Extender extender(tree, errors);
  extender.run();

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
  return tree;
}

}  // namespace tollgate::pipeline
