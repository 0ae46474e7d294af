#include "util/yaml.h"

#include <algorithm>
#include <charconv>

#include "util/files.h"
#include "util/strings.h"
#include "util/yaml_parse.h"

namespace tollgate::yaml {
namespace {

// Aliases are shared by the parser but copied here, so a "billion laughs" document would expand
// without bound.
constexpr size_t kMaxNodes = 5'000'000;

// The parser's tree (util/yaml_parse) turned into owned Nodes. The parser has already applied
// merge keys (keys of the mapping itself win, then earlier sources) and, as GitLab's Ruby
// parser does, let a repeated key replace the earlier value in place.
class Converter {
 public:
  Node convert(const yaml_parse::Node& in) {
    if (++count_ > kMaxNodes)
      throw Error(in.where(), "YAML document expands to more than 5 million nodes (alias bomb?)");
    Node out;
    out.where = in.where();
    std::string_view tag = in.tag();
    // "!!str 123" is the string "123": like a quoted scalar, never a number or a bool.
    bool string_tag = tag == "tag:yaml.org,2002:str" || tag == "!";
    if (!tag.empty() && tag != "!" && !tag.starts_with("tag:yaml.org,2002:")) out.tag = tag;
    switch (in.kind()) {
      case yaml_parse::Kind::Null:
        out.kind = Kind::Null;
        break;
      case yaml_parse::Kind::Scalar:
        out.kind = Kind::Scalar;
        out.scalar = in.text();
        out.quoted = in.quoted() || string_tag;
        break;
      case yaml_parse::Kind::Sequence:
        out.kind = Kind::Sequence;
        out.items.reserve(in.size());
        for (const auto& item : in.items())
          out.items.push_back(convert(item));
        break;
      case yaml_parse::Kind::Mapping:
        out.kind = Kind::Mapping;
        out.entries.reserve(in.size());
        for (const auto& e : in.entries())
          out.entries.push_back({convert(e.key), convert(e.value)});
        break;
    }
    return out;
  }

 private:
  size_t count_ = 0;
};

yaml_parse::Tree parse(std::string_view text, const std::string& file) {
  yaml_parse::Options options;
  options.duplicate_keys = yaml_parse::DuplicateKeys::LastWins;
  return yaml_parse::parse(std::string(text), file, options);
}

}  // namespace

const Node* Node::find(std::string_view key) const {
  for (auto it = entries.rbegin(); it != entries.rend(); ++it)
    if (it->key.kind == Kind::Scalar && it->key.scalar == key) return &it->value;
  return nullptr;
}

Node* Node::find(std::string_view key) {
  return const_cast<Node*>(static_cast<const Node*>(this)->find(key));
}

bool Node::is_bool() const {
  return kind == Kind::Scalar && !quoted && yaml_parse::yaml11_bool(scalar).has_value();
}

bool Node::as_bool() const {
  if (!is_bool()) throw Error(where, "expected true or false, got " + describe());
  return *yaml_parse::yaml11_bool(scalar);
}

bool Node::is_int() const {
  if (kind != Kind::Scalar || quoted || scalar.empty()) return false;
  long long v = 0;
  auto [p, ec] = std::from_chars(scalar.data(), scalar.data() + scalar.size(), v);
  return ec == std::errc() && p == scalar.data() + scalar.size();
}

long long Node::as_int() const {
  if (!is_int()) throw Error(where, "expected an integer, got " + describe());
  return std::stoll(scalar);
}

const std::string& Node::as_string(std::string_view what) const {
  if (kind != Kind::Scalar)
    throw Error(where, "expected " + std::string(what) + ", got " + describe());
  return scalar;
}

std::string Node::describe() const {
  switch (kind) {
    case Kind::Null:
      return "null";
    case Kind::Sequence:
      return "a list";
    case Kind::Mapping:
      return "a mapping";
    case Kind::Scalar:
      if (is_bool()) return "the boolean " + scalar;
      if (is_int()) return "the number " + scalar;
      return "the string '" + scalar + "'";
  }
  return "?";
}

nlohmann::json Node::to_json() const {
  switch (kind) {
    case Kind::Null:
      return nullptr;
    case Kind::Sequence: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& i : items)
        arr.push_back(i.to_json());
      return arr;
    }
    case Kind::Mapping: {
      nlohmann::json obj = nlohmann::json::object();
      for (const auto& e : entries)
        obj[e.key.scalar] = e.value.to_json();
      return obj;
    }
    case Kind::Scalar:
      if (is_bool()) return as_bool();
      if (is_int()) return as_int();
      if (!quoted) {
        char* end = nullptr;
        double d = std::strtod(scalar.c_str(), &end);
        if (end && *end == '\0' && end != scalar.c_str() &&
            scalar.find_first_not_of("0123456789.eE+-") == std::string::npos)
          return d;
      }
      return scalar;
  }
  return nullptr;
}

