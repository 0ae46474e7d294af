#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tollgate::budget {

// A tag's value as FOCUS writes it in the Tags column (a flat JSON object): the text of a string
// value (unescaped), or the literal of a number, true, false or null. A key written without a
// value by the provider arrives as true.
struct TagValue {
  std::string text;
  bool is_string = false;
};

// Looks key up in a Tags value. An empty tags string is SQL NULL: no tags at all. The whole
// object is checked, so malformed JSON, nested values and duplicate keys throw Error (FOCUS
// forbids them) instead of matching by accident. Keys compare exactly, case and all.
std::optional<TagValue> find_tag(std::string_view tags, std::string_view key);
// The same without allocating: the view points into tags, or into scratch when the value had
// escapes. `doubled` reads the text as it sits in a CSV field, every '"' written twice, which
// spares unescaping the whole column first.
std::optional<std::string_view> find_tag_view(std::string_view tags, std::string_view key,
                                              std::string& scratch, bool* is_string = nullptr,
                                              bool doubled = false);

// Every pair of a Tags value, unescaped, in order; keys are unique.
struct TagSet {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::optional<std::string_view> find(std::string_view key) const;
};

// The pairs of a Tags value (read CSV-doubled when `doubled`), checked as find_tag checks
// them, plus unique keys throughout. Bills repeat a few thousand distinct Tags values millions
// of times, so each distinct text is parsed once per thread and kept in a bounded cache. The
// reference is valid until the next call on the same thread.
const TagSet& parsed_tags(std::string_view tags, bool doubled);

}  // namespace tollgate::budget
