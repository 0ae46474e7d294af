#include "slo/slo_file.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "util/strings.h"

namespace tollgate::slo {
namespace {

// Unknown keys are almost always typos ("key_sl1", "warnings"); silently ignoring one would
// drop a criterion, so they are errors with a suggestion.
void check_keys(const yaml::Node& map, const std::vector<std::string>& allowed,
                std::string_view where_in) {
  for (const auto& e : map.entries) {
    const std::string& key = e.key.scalar;
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string hint = str::closest(key, allowed);
    throw Error(e.key.where, "unknown key '" + key + "' in " + std::string(where_in) +
                                 (hint.empty() ? " (allowed: " + str::join(allowed, ", ") + ")"
                                               : " (did you mean '" + hint + "'?)"));
  }
}

const yaml::Node& require_mapping(const yaml::Node& n, std::string_view what) {
  if (!n.is_mapping())
    throw Error(n.where, std::string(what) + " must be a mapping, not " + n.describe());
  return n;
}

double parse_number(const yaml::Node& n, std::string_view what) {
  const std::string& s = n.as_string(what);
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v))
    throw Error(n.where, std::string(what) + ": '" + s + "' is not a number");
  return v;
}

// "90%", "90" or 90 all mean ninety percent.
double parse_percent(const yaml::Node& n, std::string_view what) {
  std::string s(str::trim(n.as_string(what)));
  if (!s.empty() && s.back() == '%') s.pop_back();
  yaml::Node plain = yaml::Node::make_scalar(std::string(str::trim(s)), n.where);
  double v = parse_number(plain, what);
  if (v < 0 || v > 100) throw Error(n.where, std::string(what) + " must be between 0% and 100%");
  return v;
}

