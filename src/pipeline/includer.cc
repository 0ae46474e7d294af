#include "pipeline/includer.h"

#include <algorithm>

#include "pipeline/glob.h"
#include "pipeline/inputs.h"
#include "pipeline/keywords.h"
#include "pipeline/resolver.h"
#include "util/files.h"
#include "util/hash.h"
#include "util/strings.h"

namespace tollgate::pipeline {
namespace {

using yaml::Kind;
using yaml::Node;

constexpr int kMaxIncludes = 150;  // GitLab's default limit of included files
constexpr int kMaxIncludeDepth = 100;

const std::vector<std::string> kIncludeKeys = {"local",  "remote", "template",  "project",
                                               "file",   "ref",    "component", "rules",
                                               "inputs", "cache",  "integrity"};
const std::vector<std::string> kIncludeKinds = {"local", "remote", "template", "project",
                                                "component"};

void remove_include(Node& map) {
  map.entries.erase(std::remove_if(map.entries.begin(), map.entries.end(),
                                   [](const Node::Entry& e) { return e.key.scalar == "include"; }),
                    map.entries.end());
}

// "template: Jobs/SAST.gitlab-ci.yml": how an include entry is named in messages.
std::string label_of(const Node& item) {
  if (item.is_scalar()) return item.scalar;
  if (!item.is_mapping()) return "include";
  for (const auto& kind : kIncludeKinds)
    if (const Node* v = item.find(kind)) {
      std::string label = kind + ": " + (v->is_scalar() ? v->scalar : v->describe());
      if (const Node* f = kind == "project" ? item.find("file") : nullptr)
        label += " file: " + (f->is_scalar() ? f->scalar : f->describe());
      return label;
    }
  return "include";
}

// `integrity: sha256-BASE64` (a remote include's Subresource Integrity): a file that differs
// is an error, never used.
void check_integrity(const Includer::File& file, const Node& integrity) {
  const std::string prefix = "sha256-";
  std::optional<std::string> digest;
  if (integrity.is_scalar() && integrity.scalar.rfind(prefix, 0) == 0)
    digest = str::base64_decode(integrity.scalar.substr(prefix.size()));
  if (!digest || digest->size() != 32)
    throw Error(integrity.where, "integrity is sha256- and the base64 of a SHA-256 digest");
  std::string hex;
  for (unsigned char c : *digest)
    hex += "0123456789abcdef"[c >> 4], hex += "0123456789abcdef"[c & 15];
  if (hash::sha256_hex(file.text) != hex)
    throw Error(integrity.where, "'" + file.name + "' does not match its integrity hash");
}

}  // namespace

std::string maybe_from(const std::vector<Includer::Unavailable>& unavailable) {
  std::vector<std::string> labels;
  for (const auto& u : unavailable)
    labels.push_back(u.label);
  return "it may come from " + str::join(labels, " or ") +
         (labels.size() == 1 ? ", which" : ", which each") + " could not be included";
}

Includer::Includer(IncludeContext context, std::vector<Error>& errors)
    : context_(std::move(context)), errors_(errors) {
  if (context_.plan) {
    variables_ = context_.plan->variables;
    variables_.set_all(context_.plan->overrides);
  }
}

Node Includer::expand(Node root) {
  return expand(std::move(root), Origin{}, 0);
}

Node Includer::expand(Node root, const Origin& origin, int depth) {
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
  for (const auto& item : items)
    take(item, origin, depth, merged);
  remove_include(root);
  return deep_merge(std::move(merged), std::move(root));
}

// One include entry: its files merged into `merged`, or the reason it was left out recorded.
void Includer::take(const Node& item, const Origin& origin, int depth, Node& merged) {
  if (item.is_mapping() && !rules_hold(item)) return;  // never fetched, never reported
  std::vector<File> files;
  try {
    files = files_of(item, origin);
  } catch (const IncludeUnavailable& e) {
    unavailable_.push_back({label_of(item), e.what()});
    return;
  } catch (const Error& e) {
    errors_.push_back(e);
    return;
  }
  for (const auto& file : files) {
    if (++count_ > kMaxIncludes) {
      errors_.emplace_back(item.where, "more than 150 included files");
      return;
    }
    if (depth > kMaxIncludeDepth ||
        std::find(stack_.begin(), stack_.end(), file.id) != stack_.end()) {
      errors_.emplace_back(item.where, "include cycle: '" + file.name + "' includes itself");
      continue;
    }
    try {
      Node included = load_with_inputs(file, item);
      if (included.is_null()) continue;
      if (!included.is_mapping()) {
        errors_.emplace_back(included.where, "an included file must hold a mapping");
        continue;
      }
      stack_.push_back(file.id);
      merged = deep_merge(std::move(merged), expand(std::move(included), file.origin, depth + 1));
      stack_.pop_back();
    } catch (const Error& e) {
      errors_.push_back(e);
    }
  }
}

bool Includer::rules_hold(const Node& item) {
  const Node* rules = item.find("rules");
  if (!rules || !context_.plan) return true;
  KeywordReader reader(errors_);
  for (const Rule& rule : reader.rules(*rules)) {
    if (rule.when && *rule.when != When::Never && *rule.when != When::Always)
      errors_.emplace_back(rule.where, "include:rules take when: never or always only");
    if (!rule_holds(rule, *context_.plan, variables_)) continue;
    return rule.when != When::Never;
  }
  return false;
}

std::string Includer::expanded(const Node& value) {
  if (!value.is_scalar()) throw Error(value.where, "expected a string, not " + value.describe());
  if (!context_.plan) return value.scalar;
  return expand_variables(value.scalar, variables_.lookup());
}

std::vector<Includer::File> Includer::files_of(const Node& item, const Origin& origin) {
  if (item.is_scalar()) {
    std::string where = expanded(item);
    if (where.find("://") != std::string::npos)
      return {fetched("remote: " + where, where, false, Origin{Origin::Kind::Remote})};
    return local_files(where, item.where, origin);
  }
  if (!item.is_mapping())
    throw Error(item.where,
                "an include entry is a file name or a mapping with one of local, "
                "remote, template, project or component");
  for (const auto& e : item.entries)
    if (std::find(kIncludeKeys.begin(), kIncludeKeys.end(), e.key.scalar) == kIncludeKeys.end()) {
      std::string hint = str::closest(e.key.scalar, kIncludeKeys);
      throw Error(e.key.where, "unknown include keyword '" + e.key.scalar + "'" +
                                   (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
  if (const Node* local = item.find("local"))
    return local_files(expanded(*local), local->where, origin);
  if (const Node* remote = item.find("remote")) {
    std::string url = expanded(*remote);
    File file = fetched("remote: " + url, url, false, Origin{Origin::Kind::Remote});
    if (const Node* integrity = item.find("integrity")) check_integrity(file, *integrity);
    return {file};
  }
  if (const Node* name = item.find("template")) {
    std::string server = server_url();
    std::string t = expanded(*name);
    return {
        fetched("template: " + t, template_url(server, t), true, Origin{Origin::Kind::Template})};
  }
  if (item.find("project")) return project_files(item);
  if (item.find("component")) return component_files(item);
  throw Error(item.where,
              "include entry has none of local, remote, template, project or "
              "component");
}

std::vector<Includer::File> Includer::local_files(const std::string& written,
                                                  const SourceLocation& where,
                                                  const Origin& origin) {
  std::string pattern = written;
  while (!pattern.empty() && pattern.front() == '/')
    pattern.erase(0, 1);
  if (origin.kind == Origin::Kind::OtherProject) {
    // A local include inside another project's file is a file of that project, at its ref.
    if (pattern.find('*') != std::string::npos)
      throw IncludeUnavailable("a wildcard in " + origin.project +
                               "'s files cannot be listed from here");
    std::string server = server_url();
    return {fetched("project: " + origin.project + " file: " + pattern,
                    project_file_url(server, origin.project, pattern, origin.ref), false, origin)};
  }
  const auto& dir = context_.project_dir;
  auto file_at = [&](const std::string& rel) {
    std::string path = (dir / rel).string();
    return File{path, files::read(path), path, Origin{}};
  };
  if (pattern.find('*') == std::string::npos) {
    if (!files::inside(dir, pattern))
      throw Error(where, "included file '" + pattern +
                             "' is outside the project directory (GitLab includes only files of "
                             "the project)");
    if (!std::filesystem::exists(dir / pattern))
      throw Error(where, "included file '" + pattern + "' does not exist");
    return {file_at(pattern)};
  }
  std::vector<std::string> matches;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    std::string rel = std::filesystem::relative(it->path(), dir).string();
    if (rel.rfind(".git/", 0) == 0 || rel.rfind(".tollgate/", 0) == 0) continue;
    if (it->is_regular_file() && include_wildcard_match(pattern, rel) && files::inside(dir, rel))
      matches.push_back(rel);
  }
  if (matches.empty()) throw Error(where, "include pattern '" + pattern + "' matches no file");
  std::sort(matches.begin(), matches.end());
  std::vector<File> out;
  for (const auto& m : matches)
    out.push_back(file_at(m));
  return out;
}

std::vector<Includer::File> Includer::project_files(const Node& item) {
  std::string project = expanded(*item.find("project"));
  std::string ref = item.find("ref") ? expanded(*item.find("ref")) : "";
  const Node* file = item.find("file");
  if (!file) throw Error(item.where, "include:project '" + project + "' needs a file:");
  std::vector<Node> names = file->is_sequence() ? file->items : std::vector<Node>{*file};
  std::string server = server_url();
  std::vector<File> out;
  for (const auto& n : names) {
    std::string path = expanded(n);
    out.push_back(fetched("project: " + project + " file: " + path,
                          project_file_url(server, project, path, ref), false,
                          Origin{Origin::Kind::OtherProject, project, ref}));
  }
  return out;
}

std::vector<Includer::File> Includer::component_files(const Node& item) {
  const Node& written = *item.find("component");
  ComponentRef c = parse_component(expanded(written), written.where);
  if (!context_.fetcher) throw IncludeUnavailable("includes from outside the project are off");
  std::string server = server_url();
  if (c.host != url_host(server))
    throw IncludeUnavailable("the component is on " + c.host + ", not on the GitLab instance " +
                             server + " (set CI_SERVER_URL)");
  std::string version =
      c.version == "~latest" ? context_.fetcher->latest_release(c.project) : c.version;
  Origin origin{Origin::Kind::OtherProject, c.project, version};
  std::string label = "component: " + c.project + "/" + c.name + "@" + version;
  // A component is templates/NAME.yml or templates/NAME/template.yml in its project.
  try {
    return {fetched(label,
                    project_file_url(server, c.project, "templates/" + c.name + ".yml", version),
                    false, origin)};
  } catch (const IncludeUnavailable&) {
    return {fetched(
        label,
        project_file_url(server, c.project, "templates/" + c.name + "/template.yml", version),
        false, origin)};
  }
}

std::string Includer::server_url() const {
  return context_.fetcher ? context_.fetcher->settings().server_url : "";
}

Includer::File Includer::fetched(const std::string& label, const std::string& url, bool json,
                                 Origin origin) {
  if (!context_.fetcher) throw IncludeUnavailable("includes from outside the project are off");
  RemoteFile remote{label, url, origin.kind != Origin::Kind::Remote, json};
  return File{url, context_.fetcher->fetch(remote), label, std::move(origin)};
}

// An included file is one document, or a `spec:` header document then the content; the
// include entry's `inputs` fill the header's declared inputs.
Node Includer::load_with_inputs(const File& file, const Node& item) {
  std::vector<Node> docs = yaml::load_all(file.text, file.name);
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
                         "'" + file.name + "' declares no spec:inputs, so it takes no inputs");
    return content;
  }
  if (!spec) return content;
  return apply_inputs(spec, given, content, errors_);
}

}  // namespace tollgate::pipeline
