// The structure of a YAML stream: documents, block and flow collections, properties, aliases
// and merge keys. Scalars are read in yaml_parse_scalars.cc.
#include <cstring>
#include <unordered_set>

#include "util/yaml_parse_internal.h"

namespace tollgate::yaml_parse {
namespace {

// Deeper nesting than this is refused rather than risking the stack.
constexpr int kMaxDepth = 400;

bool is_flow_indicator(char c) {
  return c == ',' || c == '[' || c == ']' || c == '{' || c == '}';
}

bool keys_equal(const Node& a, const Node& b) {
  if (a.kind() != b.kind()) return false;
  return a.is_null() || (a.is_scalar() && a.text() == b.text());
}

std::string quote(std::string_view s) {
  return "'" + std::string(s.substr(0, 60)) + (s.size() > 60 ? "...'" : "'");
}

}  // namespace

Builder::Builder(std::string_view piece, uint32_t first_line, Source& source, Arena& arena,
                 const Options& options)
    : begin_(piece.data()),
      p_(piece.data()),
      end_(piece.data() + piece.size()),
      line_start_(piece.data()),
      line_(first_line),
      source_(source),
      arena_(arena),
      options_(options) {
  tag_index_[source_.tags[kStrTag]] = kStrTag;
  // Eight bytes at a time: this look at the whole input must cost next to nothing.
  uint64_t high = 0;
  const char* q = begin_;
  for (; end_ - q >= 8; q += 8) {
    uint64_t word;
    std::memcpy(&word, q, 8);
    high |= word;
  }
  for (; q < end_; ++q)
    high |= static_cast<unsigned char>(*q);
  all_ascii_ = (high & 0x8080808080808080ULL) == 0;
}

uint32_t Builder::column_of(const Mark& m) {
  auto bytes = static_cast<uint32_t>(m.at - m.line_start);
  if (all_ascii_ || ascii_line_ == m.line_start) return bytes + 1;
  if (counted_line_ != m.line_start) {
    bool ascii = true;
    for (const char* q = m.line_start; q < end_ && *q != '\n'; ++q)
      ascii &= (static_cast<unsigned char>(*q) & 0x80) == 0;
    if (ascii) {
      ascii_line_ = m.line_start;
      return bytes + 1;
    }
    counted_line_ = counted_at_ = m.line_start;
    counted_chars_ = 0;
  }
  // Columns count characters: UTF-8 continuation bytes do not start one. Marks come in order
  // nearly always, so the count goes on from the last one (a quadratic scan took 2 minutes for a
  // 1 MB one-line Terraform plan holding one "é").
  if (m.at < counted_at_) {
    counted_at_ = m.line_start;
    counted_chars_ = 0;
  }
  for (; counted_at_ < m.at; ++counted_at_)
    counted_chars_ += (static_cast<unsigned char>(*counted_at_) & 0xC0) != 0x80;
  return counted_chars_ + 1;
}

void Builder::fail(const Mark& m, const std::string& what) {
  throw Error(
      SourceLocation{source_.file, static_cast<int>(m.line), static_cast<int>(column_of(m))},
      "invalid YAML: " + what);
}

bool Builder::at_blank_or_end(const char* at) const {
  return at >= end_ || *at == ' ' || *at == '\t' || *at == '\n' || *at == '\r';
}

bool Builder::at_document_marker() const {
  if (p_ != line_start_ || end_ - p_ < 3) return false;
  bool dashes = p_[0] == '-' && p_[1] == '-' && p_[2] == '-';
  bool dots = p_[0] == '.' && p_[1] == '.' && p_[2] == '.';
  return (dashes || dots) && at_blank_or_end(p_ + 3);
}

bool Builder::indented_only() const {
  for (const char* q = line_start_; q < p_; ++q)
    if (*q != ' ') return false;
  return true;
}

void Builder::next_line() {
  if (p_ < end_ && *p_ == '\r') ++p_;
  if (p_ < end_ && *p_ == '\n') ++p_;
  ++line_;
  line_start_ = p_;
}

void Builder::skip_spaces() {
  while (p_ < end_ && (*p_ == ' ' || *p_ == '\t'))
    ++p_;
}

void Builder::skip_to_content(bool block) {
  bool new_line = false, tab = false;
  while (p_ < end_) {
    char c = *p_;
    if (c == ' ') {
      ++p_;
    } else if (c == '\n' || c == '\r') {
      next_line();
      new_line = true;
      tab = false;
    } else if (c == '\t') {
      tab = true;
      ++p_;
    } else if (c == '#' && (p_ == line_start_ || p_[-1] == ' ' || p_[-1] == '\t')) {
      while (p_ < end_ && *p_ != '\n' && *p_ != '\r')
        ++p_;
    } else {
      break;
    }
  }
  on_new_line_ = new_line;
  if (!block || !new_line || !tab || p_ >= end_) return;
  for (const char* q = line_start_; q < p_; ++q)
    if (*q == '\t')
      fail({q, line_, line_start_}, "a tab character in indentation (YAML indents with spaces)");
}

void Builder::expect_line_end(const char* what) {
  skip_spaces();
  if (p_ >= end_ || at_break()) return;
  if (*p_ == '#' && p_ > line_start_ && (p_[-1] == ' ' || p_[-1] == '\t')) {
    while (p_ < end_ && !at_break())
      ++p_;
    return;
  }
  fail("unexpected text after " + std::string(what));
}

void Builder::enter(const Mark& m) {
  if (++depth_ > kMaxDepth) fail(m, "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
}

void Builder::count(size_t nodes) {
  expanded_ += nodes;
  if (expanded_ > options_.max_expanded_nodes)
    fail("the document expands to more than " + std::to_string(options_.max_expanded_nodes) +
         " nodes through its aliases");
}

Node Builder::empty_at(const Mark& m) {
  Node n;
  n.line_ = m.line;
  n.column_ = column_of(m);
  n.source_ = &source_;
  n.data_ = m.at;
  count(1);
  return n;
}

std::vector<Node> Builder::documents() {
  std::vector<Node> docs;
  if (end_ - p_ >= 3 && std::memcmp(p_, "\xEF\xBB\xBF", 3) == 0) line_start_ = p_ += 3;
  while (true) {
    anchors_.clear();
    tag_handles_.clear();
    expanded_ = 0;
    skip_to_content(false);
    bool directives = false, version_seen = false;
    while (p_ < end_ && p_ == line_start_ && *p_ == '%') {
      directive(version_seen);
      directives = true;
      skip_to_content(false);
    }
    if (p_ >= end_) {
      if (directives) fail("directives must be followed by a document ('---')");
      break;
    }
    if (at_document_marker() && *p_ == '-') {
      p_ += 3;
      docs.push_back(block_node(-1, Ctx::Document));
    } else if (directives) {
      fail("directives must be followed by '---'");
    } else if (at_document_marker()) {  // a stray "..."
      p_ += 3;
      expect_line_end("'...'");
      continue;
    } else {
      docs.push_back(block_node(-1, Ctx::Document));
    }
    skip_to_content(false);
    if (p_ >= end_) break;
    if (!at_document_marker())
      fail("unexpected content after the end of the document (a new document starts with '---')");
    if (*p_ == '.') {
      p_ += 3;
      expect_line_end("'...'");
    }
  }
  return docs;
}

void Builder::directive(bool& version_seen) {
  Mark at = mark();
  ++p_;
  const char* name = p_;
  while (!at_blank_or_end(p_))
    ++p_;
  std::string_view directive(name, p_ - name);
  auto word = [&] {
    skip_spaces();
    const char* s = p_;
    while (!at_blank_or_end(p_))
      ++p_;
    return std::string_view(s, p_ - s);
  };
  if (directive == "YAML") {
    if (version_seen) fail(at, "a second %YAML directive for the same document");
    version_seen = true;
    std::string_view version = word();
    if (version.size() < 3 || version[0] != '1' || version[1] != '.')
      fail(at, "unsupported YAML version " + quote(version) + " (this parser reads YAML 1.x)");
  } else if (directive == "TAG") {
    std::string_view handle = word(), prefix = word();
    if (handle.empty() || handle.front() != '!' || handle.back() != '!' || prefix.empty())
      fail(at, "a %TAG directive needs a handle (!, !!, !name!) and a prefix");
    tag_handles_[std::string(handle)] = std::string(prefix);
  } else {
    // Reserved directives are to be ignored (YAML 1.2, 6.8): skip the line.
    while (p_ < end_ && !at_break())
      ++p_;
  }
  expect_line_end("the directive");
}

Builder::Props Builder::properties() {
  Props props;
  props.at = mark();
  props.expanded_before = expanded_;
  while (p_ < end_ && (*p_ == '&' || *p_ == '!')) {
    Mark at = mark();
    const char* s = p_;
    if (*p_ == '&') {
      ++p_;
      while (!at_blank_or_end(p_) && !is_flow_indicator(*p_))
        ++p_;
      if (!props.anchor.empty()) fail(at, "a node has two anchors");
      if (p_ == s + 1) fail(at, "an anchor '&' needs a name");
      props.anchor = std::string_view(s + 1, p_ - s - 1);
    } else {
      if (props.tag != 0) fail(at, "a node has two tags");
      if (p_ + 1 < end_ && p_[1] == '<') {
        while (p_ < end_ && *p_ != '>' && !at_blank_or_end(p_))
          ++p_;
        if (p_ >= end_ || *p_ != '>') fail(at, "a verbatim tag '!<...>' needs its closing '>'");
        ++p_;
      } else {
        while (!at_blank_or_end(p_) && !is_flow_indicator(*p_))
          ++p_;
      }
      props.tag = resolve_tag(at, std::string_view(s, p_ - s));
    }
    const char* after = p_;
    skip_spaces();
    if (p_ >= end_ || (*p_ != '&' && *p_ != '!')) {
      p_ = after;
      break;
    }
  }
  return props;
}

uint16_t Builder::resolve_tag(const Mark& at, std::string_view tag) {
  std::string full;
  if (tag == "!") {
    full = "!";
  } else if (tag.starts_with("!<")) {
    full = std::string(tag.substr(2, tag.size() - 3));
  } else {
    size_t second = tag.find('!', 1);
    std::string handle(second == std::string_view::npos ? "!" : tag.substr(0, second + 1));
    std::string_view suffix = tag.substr(handle.size());
    auto it = tag_handles_.find(handle);
    if (it != tag_handles_.end())
      full = it->second;
    else if (handle == "!!")
      full = "tag:yaml.org,2002:";
    else if (handle == "!")
      full = "!";
    else
      fail(at, "tag handle " + quote(handle) + " is not declared by a %TAG directive");
    if (suffix.empty()) fail(at, "tag " + quote(tag) + " has no name after its handle");
    full += suffix;
  }
  auto [it, added] = tag_index_.try_emplace(full, static_cast<uint16_t>(source_.tags.size()));
  if (added) {
    if (source_.tags.size() > 0xFFFF) fail(at, "more than 65535 distinct tags");
    source_.tags.push_back(full);
  }
  return it->second;
}

Node Builder::apply(Node node, const Props& props) {
  if (props.at.at == nullptr) return node;
  if (props.tag != 0) {
    if (node.tag_ != 0 && node.tag_ != props.tag) fail(props.at, "a node has two tags");
    node.tag_ = props.tag;
    // A tag decides the type: "!!str null" or "!custom" (empty) are scalars, not null.
    if (node.kind_ == Kind::Null && source_.tags[props.tag] != "tag:yaml.org,2002:null")
      node.kind_ = Kind::Scalar;
  }
  node.line_ = props.at.line;
  node.column_ = column_of(props.at);
  if (!props.anchor.empty())
    anchors_.insert_or_assign(props.anchor, Anchor{node, expanded_ - props.expanded_before});
  return node;
}

Node Builder::alias() {
  Mark at = mark();
  ++p_;
  const char* s = p_;
  while (!at_blank_or_end(p_) && !is_flow_indicator(*p_))
    ++p_;
  std::string_view name(s, p_ - s);
  if (name.empty()) fail(at, "an alias '*' needs the name of an anchor");
  auto it = anchors_.find(name);
  if (it == anchors_.end())
    fail(at, "unknown anchor " + quote(name) + " (an alias must follow its anchor '&" +
                 std::string(name) + "' in the same document)");
  count(it->second.weight);
  return it->second.node;
}

Node Builder::close_collection(Kind kind, Style style, size_t first, const Mark& start) {
  Node n;
  n.kind_ = kind;
  n.style_ = style;
  n.line_ = start.line;
  n.column_ = column_of(start);
  n.source_ = &source_;
  if (kind == Kind::Mapping) {
    finish_mapping(n, first);
  } else {
    size_t items = scratch_.size() - first;
    if (items > 0) {
      void* mem = arena_.allocate(items * sizeof(Node));
      std::memcpy(mem, &scratch_[first], items * sizeof(Node));
      n.data_ = mem;
    }
    n.size_ = static_cast<uint32_t>(items);
  }
  scratch_.resize(first);
  count(1);
  return n;
}

void Builder::finish_mapping(Node& map, size_t first) {
  size_t pairs = (scratch_.size() - first) / 2;
  // Mappings close innermost first, so one buffer serves them all.
  std::vector<Node::Entry>& entries = entries_;
  entries.clear();
  std::unordered_set<std::string_view> seen;  // scalar keys, for large mappings only
  constexpr size_t kLinearLimit = 24;
  std::vector<Node> merges;
  auto position = [&](const Node& key) -> Node::Entry* {
    if (entries.size() < kLinearLimit || !key.is_scalar()) {
      for (auto& e : entries)
        if (keys_equal(e.key, key)) return &e;
      return nullptr;
    }
    if (seen.empty())
      for (auto& e : entries)
        if (e.key.is_scalar()) seen.insert(e.key.text());
    if (!seen.count(key.text())) return nullptr;
    for (auto& e : entries)
      if (keys_equal(e.key, key)) return &e;
    return nullptr;
  };
  auto add = [&](const Node& key, const Node& value) {
    entries.push_back({key, value});
    if (!seen.empty() && key.is_scalar()) seen.insert(key.text());
  };
  for (size_t i = 0; i < pairs; ++i) {
    const Node& key = scratch_[first + 2 * i];
    const Node& value = scratch_[first + 2 * i + 1];
    if (options_.merge_keys && key.kind_ == Kind::Scalar && key.style_ == Style::Plain &&
        key.tag_ == 0 && key.text() == "<<") {
      merges.push_back(value);
      continue;
    }
    if (Node::Entry* earlier = position(key)) {
      if (options_.duplicate_keys == DuplicateKeys::Error)
        throw Error(SourceLocation{source_.file, key.line(), key.column()},
                    "invalid YAML: duplicate key " + quote(key.text()) + " (first at line " +
                        std::to_string(earlier->key.line()) + ")");
      earlier->value = value;
      continue;
    }
    add(key, value);
  }
  for (const Node& source : merges) {
    std::span<const Node> sources(&source, 1);
    if (source.is_sequence()) sources = source.items();
    for (const Node& m : sources) {
      if (!m.is_mapping())
        throw Error(SourceLocation{source_.file, m.line(), m.column()},
                    "invalid YAML: a merge key '<<' takes a mapping or a list of mappings, not " +
                        m.describe());
      for (const auto& e : m.entries())
        if (position(e.key) == nullptr) add(e.key, e.value);
    }
  }
  if (!entries.empty()) {
    void* mem = arena_.allocate(entries.size() * sizeof(Node::Entry));
    std::memcpy(mem, entries.data(), entries.size() * sizeof(Node::Entry));
    map.data_ = mem;
  }
  map.size_ = static_cast<uint32_t>(entries.size());
}

}  // namespace tollgate::yaml_parse
