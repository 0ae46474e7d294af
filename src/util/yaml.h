#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace tollgate::yaml {

enum class Kind { Null, Scalar, Sequence, Mapping };

// A YAML node that remembers where it was written. Aliases are expanded and merge keys
// (`<<: *a`, `<<: [*a, *b]`) applied while loading, so consumers see plain trees; tags such as
// `!reference` are kept for the consumer to interpret.
struct Node {
  struct Entry;

  Kind kind = Kind::Null;
  bool quoted = false;         // a quoted or block scalar: always a string, never a bool or number
  std::string scalar;          // the text of a scalar
  std::string tag;             // "" when untagged, else e.g. "!reference"
  std::vector<Node> items;     // a sequence's items
  std::vector<Entry> entries;  // a mapping's entries in file order (a later duplicate wins)
  SourceLocation where;

  bool is_null() const { return kind == Kind::Null; }
  bool is_scalar() const { return kind == Kind::Scalar; }
  bool is_sequence() const { return kind == Kind::Sequence; }
  bool is_mapping() const { return kind == Kind::Mapping; }

  // The value under key in a mapping, or nullptr.
  const Node* find(std::string_view key) const;
  Node* find(std::string_view key);

  // Plain-scalar typing (YAML 1.1 as GitLab's Ruby parser reads it).
  bool is_bool() const;  // true/false/yes/no/on/off, unquoted
  bool as_bool() const;  // throws Error at `where` when not a bool
  bool is_int() const;
  long long as_int() const;  // throws Error at `where` when not an integer
  // A scalar's text; throws Error when the node is a sequence or mapping.
  const std::string& as_string(std::string_view what = "a string") const;
  // What the node is, for messages: "a string", "a list", "a mapping", "null", "a boolean".
  std::string describe() const;

  nlohmann::json to_json() const;

  static Node make_scalar(std::string text, SourceLocation where = {});
};

struct Node::Entry {
  Node key;
  Node value;
};

// Parses one document (an empty input gives a Null node). Throws Error with file:line:col.
Node load(std::string_view text, const std::string& file);
// Parses every document of a multi-document stream.
std::vector<Node> load_all(std::string_view text, const std::string& file);
Node load_file(const std::string& path);

// Writes a node back as block-style YAML (scalars quoted when YAML would read them otherwise).
std::string emit(const Node& node);

}  // namespace tollgate::yaml
