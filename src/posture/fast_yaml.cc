#include "posture/fast_yaml.h"

#include <libfyaml.h>

#include <algorithm>
#include <future>
#include <map>
#include <memory>
#include <thread>

namespace tollgate::posture {
namespace {

using yaml::Kind;
using yaml::Node;

// Aliases are copied, so a "billion laughs" document would expand without bound.
constexpr size_t kMaxNodes = 50'000'000;

std::string token_text(fy_token* t) {
  if (t == nullptr) return {};
  size_t len = 0;
  const char* s = fy_token_get_text(t, &len);
  return s ? std::string(s, len) : std::string();
}

bool is_null_text(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

size_t count_nodes(const Node& n) {
  size_t total = 1;
  for (const auto& i : n.items)
    total += count_nodes(i);
  for (const auto& e : n.entries)
    total += count_nodes(e.key) + count_nodes(e.value);
  return total;
}

// A collection being built, with the key waiting for its value when it is a mapping.
struct Frame {
  Node node;
  std::string anchor;
  bool have_key = false;
  Node key;
  std::vector<std::pair<Node, SourceLocation>> merges;
};

class Builder {
 public:
  Builder(const std::string& file, int line_offset) : file_(file), line_offset_(line_offset) {}

  SourceLocation where(const fy_mark* m) const {
    if (m == nullptr) return document_where_;
    return {file_, m->line + 1 + line_offset_, m->column + 1};
  }

  // Like yaml-cpp, a node starts at its anchor or tag when it has one.
  SourceLocation where(const fy_mark* m, fy_token* anchor, fy_token* tag) const {
    SourceLocation at = where(m);
    for (fy_token* t : {anchor, tag}) {
      const fy_mark* tm = t ? fy_token_start_mark(t) : nullptr;
      if (tm == nullptr) continue;
      SourceLocation candidate = where(tm);
      // The anchor's mark is past its '&'.
      if (t == anchor) candidate.column = std::max(1, candidate.column - 1);
      if (candidate.line < at.line || (candidate.line == at.line && candidate.column < at.column))
        at = candidate;
    }
    return at;
  }

  void document_start(const fy_mark* m) { document_where_ = where(m); }

  void start(Kind kind, fy_token* anchor, fy_token* tag, const fy_mark* mark) {
    Frame f;
    f.node.kind = kind;
    f.node.where = where(mark, anchor, tag);
    f.node.tag = custom_tag(tag);
    f.anchor = token_text(anchor);
    stack_.push_back(std::move(f));
  }

  void end() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    for (const auto& [source, at] : f.merges) {
      if (source.is_sequence()) {
        for (const auto& item : source.items)
          merge_into(f.node, item, at);
      } else {
        merge_into(f.node, source, at);
      }
    }
    if (!f.anchor.empty()) anchors_[f.anchor] = f.node;
    add(std::move(f.node));
  }

  void scalar(const fy_event_scalar_data& s, const fy_mark* mark) {
    Node n;
    n.kind = Kind::Scalar;
    n.where = where(mark, s.anchor, s.tag);
    n.scalar = token_text(s.value);
    std::string tag = token_text(s.tag);
    fy_scalar_style style = fy_token_scalar_style(s.value);
    // libfyaml marks the text inside the quotes; point at the opening quote, as yaml-cpp does.
    if ((style == FYSS_SINGLE_QUOTED || style == FYSS_DOUBLE_QUOTED) && n.where.column > 1 &&
        s.anchor == nullptr && s.tag == nullptr)
      --n.where.column;
    n.quoted = style != FYSS_PLAIN || tag == "tag:yaml.org,2002:str";
    n.tag = custom_tag(s.tag);
    if (!n.quoted && n.tag.empty() && is_null_text(n.scalar)) {
      n.kind = Kind::Null;
      n.scalar.clear();
    }
    std::string anchor = token_text(s.anchor);
    if (!anchor.empty()) anchors_[anchor] = n;
    add(std::move(n));
  }

  void alias(fy_token* anchor, const fy_mark* mark) {
    std::string name = token_text(anchor);
    auto it = anchors_.find(name);
    if (it == anchors_.end())
      throw Error(where(mark), "invalid YAML: unknown anchor '" + name + "'");
    count_ += count_nodes(it->second);
    if (count_ > kMaxNodes)
      throw Error(where(mark), "YAML document expands to too many nodes (alias bomb?)");
    add(Node(it->second));
  }

  // The finished document root, once the stack is empty.
  Node take_document() {
    Node n = std::move(document_);
    document_ = Node{};
    return n;
  }

 private:
  std::string custom_tag(fy_token* tag) const {
    std::string t = token_text(tag);
    if (t.empty() || t == "!" || t == "?" || t.rfind("tag:yaml.org,2002:", 0) == 0) return "";
    return t;
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

  static void merge_into(Node& map, const Node& source, const SourceLocation& at) {
    if (!source.is_mapping())
      throw Error(
          at, "a merge key '<<' takes a mapping or a list of mappings, not " + source.describe());
    for (const auto& e : source.entries) {
      bool present = false;
      for (const auto& mine : map.entries)
        present |= mine.key.kind == e.key.kind && mine.key.scalar == e.key.scalar;
      if (!present) map.entries.push_back(e);
    }
  }

  void add(Node n) {
    ++count_;
    if (stack_.empty()) {
      document_ = std::move(n);
      return;
    }
    Frame& top = stack_.back();
    if (top.node.kind == Kind::Sequence) {
      top.node.items.push_back(std::move(n));
      return;
    }
    if (!top.have_key) {
      top.key = std::move(n);
      top.have_key = true;
      return;
    }
    top.have_key = false;
    if (top.key.kind == Kind::Scalar && !top.key.quoted && top.key.scalar == "<<") {
      top.merges.emplace_back(std::move(n), top.key.where);
      return;
    }
    set(top.node, std::move(top.key), std::move(n));
  }

  const std::string& file_;
  int line_offset_;
  SourceLocation document_where_;
  std::vector<Frame> stack_;
  std::map<std::string, Node> anchors_;
  Node document_;
  size_t count_ = 0;
};

struct ParserDeleter {
  void operator()(fy_parser* p) const { fy_parser_destroy(p); }
};

struct DiagDeleter {
  void operator()(fy_diag* d) const { fy_diag_unref(d); }
};

void discard_output(fy_diag*, void*, const char*, size_t) {}

[[noreturn]] void throw_parse_error(fy_parser* parser, const std::string& file, int line_offset) {
  SourceLocation at{file, 0, 0};
  std::string msg = "invalid YAML";
  if (fy_diag* diag = fy_parser_get_diag(parser)) {
    void* iter = nullptr;
    if (fy_diag_error* err = fy_diag_errors_iterate(diag, &iter)) {
      // Unlike marks, collected errors count lines and columns from 1.
      at.line = err->line + line_offset;
      at.column = err->column;
      if (err->msg) msg += std::string(": ") + err->msg;
    }
    fy_diag_unref(diag);  // fy_parser_get_diag took a reference
  }
  throw Error(at, msg);
}

// Parses one run of whole documents that starts line_offset lines into the file.
std::vector<Node> parse_documents(std::string_view text, const std::string& file, int line_offset) {
  fy_parse_cfg cfg{};
  // YAML 1.1 by default, as Kubernetes reads it; duplicate keys are allowed and the later one
  // wins, like the yaml-cpp loader.
  cfg.flags =
      static_cast<fy_parse_cfg_flags>(FYPCF_QUIET | FYPCF_COLLECT_DIAG | FYPCF_DEFAULT_VERSION_1_1 |
                                      FYPCF_ALLOW_DUPLICATE_KEYS | FYPCF_JSON_NONE);
  // Errors are collected for the message, never printed by the library.
  fy_diag_cfg diag_cfg;
  fy_diag_cfg_default(&diag_cfg);
  diag_cfg.fp = nullptr;
  diag_cfg.output_fn = discard_output;
  std::unique_ptr<fy_diag, DiagDeleter> diag(fy_diag_create(&diag_cfg));
  if (!diag) throw Error(SourceLocation{file}, "cannot create the YAML parser");
  fy_diag_set_collect_errors(diag.get(), true);
  cfg.diag = diag.get();
  std::unique_ptr<fy_parser, ParserDeleter> parser(fy_parser_create(&cfg));
  if (!parser) throw Error(SourceLocation{file}, "cannot create the YAML parser");
  if (fy_parser_set_string(parser.get(), text.data(), text.size()) != 0)
    throw Error(SourceLocation{file}, "cannot read the input");
  std::vector<Node> docs;
  Builder builder(file, line_offset);
  auto free_event = [&](fy_event* e) { fy_parser_event_free(parser.get(), e); };
  while (true) {
    std::unique_ptr<fy_event, decltype(free_event)> event(fy_parser_parse(parser.get()),
                                                          free_event);
    if (!event) break;
    const fy_mark* mark = fy_event_start_mark(event.get());
    switch (event->type) {
      case FYET_SCALAR:
        builder.scalar(event->scalar, mark);
        break;
      case FYET_ALIAS:
        builder.alias(event->alias.anchor, mark);
        break;
      case FYET_SEQUENCE_START:
        builder.start(Kind::Sequence, event->sequence_start.anchor, event->sequence_start.tag,
                      mark);
        break;
      case FYET_MAPPING_START:
        builder.start(Kind::Mapping, event->mapping_start.anchor, event->mapping_start.tag, mark);
        break;
      case FYET_SEQUENCE_END:
      case FYET_MAPPING_END:
        builder.end();
        break;
      case FYET_DOCUMENT_START:
        builder.document_start(mark);
        break;
      case FYET_DOCUMENT_END:
        docs.push_back(builder.take_document());
        break;
      default:
        break;
    }
  }
  if (fy_parser_get_stream_error(parser.get())) throw_parse_error(parser.get(), file, line_offset);
  return docs;
}

bool is_document_marker(std::string_view text, size_t pos) {
  if (text.compare(pos, 3, "---") != 0) return false;
  return pos + 3 == text.size() || text[pos + 3] == '\n' || text[pos + 3] == ' ' ||
         text[pos + 3] == '\r' || text[pos + 3] == '\t';
}

// Offsets where pieces start: line starts holding a document marker, near equal shares.
std::vector<size_t> cut_points(std::string_view text, size_t pieces) {
  std::vector<size_t> cuts = {0};
  for (size_t i = 1; i < pieces; ++i) {
    size_t pos = std::max(cuts.back() + 1, text.size() * i / pieces);
    while (true) {
      pos = text.find("\n---", pos);
      if (pos == std::string_view::npos) return cuts;
      if (is_document_marker(text, pos + 1)) break;
      ++pos;
    }
    cuts.push_back(pos + 1);
  }
  return cuts;
}

}  // namespace

std::vector<Node> load_all_fast(std::string_view text, const std::string& file,
                                size_t parallel_from) {
  size_t cores = std::max(1u, std::thread::hardware_concurrency());
  if (text.size() < parallel_from || cores < 2) return parse_documents(text, file, 0);
  std::vector<size_t> cuts = cut_points(text, std::min<size_t>(cores, 16));
  std::vector<std::string_view> pieces;
  std::vector<int> offsets;
  int line = 0;
  for (size_t i = 0; i < cuts.size(); ++i) {
    size_t end = i + 1 < cuts.size() ? cuts[i + 1] : text.size();
    pieces.push_back(text.substr(cuts[i], end - cuts[i]));
    offsets.push_back(line);
    line += static_cast<int>(std::count(pieces.back().begin(), pieces.back().end(), '\n'));
  }
  std::vector<std::future<std::vector<Node>>> parts;
  for (size_t i = 0; i < pieces.size(); ++i)
    parts.push_back(
        std::async(std::launch::async, parse_documents, pieces[i], std::cref(file), offsets[i]));
  std::vector<Node> docs;
  // get() rethrows a piece's Error; the earliest piece's error is the one a single parse gives.
  std::vector<std::vector<Node>> results;
  for (auto& part : parts)
    results.push_back(part.get());
  for (auto& r : results)
    for (auto& d : r)
      docs.push_back(std::move(d));
  return docs;
}

}  // namespace tollgate::posture
