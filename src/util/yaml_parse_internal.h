#pragma once

// Internal to yaml_parse: the arena, the per-piece source and the recursive-descent builder.
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "util/yaml_parse.h"

namespace tollgate::yaml_parse {

// What nodes of one parsed piece share: the file name and the tags they carry by index.
struct Source {
  FileName file;  // shared by every location of the piece
  std::vector<std::string> tags = {"", "tag:yaml.org,2002:str"};
};
constexpr uint16_t kStrTag = 1;  // a plain scalar tagged !!str is still a string

// Bump allocation in large blocks; nothing is freed before the whole arena.
class Arena {
 public:
  void* allocate(size_t bytes);  // aligned for Node
  std::string_view copy(std::string_view s);

 private:
  std::vector<std::unique_ptr<std::byte[]>> blocks_;
  std::byte* next_ = nullptr;
  size_t left_ = 0;
};

// Reads the documents of one piece of a stream (whole lines, whole documents).
class Builder {
 public:
  Builder(std::string_view piece, uint32_t first_line, Source& source, Arena& arena,
          const Options& options);
  std::vector<Node> documents();

 private:
  enum class Ctx { Document, Value, Item };  // what introduced a block node
  // A position: the byte, its line and where that line starts (for the column).
  struct Mark {
    const char* at = nullptr;
    uint32_t line = 0;
    const char* line_start = nullptr;
  };
  // Anchor and tag written before a node; at.at == nullptr when there are none.
  struct Props {
    std::string_view anchor;
    uint16_t tag = 0;
    Mark at;
    size_t expanded_before = 0;  // for the anchored node's weight
  };
  struct Anchor {
    Node node;
    size_t weight;  // nodes a walk of the expansion visits
  };

  // Position and errors.
  Mark mark() const { return {p_, line_, line_start_}; }
  uint32_t column_of(const Mark& m);
  [[noreturn]] void fail(const Mark& m, const std::string& what);
  [[noreturn]] void fail(const std::string& what) { fail(mark(), what); }
  bool at_end() const { return p_ >= end_; }
  char peek(size_t ahead = 0) const { return p_ + ahead < end_ ? p_[ahead] : '\0'; }
  bool at_blank_or_end(const char* at) const;  // space, tab, line break or end
  bool at_document_marker() const;             // "---" or "..." at column 0
  bool at_break() const { return p_ < end_ && (*p_ == '\n' || *p_ == '\r'); }
  bool indented_only() const;  // nothing but spaces before p_ on its line
  void next_line();            // past the line break at p_
  void skip_spaces();
  // Skips spaces, comments and line breaks up to the next content (or the end).
  void skip_to_content(bool block);
  void expect_line_end(const char* what);

  // Structure (yaml_parse_builder.cc).
  Node block_node(int parent, Ctx ctx);
  Node block_sequence(int indent, bool compact);
  Node block_mapping(int indent, const Node* first_key, const Mark& start);
  Node implicit_key(int indent);
  Node inline_node(int parent, const Props& props);
  Node flow_node();
  Node flow_sequence();
  Node flow_mapping();
  Node flow_pair(char close);
  bool at_flow_value_indicator(const Node& key) const;
  Node alias();
  Props properties();
  uint16_t resolve_tag(const Mark& at, std::string_view tag);
  void directive(bool& version_seen);
  Node empty_at(const Mark& m);
  Node close_collection(Kind kind, Style style, size_t first, const Mark& start);
  void finish_mapping(Node& map, size_t first);
  Node apply(Node node, const Props& props);
  void count(size_t nodes);
  void enter(const Mark& m);
  void leave() { --depth_; }

  // Scalars (yaml_parse_scalars.cc).
  Node plain_scalar(int parent, bool flow);
  Node quoted_scalar();
  Node block_scalar(int parent);
  Node make_scalar(std::string_view text, Style style, const Mark& start);
  bool plain_continues(int parent, bool flow, const char*& next, uint32_t& lines,
                       const char*& line_start, size_t& blanks) const;
  void escape(std::string& out);

  const char* begin_;
  const char* p_;
  const char* end_;
  const char* line_start_;
  uint32_t line_;
  bool all_ascii_ = false;            // then columns are byte offsets
  bool on_new_line_ = false;          // the last skip_to_content crossed a line break
  const char* ascii_line_ = nullptr;  // line_start_ of the last line known to be ASCII
  // The last line known not to be: characters counted up to counted_at_, so that the columns of
  // one long line (a one-line JSON document) cost its length once, not once per node.
  const char* counted_line_ = nullptr;
  const char* counted_at_ = nullptr;
  uint32_t counted_chars_ = 0;
  Source& source_;
  Arena& arena_;
  const Options& options_;
  std::vector<Node> scratch_;  // children of the collections being read
  std::vector<Node::Entry> entries_;
  std::unordered_map<std::string_view, Anchor> anchors_;
  std::unordered_map<std::string, std::string> tag_handles_;
  std::unordered_map<std::string, uint16_t> tag_index_;
  std::string buffer_;  // unescaped or folded text being built
  size_t expanded_ = 0;
  int depth_ = 0;
};

}  // namespace tollgate::yaml_parse