template <typename T>
T parse_choice(const yaml::Node& n, std::string_view what,
               const std::vector<std::pair<std::string, T>>& choices) {
  const std::string& s = n.as_string(what);
  std::vector<std::string> names;
  for (const auto& [name, value] : choices) {
    if (name == s) return value;
    names.push_back(name);
  }
  std::string hint = str::closest(s, names);
  throw Error(n.where, std::string(what) + ": '" + s + "' is not one of " + str::join(names, ", ") +
                           (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
}

std::vector<CriteriaSet> parse_criteria_sets(const yaml::Node& n, std::string_view what) {
  std::vector<CriteriaSet> sets;
  if (n.is_null()) return sets;
  if (!n.is_sequence())
    throw Error(n.where, std::string(what) + " must be a list of {criteria: [...]} sets, not " +
                             n.describe());
  for (const auto& item : n.items) {
    require_mapping(item, std::string(what) + " item");
    check_keys(item, {"criteria"}, what);
    const yaml::Node* list = item.find("criteria");
    if (!list || !list->is_sequence() || list->items.empty())
      throw Error(item.where, std::string(what) + ": each set needs a non-empty 'criteria' list");
    CriteriaSet set;
    for (const auto& c : list->items)
      set.items.push_back(parse_criterion(c.as_string("a criterion string"), c.where));
    sets.push_back(std::move(set));
  }
  return sets;
}

Objective parse_objective(const yaml::Node& n) {
  require_mapping(n, "an objective");
  check_keys(n, {"sli", "displayName", "key_sli", "weight", "pass", "warning", "direction"},
             "an objective");
  Objective o;
  o.where = n.where;
  const yaml::Node* sli = n.find("sli");
  if (!sli || sli->as_string("an SLI name").empty())
    throw Error(n.where, "an objective needs 'sli', the name of an indicator in the SLI map");
  o.sli = sli->scalar;
  o.display_name = o.sli;
  if (const auto* d = n.find("displayName"); d && !d->is_null()) o.display_name = d->as_string();
  if (const auto* k = n.find("key_sli"); k && !k->is_null()) o.key_sli = k->as_bool();
  if (const auto* w = n.find("weight"); w && !w->is_null()) {
    o.weight = parse_number(*w, "weight");
    if (o.weight < 0) throw Error(w->where, "weight must not be negative");
    if (o.weight == 0) o.weight = 1;  // Keptn: an unset (zero) weight counts as 1
  }
  if (const auto* p = n.find("pass")) o.pass = parse_criteria_sets(*p, "pass");
  if (const auto* w = n.find("warning")) o.warning = parse_criteria_sets(*w, "warning");
  if (const auto* d = n.find("direction"); d && !d->is_null())
    o.direction = parse_choice<Direction>(*d, "direction",
                                          {{"either", Direction::Either},
                                           {"increase", Direction::Increase},
                                           {"decrease", Direction::Decrease}});
  return o;
}

Comparison parse_comparison(const yaml::Node& n) {
  Comparison c;
  if (n.is_null()) return c;
  require_mapping(n, "comparison");
  check_keys(n,
             {"compare_with", "include_result_with_score", "number_of_comparison_results",
              "aggregate_function"},
             "comparison");
  // Keptn: once `comparison` is written, unset fields mean include all, 3 results, avg.
  c.compare_with = "several_results";
  c.number_of_results = 3;
  if (const auto* w = n.find("compare_with"); w && !w->is_null())
    c.compare_with = parse_choice<std::string>(
        *w, "compare_with",
        {{"single_result", "single_result"}, {"several_results", "several_results"}});
  if (const auto* i = n.find("include_result_with_score"); i && !i->is_null())
    c.include = parse_choice<IncludeResults>(*i, "include_result_with_score",
                                             {{"all", IncludeResults::All},
                                              {"pass", IncludeResults::Pass},
                                              {"pass_or_warn", IncludeResults::PassOrWarn}});
  if (const auto* num = n.find("number_of_comparison_results"); num && !num->is_null()) {
    long long v = num->as_int();
    if (v < 0) throw Error(num->where, "number_of_comparison_results must not be negative");
    if (v > 0) c.number_of_results = static_cast<int>(v);
  }
  if (c.compare_with == "single_result") c.number_of_results = 1;
  if (const auto* a = n.find("aggregate_function"); a && !a->is_null())
    c.aggregate = parse_choice<Aggregate>(*a, "aggregate_function",
                                          {{"avg", Aggregate::Avg},
                                           {"p50", Aggregate::P50},
                                           {"p90", Aggregate::P90},
                                           {"p95", Aggregate::P95}});
  return c;
}

}  // namespace

bool Objective::relative() const {
  for (const auto& s : pass)
    if (s.relative()) return true;
  for (const auto& s : warning)
    if (s.relative()) return true;
  return false;
}

SloFile parse_slo(const yaml::Node& root, const std::string& path) {
  SloFile f;
  f.path = path;
  if (!root.is_mapping())
    throw Error(SourceLocation{path},
                "an SLO file must be a mapping with 'objectives' and 'total_score', not " +
                    root.describe());
  check_keys(root, {"spec_version", "filter", "comparison", "objectives", "total_score"},
             "the SLO file");
  if (const auto* v = root.find("spec_version"); v && !v->is_null())
    f.spec_version = v->as_string();
  if (const auto* filter = root.find("filter"); filter && !filter->is_null()) {
    require_mapping(*filter, "filter");
    for (const auto& e : filter->entries)
      f.filter[e.key.scalar] = e.value.as_string("a filter value");
  }
  if (const auto* c = root.find("comparison")) f.comparison = parse_comparison(*c);
  const yaml::Node* objectives = root.find("objectives");
  if (objectives && !objectives->is_null()) {
    if (!objectives->is_sequence())
      throw Error(objectives->where, "objectives must be a list, not " + objectives->describe());
    for (const auto& o : objectives->items)
      f.objectives.push_back(parse_objective(o));
  }
  const yaml::Node* total = root.find("total_score");
  if (!total || total->is_null())
    throw Error(SourceLocation{path},
                "the SLO file needs total_score.pass (e.g. total_score: {pass: \"90%\"})");
  require_mapping(*total, "total_score");
  check_keys(*total, {"pass", "warning"}, "total_score");
  const yaml::Node* pass = total->find("pass");
  if (!pass || pass->is_null())
    throw Error(total->where, "total_score needs 'pass' (e.g. pass: \"90%\")");
  f.total_score.pass = parse_percent(*pass, "total_score.pass");
  if (const auto* w = total->find("warning"); w && !w->is_null()) {
    f.total_score.warning = parse_percent(*w, "total_score.warning");
    if (*f.total_score.warning > f.total_score.pass)
      throw Error(w->where, "total_score.warning must not be above total_score.pass");
  }
  return f;
}

SloFile load_slo(const std::string& path) {
  return parse_slo(yaml::load_file(path), path);
}

std::string_view to_string(Aggregate a) {
  switch (a) {
    case Aggregate::Avg:
      return "avg";
    case Aggregate::P50:
      return "p50";
    case Aggregate::P90:
      return "p90";
    case Aggregate::P95:
      return "p95";
  }
  return "avg";
}

std::string_view to_string(IncludeResults i) {
  switch (i) {
    case IncludeResults::All:
      return "all";
    case IncludeResults::Pass:
      return "pass";
    case IncludeResults::PassOrWarn:
      return "pass_or_warn";
  }
  return "all";
}

std::string_view to_string(Direction d) {
  switch (d) {
    case Direction::Either:
      return "either";
    case Direction::Increase:
      return "increase";
    case Direction::Decrease:
      return "decrease";
  }
  return "either";
}

}  // namespace tollgate::slo
