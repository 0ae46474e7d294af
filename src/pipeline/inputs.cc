#include "pipeline/inputs.h"

#include <re2/re2.h>

#include <algorithm>
#include <map>

#include "util/strings.h"

namespace tollgate::pipeline {
namespace {

using yaml::Node;

bool type_matches(const std::string& type, const Node& v) {
  if (type.empty() || type == "string") return v.is_scalar();
  if (type == "boolean") return v.is_bool();
  if (type == "number") return v.is_scalar() && !v.quoted && v.to_json().is_number();
  if (type == "array") return v.is_sequence();
  return false;
}

// Finds "$[[ inputs.NAME ]]" at or after pos; sets name and the match's extent.
bool next_placeholder(const std::string& s, size_t pos, size_t* start, size_t* end,
                      std::string* name) {
  size_t open = s.find("$[[", pos);
  if (open == std::string::npos) return false;
  size_t close = s.find("]]", open);
  if (close == std::string::npos) return false;
  std::string inner(str::trim(std::string_view(s).substr(open + 3, close - open - 3)));
  *start = open;
  *end = close + 2;
  *name = inner;
  return true;
}

class Interpolator {
 public:
  Interpolator(const std::map<std::string, Node>& values, const std::vector<std::string>& declared,
               std::vector<Error>& errors)
      : values_(values), declared_(declared), errors_(errors) {}

  Node walk(const Node& n) {
    if (n.is_scalar()) return scalar(n);
    Node out = n;
    if (n.is_sequence()) {
      for (auto& item : out.items)
        item = walk(item);
    } else if (n.is_mapping()) {
      for (auto& e : out.entries) {
        e.key = scalar(e.key);
        e.value = walk(e.value);
      }
    }
    return out;
  }

 private:
  const Node* lookup(const std::string& expr, const SourceLocation& where) {
    // $[[ matrix.NAME ]] is filled later, per parallel:matrix copy.
    if (expr.rfind("matrix.", 0) == 0) return nullptr;
    if (expr.rfind("inputs.", 0) != 0) {
      errors_.emplace_back(where, "unknown interpolation '$[[ " + expr + " ]]' (only inputs.NAME)");
      return nullptr;
    }
    std::string name = expr.substr(7);
    if (name.find('|') != std::string::npos) {
      errors_.emplace_back(where, "input functions ('" + name + "') are not supported");
      return nullptr;
    }
    name = std::string(str::trim(name));
    auto it = values_.find(name);
    if (it == values_.end()) {
      // A declared input without a value was already reported where its value went wrong.
      if (std::find(declared_.begin(), declared_.end(), name) == declared_.end())
        errors_.emplace_back(where,
                             "'$[[ " + expr + " ]]' names an input the spec does not declare");
      return nullptr;
    }
    return &it->second;
  }

  Node scalar(const Node& n) {
    size_t start = 0, end = 0;
    std::string expr;
    if (!n.is_scalar() || !next_placeholder(n.scalar, 0, &start, &end, &expr)) return n;
    if (start == 0 && end == n.scalar.size()) {
      const Node* v = lookup(expr, n.where);
      if (!v) return n;
      Node out = *v;
      out.where = n.where;
      return out;
    }
    std::string text;
    size_t pos = 0;
    while (next_placeholder(n.scalar, pos, &start, &end, &expr)) {
      text += n.scalar.substr(pos, start - pos);
      const Node* v = lookup(expr, n.where);
      if (v && v->is_scalar())
        text += v->scalar;
      else if (v)
        text += v->to_json().dump();
      else
        text += n.scalar.substr(start, end - start);  // left as written
      pos = end;
    }
    text += n.scalar.substr(pos);
    Node out = n;
    out.scalar = text;
    out.quoted = true;
    return out;
  }

