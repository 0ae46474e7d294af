#pragma once

// A fast YAML 1.2 parser into a compact, read-only tree.
//
// Every node of a stream lives in one arena owned by the Tree; scalars that need no unescaping
// or folding are views into the input, which the Tree owns. Each node knows its line and
// column, so consumers can point at the offending field. Aliases share the anchored node (no
// copy), merge keys (<<) are applied, tags are kept as written (resolved through %TAG). Plain
// scalars stay text: typing (bool, int, ...) is the consumer's choice of schema, except that
// the core schema's nulls (empty, ~, null) become Kind::Null.
//
// What it does not accept is an Error at file:line:col, never a silently different tree. It
// refuses, as YAML 1.2 does: tabs in block indentation, implicit keys over several lines, a
// block collection on the line of its key or of "---", duplicate keys (unless LastWins),
// directives without "---", %YAML 2.x. Beyond the spec it refuses nesting deeper than 400,
// inputs of 4 GB and more, and more than 65535 distinct tags in a stream piece. Where it differs
// from libfyaml: it accepts flow collections whose lines are not indented under their key (a
// closing ']' in column 1, common in hand-written manifests); a clip-chomped block scalar that ends
// the input without a line break gets no "\n" (YAML 1.2, 8.1.1.2); tag suffixes are kept without
// %-decoding. Unicode line separators (NEL, LS, PS) are content, not line breaks, as in YAML 1.2.
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace tollgate::yaml_parse {

enum class Kind : uint8_t { Null, Scalar, Sequence, Mapping };
// How a scalar was written; collections are Block or Flow.
enum class Style : uint8_t { Plain, SingleQuoted, DoubleQuoted, Literal, Folded, Block, Flow };

struct Source;

class Node {
 public:
  struct Entry;

  Kind kind() const { return kind_; }
  Style style() const { return style_; }
  bool is_null() const { return kind_ == Kind::Null; }
  bool is_scalar() const { return kind_ == Kind::Scalar; }
  bool is_sequence() const { return kind_ == Kind::Sequence; }
  bool is_mapping() const { return kind_ == Kind::Mapping; }
  // Quoted or block scalars are always strings, never a bool, number or null.
  bool quoted() const { return kind_ == Kind::Scalar && style_ != Style::Plain; }

  // A scalar's text, "" for anything else.
  std::string_view text() const {
    return kind_ == Kind::Scalar ? std::string_view(static_cast<const char*>(data_), size_) : "";
  }
  // The resolved tag ("!reference", "tag:yaml.org,2002:str"), "" when untagged.
  std::string_view tag() const;
  // 1-based, counted in characters.
  int line() const { return static_cast<int>(line_); }
  int column() const { return static_cast<int>(column_); }
  SourceLocation where() const;
  const std::string& file() const;

  // A sequence's items; empty for anything else.
  std::span<const Node> items() const {
    if (kind_ != Kind::Sequence) return {};
    return {static_cast<const Node*>(data_), size_};
  }
  // A mapping's entries in file order; empty for anything else.
  std::span<const Entry> entries() const;
  // Items of a sequence or entries of a mapping; 0 for scalars and null.
  size_t size() const { return kind_ == Kind::Sequence || kind_ == Kind::Mapping ? size_ : 0; }

  // The value under a scalar key of a mapping, or nullptr.
  const Node* find(std::string_view key) const;
  // The text of a scalar; throws Error at where() naming what was expected otherwise.
  std::string_view as_string(std::string_view what = "a string") const;
  // What the node is, for messages: "a string", "a list", "a mapping", "null".
  std::string describe() const;

 private:
  friend class Builder;

  const void* data_ = nullptr;  // scalar bytes, items or entries
  uint32_t size_ = 0;           // scalar bytes, items or entries
  uint32_t line_ = 0;
  uint32_t column_ = 0;
  uint16_t tag_ = 0;  // index into source_->tags; 0 is untagged
  Kind kind_ = Kind::Null;
  Style style_ = Style::Plain;
  const Source* source_ = nullptr;
};

struct Node::Entry {
  Node key;
  Node value;
};

inline std::span<const Node::Entry> Node::entries() const {
  if (kind_ != Kind::Mapping) return {};
  return {static_cast<const Entry*>(data_), size_};
}

enum class DuplicateKeys {
  Error,     // YAML 1.2 and Kubernetes: a mapping's keys are unique
  LastWins,  // the later value replaces the earlier one in place (Ruby's and yaml-cpp's way)
};

struct Options {
  DuplicateKeys duplicate_keys = DuplicateKeys::Error;
  bool merge_keys = true;  // apply "<<: *base" (YAML 1.1's merge key, used everywhere)
  // Aliases share nodes, but a consumer that walks the tree visits every expansion: a
  // "billion laughs" stream is refused when it expands to more nodes than this.
  size_t max_expanded_nodes = 50'000'000;
  // A stream at least this large is cut at its document markers and the pieces are parsed on
  // every core; documents and locations come out exactly as from one parse. 0: never.
  size_t parallel_from = 4 << 20;
};

// The parsed stream: its documents, the arena they live in and the input they point into.
class Tree {
 public:
  Tree();
  Tree(Tree&&) noexcept;
  Tree& operator=(Tree&&) noexcept;
  ~Tree();

  // One root per document; an empty document ("---" alone) is a Null root.
  std::span<const Node> documents() const { return documents_; }
  const std::string& file() const;
  const std::string& text() const;

 private:
  friend Tree parse(std::string text, std::string file, const Options& options);
  struct Storage;

  std::unique_ptr<Storage> storage_;
  std::vector<Node> documents_;
};

// Parses every document of a YAML (or JSON) stream. Throws Error at file:line:col.
Tree parse(std::string text, std::string file, const Options& options = {});

// What YAML 1.1 (GitLab's Ruby parser, Kubernetes' decoder) reads a plain scalar as a boolean:
// true/yes/on and false/no/off, all lower, Capitalised or ALL UPPER, never mixed; nullopt for
// any other text. YAML 1.2 keeps only true and false, which is why typing is the caller's.
std::optional<bool> yaml11_bool(std::string_view plain_text);

// The same data: kinds, texts, items and entries in order; locations, styles and tags aside.
bool same_data(const Node& a, const Node& b);

// The node as JSON: null, strings for scalars (plain or not), arrays and objects. Keys that
// are not scalars are written as their JSON text. For tests and tools, not for typing.
nlohmann::json to_json(const Node& node);

}  // namespace tollgate::yaml_parse