Node Node::make_scalar(std::string text, SourceLocation where) {
  Node n;
  n.kind = Kind::Scalar;
  n.scalar = std::move(text);
  n.quoted = true;
  n.where = std::move(where);
  return n;
}

std::vector<Node> load_all(std::string_view text, const std::string& file) {
  yaml_parse::Tree tree = parse(text, file);
  std::vector<Node> out;
  for (const auto& doc : tree.documents())
    out.push_back(Converter().convert(doc));
  return out;
}

Node load(std::string_view text, const std::string& file) {
  yaml_parse::Tree tree = parse(text, file);
  if (tree.documents().empty()) {
    Node empty;
    empty.where = SourceLocation{file, 1, 1};
    return empty;
  }
  return Converter().convert(tree.documents().front());
}

Node load_file(const std::string& path) {
  return load(files::read(path), path);
}

namespace {

// Whether text can be written as a plain block scalar and read back as the same string.
bool plain_safe(const std::string& s) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ' || s.back() == ':') return false;
  if (std::string_view("-?:,[]{}#&*!|>'\"%@`").find(s.front()) != std::string_view::npos)
    return false;
  return s.find(": ") == std::string::npos && s.find(" #") == std::string::npos &&
         s.find_first_of("\n\t\r") == std::string::npos;
}

// A scalar as YAML text: plain when reading it back gives the same string, else double-quoted.
std::string emit_scalar(const Node& n) {
  std::string tag = n.tag.empty() ? "" : n.tag + " ";
  if (n.is_null()) return tag + "null";
  const std::string& s = n.scalar;
  bool simple = plain_safe(s);
  if (simple && n.quoted) {
    Node probe = n;
    probe.quoted = false;
    simple = !probe.is_bool() && !probe.is_int() && !probe.to_json().is_number() && s != "null" &&
             s != "~" && s != "Null" && s != "NULL";
  }
  return tag + (simple ? s : nlohmann::json(s).dump());
}

bool is_block(const Node& n) {
  return (n.is_mapping() && !n.entries.empty()) || (n.is_sequence() && !n.items.empty());
}

void emit_into(const Node& n, int indent, std::string& out) {
  std::string pad(static_cast<size_t>(indent), ' ');
  if (n.is_mapping() && !n.entries.empty()) {
    for (const auto& e : n.entries) {
      out += pad + emit_scalar(e.key) + ":";
      if (is_block(e.value)) {
        out += (e.value.tag.empty() ? "" : " " + e.value.tag) + "\n";
        emit_into(e.value, indent + 2, out);
      } else {
        out += " ";
        emit_into(e.value, 0, out);
      }
    }
  } else if (n.is_sequence() && !n.items.empty()) {
    for (const auto& item : n.items) {
      out += pad + "-";
      if (item.is_mapping() && is_block(item)) {
        // "- key: value" with the mapping's other keys aligned under the first.
        std::string inner;
        emit_into(item, indent + 2, inner);
        out += " " + inner.substr(static_cast<size_t>(indent) + 2);
      } else if (is_block(item)) {
        out += "\n";
        emit_into(item, indent + 2, out);
      } else {
        out += " ";
        emit_into(item, 0, out);
      }
    }
  } else if (n.is_mapping()) {
    out += "{}\n";
  } else if (n.is_sequence()) {
    out += "[]\n";
  } else {
    out += emit_scalar(n) + "\n";
  }
}

}  // namespace

std::string emit(const Node& node) {
  std::string out;
  emit_into(node, 0, out);
  return out;
}

}  // namespace tollgate::yaml
