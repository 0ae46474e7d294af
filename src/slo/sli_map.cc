#include "slo/sli_map.h"

#include <algorithm>
#include <cctype>

#include "util/strings.h"
#include "util/timefmt.h"

namespace tollgate::slo {
namespace {

SliSpec parse_indicator(const std::string& name, const yaml::Node& n) {
  SliSpec s;
  s.name = name;
  s.where = n.where;
  if (n.is_scalar()) {
    s.query = n.scalar;
    return s;
  }
  if (!n.is_mapping())
    throw Error(n.where, "indicator '" + name + "' must be a query string or a mapping with " +
                             "'query', not " + n.describe());
  static const std::vector<std::string> kKeys = {"query", "type", "reduce", "step"};
  for (const auto& e : n.entries) {
    if (std::find(kKeys.begin(), kKeys.end(), e.key.scalar) != kKeys.end()) continue;
    std::string hint = str::closest(e.key.scalar, kKeys);
    throw Error(e.key.where, "unknown key '" + e.key.scalar + "' in indicator '" + name + "'" +
                                 (hint.empty() ? " (allowed: query, type, reduce, step)"
                                               : " (did you mean '" + hint + "'?)"));
  }
  const yaml::Node* q = n.find("query");
  if (!q || q->is_null() || q->as_string("a query").empty())
    throw Error(n.where, "indicator '" + name + "' needs a 'query'");
  s.query = q->scalar;
  s.where = q->where;
  if (const auto* t = n.find("type"); t && !t->is_null()) {
    const std::string& type = t->as_string("instant or range");
    if (type == "instant")
      s.kind = QueryKind::Instant;
    else if (type == "range")
      s.kind = QueryKind::Range;
    else
      throw Error(t->where, "type: '" + type + "' is not instant or range");
  }
  if (const auto* r = n.find("reduce"); r && !r->is_null()) {
    s.reduce = parse_reduce(r->as_string("a reduction"));
    if (!s.reduce)
      throw Error(r->where,
                  "reduce: '" + r->scalar + "' is not one of " + str::join(reduce_names(), ", "));
  }
  if (const auto* st = n.find("step"); st && !st->is_null()) {
    s.step = timefmt::parse_duration(st->as_string("a duration"));
    if (!s.step || s.step->count() <= 0)
      throw Error(st->where, "step: '" + st->scalar + "' is not a duration such as 15s or 1m");
  }
  if (s.kind == QueryKind::Range && !s.reduce)
    throw Error(n.where, "indicator '" + name + "' is a range query: say how its points " +
                             "become one value with reduce: (" + str::join(reduce_names(), ", ") +
                             ")");
  return s;
}

}  // namespace

SliMap parse_sli_map(const yaml::Node& root, const std::string& path) {
  SliMap m;
  m.path = path;
  if (!root.is_mapping())
    throw Error(SourceLocation{path},
                "an SLI map must be a mapping with 'indicators', not " + root.describe());
  for (const auto& e : root.entries) {
    if (e.key.scalar != "spec_version" && e.key.scalar != "indicators")
      throw Error(e.key.where, "unknown key '" + e.key.scalar +
                                   "' in the SLI map (allowed: spec_version, indicators)");
  }
  const yaml::Node* indicators = root.find("indicators");
  if (!indicators || !indicators->is_mapping())
    throw Error(indicators ? indicators->where : SourceLocation{path},
                "the SLI map needs 'indicators', a mapping from SLI names to queries");
  for (const auto& e : indicators->entries)
    m.indicators[e.key.scalar] = parse_indicator(e.key.scalar, e.value);
  return m;
}

SliMap load_sli_map(const std::string& path) {
  return parse_sli_map(yaml::load_file(path), path);
}

std::string expand_placeholders(const SliSpec& spec,
                                const std::map<std::string, std::string>& vars) {
  const std::string& q = spec.query;
  std::string out;
  for (size_t i = 0; i < q.size(); ++i) {
    if (q[i] != '$') {
      out += q[i];
      continue;
    }
    bool braced = i + 1 < q.size() && q[i + 1] == '{';
    size_t start = i + (braced ? 2 : 1);
    size_t end = start;
    while (end < q.size() &&
           (std::isalnum(static_cast<unsigned char>(q[end])) || q[end] == '_' || q[end] == '.'))
      ++end;
    // A trailing dot belongs to the text, not the name ("$SERVICE.").
    while (!braced && end > start && q[end - 1] == '.')
      --end;
    if (end == start || (braced && (end >= q.size() || q[end] != '}'))) {
      out += q[i];  // a lone '$' is text
      continue;
    }
    std::string name = q.substr(start, end - start);
    auto it = vars.find(name);
    if (it == vars.end()) {
      std::vector<std::string> known;
      for (const auto& [k, v] : vars)
        known.push_back(k);
      std::string hint = str::closest(name, known);
      throw Error(spec.where, "indicator '" + spec.name + "': unknown placeholder $" + name +
                                  (hint.empty() ? " (known: " + str::join(known, ", ") + ")"
                                                : " (did you mean $" + hint + "?)") +
                                  "; labels come from the SLO file's filter or --label KEY=VALUE");
    }
    out += it->second;
    i = end - 1 + (braced ? 1 : 0);
  }
  return out;
}

}  // namespace tollgate::slo
