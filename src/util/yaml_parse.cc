#include "util/yaml_parse.h"

#include <algorithm>
#include <cstring>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "util/strings.h"
#include "util/yaml_parse_internal.h"

namespace tollgate::yaml_parse {
namespace {

constexpr size_t kArenaBlock = 1 << 20;
const std::string kNoFile;

bool is_document_start(std::string_view text, size_t pos) {
  if (text.compare(pos, 3, "---") != 0) return false;
  if (pos + 3 == text.size()) return true;
  char c = text[pos + 3];
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// A column-0 "---" always starts a document: no scalar or flow collection runs across one, so
// pieces cut there parse exactly as the whole. A cut right after a directive would separate it
// from its document, so such markers are passed over.
std::vector<size_t> cut_points(std::string_view text, size_t pieces) {
  std::vector<size_t> cuts = {0};
  for (size_t i = 1; i < pieces; ++i) {
    size_t pos = std::max(cuts.back() + 1, text.size() * i / pieces);
    while (true) {
      pos = text.find("\n---", pos);
      if (pos == std::string_view::npos) return cuts;
      size_t prev = text.rfind('\n', pos - 1);
      prev = prev == std::string_view::npos ? 0 : prev + 1;
      if (is_document_start(text, pos + 1) && text[prev] != '%') break;
      ++pos;
    }
    cuts.push_back(pos + 1);
  }
  return cuts;
}

// Line breaks as the parser counts them: \n, \r\n and a lone \r are one each.
uint32_t count_lines(std::string_view s) {
  uint32_t lines = 0;
  for (const char* p = s.data();
       (p = static_cast<const char*>(std::memchr(p, '\n', s.data() + s.size() - p))) != nullptr;
       ++p)
    ++lines;
  if (std::memchr(s.data(), '\r', s.size()) == nullptr) return lines;
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n')) ++lines;
  return lines;
}

}  // namespace

void* Arena::allocate(size_t bytes) {
  bytes = (bytes + alignof(Node) - 1) & ~(alignof(Node) - 1);
  if (bytes > left_) {
    size_t size = std::max(bytes, kArenaBlock);
    blocks_.push_back(std::make_unique_for_overwrite<std::byte[]>(size));
    next_ = blocks_.back().get();
    left_ = size;
  }
  void* out = next_;
  next_ += bytes;
  left_ -= bytes;
  return out;
}

std::string_view Arena::copy(std::string_view s) {
  if (s.empty()) return {};
  void* mem = allocate(s.size());
  std::memcpy(mem, s.data(), s.size());
  return {static_cast<const char*>(mem), s.size()};
}

struct Tree::Storage {
  std::string text;
  std::string file;
  std::vector<std::unique_ptr<Source>> sources;
  std::vector<std::unique_ptr<Arena>> arenas;
};

Tree::Tree() : storage_(std::make_unique<Storage>()) {}
Tree::Tree(Tree&&) noexcept = default;
Tree& Tree::operator=(Tree&&) noexcept = default;
Tree::~Tree() = default;

const std::string& Tree::file() const {
  return storage_ ? storage_->file : kNoFile;
}
const std::string& Tree::text() const {
  return storage_ ? storage_->text : kNoFile;
}

Tree parse(std::string text, std::string file, const Options& options) {
  if (text.size() >= UINT32_MAX)
    throw Error(SourceLocation{file}, "invalid YAML: inputs of 4 GB or more are not supported");
  Tree tree;
  Tree::Storage& st = *tree.storage_;
  st.text = std::move(text);
  st.file = std::move(file);
  std::string_view all(st.text);
  size_t cores = std::max(1u, std::thread::hardware_concurrency());
  std::vector<size_t> cuts = {0};
  if (options.parallel_from > 0 && all.size() >= options.parallel_from && cores > 1)
    cuts = cut_points(all, std::min<size_t>(cores, 16));
  auto run = [&](std::string_view piece, uint32_t first_line) {
    st.sources.push_back(std::make_unique<Source>());
    st.sources.back()->file = st.file;
    st.arenas.push_back(std::make_unique<Arena>());
    return [piece, first_line, &source = *st.sources.back(), &arena = *st.arenas.back(), &options] {
      return Builder(piece, first_line, source, arena, options).documents();
    };
  };
  if (cuts.size() == 1) {
    tree.documents_ = run(all, 1)();
    return tree;
  }
  std::vector<std::future<std::vector<Node>>> parts;
  uint32_t line = 1;
  for (size_t i = 0; i < cuts.size(); ++i) {
    size_t end = i + 1 < cuts.size() ? cuts[i + 1] : all.size();
    std::string_view piece = all.substr(cuts[i], end - cuts[i]);
    parts.push_back(std::async(std::launch::async, run(piece, line)));
    line += count_lines(piece);
  }
  std::vector<std::vector<Node>> results;
  for (auto& part : parts)
    results.push_back(part.get());  // the earliest piece's error is the one a single parse gives
  for (auto& r : results)
    tree.documents_.insert(tree.documents_.end(), r.begin(), r.end());
  return tree;
}

std::string_view Node::tag() const {
  return source_ ? std::string_view(source_->tags[tag_]) : "";
}

const std::string& Node::file() const {
  return source_ ? source_->file.str() : kNoFile;
}

SourceLocation Node::where() const {
  if (source_ == nullptr) return {};
  return {source_->file, line(), column()};
}

const Node* Node::find(std::string_view key) const {
  for (const Entry& e : entries())
    if (e.key.kind_ == Kind::Scalar && e.key.text() == key) return &e.value;
  return nullptr;
}

std::string_view Node::as_string(std::string_view what) const {
  if (kind_ != Kind::Scalar)
    throw Error(where(), "expected " + std::string(what) + ", got " + describe());
  return text();
}

std::string Node::describe() const {
  switch (kind_) {
    case Kind::Null:
      return "null";
    case Kind::Sequence:
      return "a list";
    case Kind::Mapping:
      return "a mapping";
    case Kind::Scalar:
      break;
  }
  std::string_view t = text();
  if (t.size() > 40) return "the string '" + std::string(t.substr(0, 40)) + "...'";
  return "the string '" + std::string(t) + "'";
}

bool same_data(const Node& a, const Node& b) {
  if (a.kind() != b.kind() || a.size() != b.size()) return false;
  switch (a.kind()) {
    case Kind::Null:
      return true;
    case Kind::Scalar:
      return a.text() == b.text();
    case Kind::Sequence:
      for (size_t i = 0; i < a.size(); ++i)
        if (!same_data(a.items()[i], b.items()[i])) return false;
      return true;
    case Kind::Mapping:
      for (size_t i = 0; i < a.size(); ++i) {
        const Node::Entry &x = a.entries()[i], &y = b.entries()[i];
        if (!same_data(x.key, y.key) || !same_data(x.value, y.value)) return false;
      }
      return true;
  }
  return false;
}

nlohmann::json to_json(const Node& node) {
  switch (node.kind()) {
    case Kind::Null:
      return nullptr;
    case Kind::Scalar:
      return std::string(node.text());
    case Kind::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const Node& item : node.items())
        out.push_back(to_json(item));
      return out;
    }
    case Kind::Mapping: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& e : node.entries())
        out[e.key.is_scalar() ? std::string(e.key.text()) : to_json(e.key).dump()] =
            to_json(e.value);
      return out;
    }
  }
  return nullptr;
}

std::optional<bool> yaml11_bool(std::string_view t) {
  static constexpr std::string_view kTrue[] = {"true", "yes", "on"};
  static constexpr std::string_view kFalse[] = {"false", "no", "off"};
  std::string lower = str::lower(t);
  std::optional<bool> value;
  for (auto w : kTrue)
    if (lower == w) value = true;
  for (auto w : kFalse)
    if (lower == w) value = false;
  if (!value) return std::nullopt;
  std::string upper = str::upper(t), capitalised = lower;
  capitalised[0] = upper[0];
  if (t != lower && t != capitalised && t != upper) return std::nullopt;
  return value;
}

}  // namespace tollgate::yaml_parse