  const std::map<std::string, Node>& values_;
  const std::vector<std::string>& declared_;
  std::vector<Error>& errors_;
};

// The `inputs` mapping apply_inputs takes, from --input NAME=VALUE: each value is read as the
// type its spec declares (a number, a boolean, a [list]; text as it is for a string). Values are
// located at the input's declaration, so a wrong type is reported at the input's line.
Node command_line_inputs(const Node& spec,
                         const std::vector<std::pair<std::string, std::string>>& given,
                         std::vector<Error>& errors) {
  const Node* declared = spec.is_mapping() ? spec.find("inputs") : nullptr;
  Node out;
  out.kind = yaml::Kind::Mapping;
  for (const auto& [name, text] : given) {
    const Node* input = declared && declared->is_mapping() ? declared->find(name) : nullptr;
    const Node* type = input && input->is_mapping() ? input->find("type") : nullptr;
    // A mistake in a value is reported where the input is declared: the command line has no
    // line of its own.
    SourceLocation where = spec.where;
    if (input)
      for (const auto& e : declared->entries)
        if (e.key.scalar == name) where = e.key.where;
    Node value = Node::make_scalar(text, where);
    value.quoted = true;  // a string input takes the text as it is
    if (type && type->scalar != "string") {
      try {
        value = yaml::load(text, "--input " + name);
      } catch (const Error& e) {
        errors.emplace_back(where, "--input " + name + ": " + e.what());
      }
      value.where = where;
    }
    out.entries.push_back({Node::make_scalar(name, where), std::move(value)});
  }
  return out;
}

}  // namespace

Node apply_inputs(const Node* spec, const Node* given, const Node& content,
                  std::vector<Error>& errors) {
  const Node* declared = spec && spec->is_mapping() ? spec->find("inputs") : nullptr;
  std::map<std::string, Node> values;
  std::vector<std::string> names;
  if (declared && declared->is_mapping()) {
    for (const auto& e : declared->entries) {
      const std::string& name = e.key.scalar;
      names.push_back(name);
      const Node* def = e.value.is_mapping() ? e.value.find("default") : nullptr;
      const Node* value = given && given->is_mapping() ? given->find(name) : nullptr;
      if (!value) value = def;
      if (!value) {
        errors.emplace_back(given && given->where.known() ? given->where : e.key.where,
                            "input '" + name + "' is required (it has no default)");
        continue;
      }
      std::string type;
      if (e.value.is_mapping()) {
        if (const Node* t = e.value.find("type")) type = t->scalar;
        if (!type_matches(type, *value)) {
          errors.emplace_back(value->where, "input '" + name + "' must be a " +
                                                (type.empty() ? "string" : type) + ", not " +
                                                value->describe());
          continue;
        }
        if (const Node* options = e.value.find("options")) {
          bool ok = false;
          for (const auto& o : options->items)
            ok = ok || o.scalar == value->scalar;
          if (!ok) {
            std::vector<std::string> choices;
            for (const auto& o : options->items)
              choices.push_back(o.scalar);
            errors.emplace_back(value->where, "input '" + name + "' must be one of " +
                                                  str::join(choices, ", ") + ", not '" +
                                                  value->scalar + "'");
            continue;
          }
        }
        if (const Node* regex = e.value.find("regex")) {
          std::string pattern = regex->scalar;
          if (pattern.size() >= 2 && pattern.front() == '/' && pattern.back() == '/')
            pattern = pattern.substr(1, pattern.size() - 2);
          if (!RE2::PartialMatch(value->scalar, RE2(pattern))) {
            errors.emplace_back(value->where,
                                "input '" + name + "' does not match " + regex->scalar);
            continue;
          }
        }
      }
      values[name] = *value;
    }
  }
  if (given && given->is_mapping()) {
    for (const auto& e : given->entries) {
      if (!values.count(e.key.scalar) &&
          std::find(names.begin(), names.end(), e.key.scalar) == names.end()) {
        std::string hint = str::closest(e.key.scalar, names);
        errors.emplace_back(e.key.where,
                            "unknown input '" + e.key.scalar + "'" +
                                (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
    }
  }
  Interpolator interpolator(values, names, errors);
  return interpolator.walk(content);
}

Node main_file_content(const std::string& text, const std::string& file,
                       const InputValues& inputs) {
  std::vector<Node> docs = yaml::load_all(text, file);
  if (docs.size() >= 2 && docs[0].is_mapping() && docs[0].find("spec")) {
    std::vector<Error> errors;
    const Node* spec = docs[0].find("spec");
    Node given = command_line_inputs(*spec, inputs, errors);
    Node content = apply_inputs(spec, &given, docs[1], errors);
    if (!errors.empty()) throw ErrorList(std::move(errors));
    return content;
  }
  if (!inputs.empty())
    throw UsageError("--input: " + file +
                     " declares no inputs (a first document 'spec: inputs: ...', then '---')");
  if (docs.empty()) {
    Node empty;
    empty.where = SourceLocation{file, 1, 1};
    return empty;
  }
  return std::move(docs[0]);
}

}  // namespace tollgate::pipeline
