// Block collections (indentation) and flow collections (brackets) of a YAML stream.
#include "util/yaml_parse_internal.h"

namespace tollgate::yaml_parse {
namespace {

bool is_flow_indicator(char c) {
  return c == ',' || c == '[' || c == ']' || c == '{' || c == '}';
}

}  // namespace

// A node introduced by ctx: on the rest of this line, or on the next lines when they are
// indented more than parent (or, for a mapping value, a list at the key's own indentation).
Node Builder::block_node(int parent, Ctx ctx) {
  Mark before = mark();
  skip_to_content(true);
  if (p_ >= end_ || at_document_marker()) return empty_at(before);
  bool on_new_line = on_new_line_ || indented_only();
  int indent = static_cast<int>(p_ - line_start_);
  bool is_item = *p_ == '-' && at_blank_or_end(p_ + 1);
  if (on_new_line && indent <= parent) {
    if (ctx == Ctx::Value && indent == parent && is_item) return block_sequence(indent, true);
    return empty_at(before);
  }
  // After "key:" or "---" a block collection must start on a line of its own.
  bool compact_ok = on_new_line || ctx == Ctx::Item;
  Props props;
  if (*p_ == '&' || *p_ == '!') {
    props = properties();
    skip_spaces();
    // Properties alone on their line belong to what the next lines hold.
    if (p_ >= end_ || at_break() || *p_ == '#') return apply(block_node(parent, ctx), props);
    if (*p_ == '-' && at_blank_or_end(p_ + 1))
      fail("a list cannot follow an anchor or tag on the same line: start it on the next line");
  }
  if (is_item) {
    if (!compact_ok)
      fail("a list cannot start on the line of its key or '---': start it on the next line");
    return block_sequence(indent, false);
  }
  if (*p_ == '?' && at_blank_or_end(p_ + 1)) {
    if (!compact_ok) fail("an explicit key '? ' cannot start here: start it on the next line");
    return block_mapping(static_cast<int>(p_ - line_start_), nullptr, mark());
  }
  if (*p_ == '|' || *p_ == '>') return apply(block_scalar(parent), props);
  Mark start = props.at.at ? props.at : mark();
  Node n = apply(inline_node(parent, props), props);
  skip_spaces();
  if (p_ < end_ && *p_ == ':' && at_blank_or_end(p_ + 1)) {
    if (line_ != start.line) fail(start, "a mapping key must fit on one line");
    if (!compact_ok)
      fail(
          "mapping values are not allowed here (a 'key: value' on the line of another key or "
          "'---': quote the value, or put the mapping on the next line, indented)");
    return block_mapping(static_cast<int>(start.at - start.line_start), &n, start);
  }
  expect_line_end("the value");
  return n;
}

// A scalar, flow collection or alias that starts at p_ in block context.
Node Builder::inline_node(int parent, const Props& props) {
  switch (*p_) {
    case '*':
      if (props.at.at != nullptr) fail(props.at, "an alias cannot have an anchor or a tag");
      return alias();
    case '"':
    case '\'':
      return quoted_scalar();
    case '[':
      return flow_sequence();
    case '{':
      return flow_mapping();
    default:
      return plain_scalar(parent, false);
  }
}

Node Builder::block_sequence(int indent, bool compact) {
  Mark start = mark();
  enter(start);
  size_t first = scratch_.size();
  while (true) {
    ++p_;  // the '-'
    Node item = block_node(indent, Ctx::Item);
    scratch_.push_back(item);
    skip_to_content(true);
    if (p_ >= end_ || at_document_marker()) break;
    int now = static_cast<int>(p_ - line_start_);
    if (now < indent) break;
    if (now > indent)
      fail("this line is indented more than the items of its list (column " +
           std::to_string(indent + 1) + ")");
    if (*p_ != '-' || !at_blank_or_end(p_ + 1)) {
      if (compact) break;  // the list was a mapping value; the mapping goes on
      fail("expected a list item '- ' at this indentation, or less indentation to end the list");
    }
  }
  leave();
  return close_collection(Kind::Sequence, Style::Block, first, start);
}

Node Builder::block_mapping(int indent, const Node* first_key, const Mark& start) {
  enter(start);
  size_t first = scratch_.size();
  Node key;
  if (first_key != nullptr) {
    key = *first_key;
    ++p_;  // the ':'
  }
  while (true) {
    if (first_key == nullptr) {
      if (*p_ == '?' && at_blank_or_end(p_ + 1)) {
        ++p_;
        scratch_.push_back(block_node(indent, Ctx::Item));
        Mark after_key = mark();
        skip_to_content(true);
        bool has_value = p_ < end_ && !at_document_marker() && indented_only() &&
                         p_ - line_start_ == indent && *p_ == ':' && at_blank_or_end(p_ + 1);
        if (has_value) ++p_;
        scratch_.push_back(has_value ? block_node(indent, Ctx::Item) : empty_at(after_key));
      } else {
        scratch_.push_back(implicit_key(indent));
        scratch_.push_back(block_node(indent, Ctx::Value));
      }
    } else {
      scratch_.push_back(key);
      scratch_.push_back(block_node(indent, Ctx::Value));
      first_key = nullptr;
    }
    skip_to_content(true);
    if (p_ >= end_ || at_document_marker()) break;
    int now = static_cast<int>(p_ - line_start_);
    if (now < indent) break;
    if (now > indent)
      fail("this line is indented more than the keys of its mapping (column " +
           std::to_string(indent + 1) + ")");
  }
  leave();
  return close_collection(Kind::Mapping, Style::Block, first, start);
}

// "key:" at the indentation of a block mapping, with the ':' consumed.
Node Builder::implicit_key(int indent) {
  Mark start = mark();
  Props props;
  if (*p_ == '&' || *p_ == '!') {
    props = properties();
    skip_spaces();
  }
  if (*p_ == '-' && at_blank_or_end(p_ + 1))
    fail(start,
         "a list item where a mapping key was expected (a list and keys at the same "
         "indentation)");
  if (*p_ == '|' || *p_ == '>') fail("a block scalar cannot be a mapping key");
  Node key;
  if (*p_ == ':' && at_blank_or_end(p_ + 1))
    key = empty_at(mark());  // ": value", an empty key
  else
    key = inline_node(indent, props);
  key = apply(key, props);
  skip_spaces();
  if (p_ >= end_ || *p_ != ':' || !at_blank_or_end(p_ + 1))
    fail(start,
         "expected 'key: value' here (a mapping's entries are 'key: value' lines at the "
         "same indentation)");
  if (line_ != start.line) fail(start, "a mapping key must fit on one line");
  ++p_;
  return key;
}

// In flow context a ':' after a JSON-like key (quoted, or a collection) needs no space.
bool Builder::at_flow_value_indicator(const Node& key) const {
  if (p_ >= end_ || *p_ != ':') return false;
  bool json_like = key.style_ == Style::SingleQuoted || key.style_ == Style::DoubleQuoted ||
                   key.style_ == Style::Flow;
  return json_like || at_blank_or_end(p_ + 1) || (p_ + 1 < end_ && is_flow_indicator(p_[1]));
}

Node Builder::flow_node() {
  skip_to_content(false);
  if (at_document_marker())
    fail("a document marker inside a flow collection (missing ']' or '}'?)");
  if (p_ >= end_) fail("the stream ends inside a flow collection (missing ']' or '}'?)");
  Props props;
  if (*p_ == '&' || *p_ == '!') {
    props = properties();
    skip_to_content(false);
  }
  Node n;
  char c = p_ < end_ ? *p_ : ',';
  if (c == '[') {
    n = flow_sequence();
  } else if (c == '{') {
    n = flow_mapping();
  } else if (c == '*') {
    if (props.at.at != nullptr) fail(props.at, "an alias cannot have an anchor or a tag");
    n = alias();
  } else if (c == '"' || c == '\'') {
    n = quoted_scalar();
  } else if (c == ',' || c == ']' || c == '}' || (c == ':' && at_flow_value_indicator(Node{}))) {
    n = empty_at(mark());
  } else {
    n = plain_scalar(-1, true);
  }
  return apply(n, props);
}

// The value after "key" in a flow collection, when a ':' follows; else the key is alone.
Node Builder::flow_pair(char close) {
  ++p_;  // the ':'
  skip_to_content(false);
  if (p_ < end_ && (*p_ == ',' || *p_ == close)) return empty_at(mark());
  return flow_node();
}

Node Builder::flow_sequence() {
  Mark start = mark();
  enter(start);
  ++p_;
  size_t first = scratch_.size();
  while (true) {
    skip_to_content(false);
    if (p_ >= end_) fail(start, "this '[' is never closed");
    if (at_document_marker()) fail(start, "this '[' is not closed before the next document");
    if (*p_ == ']') {
      ++p_;
      break;
    }
    Mark entry = mark();
    bool explicit_key = *p_ == '?' && at_blank_or_end(p_ + 1);
    if (explicit_key) ++p_;
    Node n = flow_node();
    skip_to_content(false);
    if (at_flow_value_indicator(n) || explicit_key) {
      // "[a: b]": a mapping of one entry inside the list.
      size_t pair = scratch_.size();
      scratch_.push_back(n);
      scratch_.push_back(at_flow_value_indicator(n) ? flow_pair(']') : empty_at(mark()));
      n = close_collection(Kind::Mapping, Style::Flow, pair, entry);
      skip_to_content(false);
    }
    scratch_.push_back(n);
    if (p_ < end_ && *p_ == ',') {
      ++p_;
    } else if (p_ < end_ && *p_ == ']') {
      ++p_;
      break;
    } else {
      fail(p_ >= end_ ? start : mark(),
           p_ >= end_ ? "this '[' is never closed" : "expected ',' or ']' in the flow list");
    }
  }
  leave();
  return close_collection(Kind::Sequence, Style::Flow, first, start);
}

Node Builder::flow_mapping() {
  Mark start = mark();
  enter(start);
  ++p_;
  size_t first = scratch_.size();
  while (true) {
    skip_to_content(false);
    if (p_ >= end_) fail(start, "this '{' is never closed");
    if (at_document_marker()) fail(start, "this '{' is not closed before the next document");
    if (*p_ == '}') {
      ++p_;
      break;
    }
    if (*p_ == '?' && at_blank_or_end(p_ + 1)) ++p_;
    Node key = flow_node();
    skip_to_content(false);
    scratch_.push_back(key);
    scratch_.push_back(at_flow_value_indicator(key) ? flow_pair('}') : empty_at(mark()));
    skip_to_content(false);
    if (p_ < end_ && *p_ == ',') {
      ++p_;
    } else if (p_ < end_ && *p_ == '}') {
      ++p_;
      break;
    } else {
      fail(p_ >= end_ ? start : mark(),
           p_ >= end_ ? "this '{' is never closed" : "expected ',' or '}' in the flow mapping");
    }
  }
  leave();
  return close_collection(Kind::Mapping, Style::Flow, first, start);
}

}  // namespace tollgate::yaml_parse
