#include "posture/reader.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <iterator>

#include "util/files.h"

namespace fs = std::filesystem;

namespace tollgate::posture {
namespace {

bool is_plan(const Node& doc) {
  return get(&doc, "format_version") != nullptr &&
         (get(&doc, "planned_values") != nullptr || get(&doc, "resource_changes") != nullptr ||
          get(&doc, "terraform_version") != nullptr);
}

void check_plan_version(const Node& doc) {
  const Node* version = get(&doc, "format_version");
  std::string v(text(version));
  // Terraform promises compatibility within a major format version only.
  if (v.rfind("1.", 0) != 0 && v != "1")
    throw Error(version->where(), "Terraform plan format_version '" + v +
                                      "' is not supported (tollgate reads format 1.x)");
  // `terraform show -json` of a state file looks alike but holds no plan: checking nothing
  // would pass it.
  if (get(&doc, "planned_values") == nullptr && get(&doc, "resource_changes") == nullptr)
    throw Error(doc.where(), get(&doc, "values") != nullptr
                                 ? "this is Terraform state, not a plan: give the output of "
                                   "`terraform show -json PLANFILE`"
                                 : "Terraform JSON without planned_values or resource_changes");
}

std::string scalar_field(const Node* parent, std::string_view key, const std::string& what) {
  const Node* n = get(parent, key);
  if (n == nullptr || n->is_null()) return "";
  if (!n->is_scalar()) throw Error(n->where(), what + " must be a string, not " + n->describe());
  return std::string(n->text());
}

// Adds an object, or the items of a List, to inputs. Returns how many objects it added.
size_t add_object(Inputs& inputs, const Node& node) {
  const Node* kind_node = get(&node, "kind");
  const Node* api_node = get(&node, "apiVersion");
  if (kind_node == nullptr && api_node == nullptr) return 0;
  std::string kind = scalar_field(&node, "kind", "kind");
  std::string api = scalar_field(&node, "apiVersion", "apiVersion");
  if (kind.empty()) throw Error(node.where(), "object with apiVersion '" + api + "' has no kind");
  if (api.empty()) throw Error(node.where(), kind + " object has no apiVersion");
  const Node* list = get(&node, "items");
  if (kind == "List" || (kind.size() > 4 && kind.ends_with("List") && list != nullptr)) {
    if (list != nullptr && !list->is_sequence() && !list->is_null())
      throw Error(list->where(), kind + " items must be a list, not " + list->describe());
    size_t added = 0;
    for (const auto& item : items(list)) {
      if (!item.is_mapping())
        throw Error(item.where(), kind + " items must be objects, not " + item.describe());
      added += add_object(inputs, item);
    }
    return added;
  }
  const Node* metadata = get(&node, "metadata");
  if (metadata != nullptr && !metadata->is_mapping() && !metadata->is_null())
    throw Error(metadata->where(),
                kind + " metadata must be a mapping, not " + metadata->describe());
  Object obj;
  obj.root = &node;
  obj.api_version = api;
  obj.kind = kind;
  obj.name = scalar_field(metadata, "name", "metadata.name");
  if (obj.name.empty()) obj.name = scalar_field(metadata, "generateName", "metadata.generateName");
  if (obj.name.empty()) obj.name = "<unnamed>";
  obj.ns = scalar_field(metadata, "namespace", "metadata.namespace");
  obj.where = node.where();
  inputs.objects.push_back(std::move(obj));
  return 1;
}

bool wanted_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

std::vector<fs::path> walk(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec), end;
  if (ec) throw Error(SourceLocation{dir.string()}, "cannot read directory: " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) throw Error(SourceLocation{dir.string()}, "cannot walk directory: " + ec.message());
    const fs::path& p = it->path();
    bool hidden = p.filename().string().starts_with(".");
    if (it->is_directory()) {
      // .git, .tollgate and the like hold no manifests, and the policy file is not one.
      if (hidden) it.disable_recursion_pending();
      continue;
    }
    if (!hidden && it->is_regular_file() && wanted_extension(p)) out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

size_t add_stream(Inputs& inputs, std::string data, const std::string& file) {
  // Kubernetes refuses duplicate keys ("key already set in map"), so they are input errors.
  inputs.trees.push_back(yaml_parse::parse(std::move(data), file));
  inputs.files.push_back(file);
  size_t found = 0;
  for (const Node& stored : inputs.trees.back().documents()) {
    if (!stored.is_mapping()) {
      if (!stored.is_null()) ++inputs.skipped_documents;
      continue;
    }
    if (is_plan(stored)) {
      check_plan_version(stored);
      inputs.plans.push_back(&stored);
      ++found;
      continue;
    }
    size_t added = add_object(inputs, stored);
    // An empty List (kubectl get on an empty namespace) is a real, empty input.
    bool empty_list = text(get(&stored, "kind")) == "List";
    inputs.lists += empty_list ? 1 : 0;
    if (added == 0 && !empty_list) ++inputs.skipped_documents;
    found += added + (empty_list ? 1 : 0);
  }
  return found;
}

Inputs read_inputs(const std::vector<std::string>& paths) {
  if (paths.empty()) throw UsageError("no input: give manifest files, directories or - for stdin");
  Inputs inputs;
  bool stdin_used = false;
  for (const auto& path : paths) {
    if (path == "-") {
      if (stdin_used) throw UsageError("'-' (stdin) can be given only once");
      stdin_used = true;
      std::string data{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
      if (add_stream(inputs, data, "<stdin>") == 0)
        throw Error(SourceLocation{"<stdin>"}, "no Kubernetes object or Terraform plan found");
      continue;
    }
    std::error_code ec;
    fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) throw Error(SourceLocation{path}, "no such file or directory");
    if (fs::is_directory(st)) {
      for (const auto& file : walk(path))
        add_stream(inputs, files::read(file), file.string());
      continue;
    }
    if (add_stream(inputs, files::read(path), path) == 0)
      throw Error(SourceLocation{path},
                  "no Kubernetes object (apiVersion and kind) or Terraform plan found");
  }
  return inputs;
}

}  // namespace tollgate::posture
