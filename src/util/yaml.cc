#include "util/yaml.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>

#include "util/files.h"
#include "util/strings.h"

namespace tollgate::yaml {
namespace {

// Aliases are copied, so a "billion laughs" document would expand without bound.
constexpr size_t kMaxNodes = 5'000'000;

class Converter {
 public:
  explicit Converter(std::string file) : file_(std::move(file)) {}

  Node convert(const YAML::Node& in, const SourceLocation& parent) {
    if (++count_ > kMaxNodes)
      throw Error(parent, "YAML document expands to more than 5 million nodes (alias bomb?)");
    Node out;
    out.where = locate(in, parent);
    const std::string& tag = in.Tag();
    if (!tag.empty() && tag != "?" && tag != "!" && tag.rfind("tag:yaml.org,2002:", 0) != 0)
      out.tag = tag;
    switch (in.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        out.kind = Kind::Null;
        break;
      case YAML::NodeType::Scalar:
        out.kind = Kind::Scalar;
        out.scalar = in.Scalar();
        out.quoted = tag == "!";
        if (!out.quoted && out.tag.empty() && is_null_text(out.scalar)) out.kind = Kind::Null;
        break;
      case YAML::NodeType::Sequence:
        out.kind = Kind::Sequence;
        out.items.reserve(in.size());
        for (const auto& item : in)
          out.items.push_back(convert(item, out.where));
        break;
      case YAML::NodeType::Map:
        out.kind = Kind::Mapping;
        convert_mapping(in, out);
        break;
    }
    return out;
  }

 private:
  static bool is_null_text(const std::string& s) {
    return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
  }

  SourceLocation locate(const YAML::Node& in, const SourceLocation& parent) const {
    YAML::Mark m = in.Mark();
    if (m.line < 0) return parent;
    return SourceLocation{file_, m.line + 1, m.column + 1};
  }

  static void set(Node& map, Node key, Node value) {
    for (auto& e : map.entries) {
      if (e.key.kind == Kind::Scalar && key.kind == Kind::Scalar && e.key.scalar == key.scalar) {
        e.value = std::move(value);
        return;
      }
    }
    map.entries.push_back({std::move(key), std::move(value)});
  }

  static void merge_into(Node& map, const Node& source, const SourceLocation& where) {
    if (!source.is_mapping())
      throw Error(where, "a merge key '<<' takes a mapping or a list of mappings, not " +
                             source.describe());
    for (const auto& e : source.entries) {
      // Keys written in the mapping itself, or by an earlier source, win.
      bool present = std::any_of(map.entries.begin(), map.entries.end(), [&](const auto& mine) {
        return mine.key.scalar == e.key.scalar && mine.key.kind == e.key.kind;
      });
      if (!present) map.entries.push_back(e);
    }
  }

  void convert_mapping(const YAML::Node& in, Node& out) {
    std::vector<std::pair<Node, SourceLocation>> merges;
    for (const auto& kv : in) {
      Node key = convert(kv.first, out.where);
      if (key.kind == Kind::Scalar && !key.quoted && key.scalar == "<<") {
        merges.emplace_back(convert(kv.second, key.where), key.where);
        continue;
      }
      set(out, std::move(key), convert(kv.second, out.where));
    }
    for (const auto& [source, where] : merges) {
      if (source.is_sequence()) {
        for (const auto& item : source.items)
          merge_into(out, item, where);
      } else {
        merge_into(out, source, where);
      }
    }
  }

  std::string file_;
  size_t count_ = 0;
};

Node parse_error(const YAML::Exception& e, const std::string& file) {
  SourceLocation where{file, e.mark.line >= 0 ? e.mark.line + 1 : 0,
                       e.mark.column >= 0 ? e.mark.column + 1 : 0};
  std::string msg = e.msg;
  if (msg.find("illegal block entry") != std::string::npos || msg.find("map") != std::string::npos)
    msg += " (a value containing ': ' or starting with '-', '*', '&' or '!' needs quotes)";
  throw Error(where, "invalid YAML: " + msg);
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
  if (kind != Kind::Scalar || quoted) return false;
  static const std::vector<std::string> words = {"true", "false", "yes", "no", "on", "off"};
  std::string l = str::lower(scalar);
  if (std::find(words.begin(), words.end(), l) == words.end()) return false;
  // YAML 1.1 spells them all-lower, Capitalised or ALL-UPPER, never mixed.
  std::string capitalised = l, upper = l;
  capitalised[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(l[0])));
  for (auto& c : upper)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return scalar == l || scalar == capitalised || scalar == upper;
}

bool Node::as_bool() const {
  if (!is_bool()) throw Error(where, "expected true or false, got " + describe());
  std::string l = str::lower(scalar);
  return l == "true" || l == "yes" || l == "on";
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
  std::vector<Node> out;
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(std::string(text));
    for (const auto& d : docs) {
      Converter conv(file);
      out.push_back(conv.convert(d, SourceLocation{file, 1, 1}));
    }
  } catch (const YAML::Exception& e) {
    parse_error(e, file);
  }
  return out;
}

Node load(std::string_view text, const std::string& file) {
  try {
    YAML::Node doc = YAML::Load(std::string(text));
    Converter conv(file);
    return conv.convert(doc, SourceLocation{file, 1, 1});
  } catch (const YAML::Exception& e) {
    return parse_error(e, file);
  }
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
