#include "load/scenario_request.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>

#include "util/strings.h"
#include "util/timefmt.h"

namespace tollgate::load {

bool Check::expects_status(int status) const {
  if (statuses.empty()) return status < 400;
  return std::find(statuses.begin(), statuses.end(), status) != statuses.end();
}

size_t Check::assertions() const {
  return (statuses.empty() ? 0 : 1) + json.size() + body_contains.size() +
         (max_duration_us ? 1 : 0);
}

bool RequestSpec::needs_body() const {
  if (!check.json.empty() || !check.body_contains.empty()) return true;
  for (const auto& x : extract)
    if (x.kind != Extract::Kind::Header) return true;
  return false;
}

bool RequestSpec::needs_headers() const {
  for (const auto& x : extract)
    if (x.kind == Extract::Kind::Header) return true;
  return false;
}

}  // namespace tollgate::load

namespace tollgate::load::detail {

void check_keys(const yaml::Node& map, const std::vector<std::string>& known,
                const std::string& what) {
  for (const auto& e : map.entries) {
    const std::string& key = e.key.scalar;
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string hint = str::closest(key, known);
    throw Error(e.key.where, "unknown key '" + key + "' in " + what +
                                 (hint.empty() ? "" : " (did you mean '" + hint + "'?)") +
                                 "; known: " + str::join(known, ", "));
  }
}

int64_t duration_us(const yaml::Node& node) {
  const std::string& text = node.as_string("a duration like 500ms or 1.5s");
  auto d = timefmt::parse_duration(text);
  if (!d || d->count() < 0)
    throw Error(node.where, "bad duration '" + text + "' (write e.g. 500ms, 1.5s, 2m)");
  return d->count() * 1000;
}

double number(const yaml::Node& node, const std::string& what) {
  const std::string& text = node.as_string(what);
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || node.quoted)
    throw Error(node.where, what + " must be a number, not '" + text + "'");
  return v;
}

Think parse_think(const yaml::Node& node) {
  Think t;
  if (node.is_scalar()) {  // think: 1s
    t.kind = Think::Kind::Constant;
    t.min_us = t.max_us = duration_us(node);
    return t;
  }
  if (!node.is_mapping() || node.entries.size() != 1)
    throw Error(node.where, "think must be a duration, {constant: 1s} or {uniform: [0.5s, 1.5s]}");
  check_keys(node, {"constant", "uniform"}, "think");
  const auto& e = node.entries.front();
  if (e.key.scalar == "constant") {
    t.kind = Think::Kind::Constant;
    t.min_us = t.max_us = duration_us(e.value);
  } else {
    if (!e.value.is_sequence() || e.value.items.size() != 2)
      throw Error(e.value.where, "uniform think needs [MIN, MAX], e.g. [0.5s, 1.5s]");
    t.kind = Think::Kind::Uniform;
    t.min_us = duration_us(e.value.items[0]);
    t.max_us = duration_us(e.value.items[1]);
    if (t.max_us < t.min_us) throw Error(e.value.where, "uniform think: MAX is below MIN");
  }
  return t;
}

namespace {

Check parse_check(const yaml::Node& node) {
  Check c;
  if (!node.is_mapping())
    throw Error(node.where, "check must be a mapping (status, json, body_contains, duration)");
  check_keys(node, {"status", "json", "body_contains", "duration"}, "check");
  if (const auto* status = node.find("status")) {
    std::vector<const yaml::Node*> items;
    if (status->is_sequence())
      for (const auto& i : status->items)
        items.push_back(&i);
    else
      items.push_back(status);
    for (const auto* i : items) {
      if (!i->is_int() || i->as_int() < 100 || i->as_int() > 999)
        throw Error(i->where, "status must be an HTTP status code or a list of them");
      c.statuses.push_back(static_cast<int>(i->as_int()));
    }
  }
  if (const auto* json = node.find("json")) {
    if (!json->is_mapping())
      throw Error(json->where, "check json must map JSON paths to a value or 'exists'");
    for (const auto& e : json->entries) {
      Check::Json j;
      j.where = e.key.where;
      j.path = JsonPath::parse(e.key.scalar, e.key.where);
      if (e.value.is_scalar() && !e.value.quoted && e.value.scalar == "exists") {
        j.exists_only = true;
      } else {
        j.equals = e.value.to_json();
      }
      c.json.push_back(std::move(j));
    }
  }
  if (const auto* contains = node.find("body_contains")) {
    if (contains->is_sequence())
      for (const auto& i : contains->items)
        c.body_contains.push_back(i.as_string());
    else
      c.body_contains.push_back(contains->as_string());
  }
  if (const auto* d = node.find("duration")) c.max_duration_us = duration_us(*d);
  return c;
}

Extract parse_extract(const yaml::Node::Entry& e) {
  Extract x;
  x.var = e.key.as_string("a variable name");
  x.where = e.value.where;
  if (x.var.empty() || x.var.find_first_of(" ${}") != std::string::npos)
    throw Error(e.key.where, "bad variable name '" + x.var + "'");
  if (!e.value.is_mapping() || e.value.entries.size() != 1)
    throw Error(e.value.where, "extract " + x.var +
                                   " must be one of {json: \"$.path\"}, {header: Name}, "
                                   "{regex: \"token=(\\\\w+)\"}");
  check_keys(e.value, {"json", "header", "regex"}, "extract");
  const auto& how = e.value.entries.front();
  const std::string& text = how.value.as_string();
  if (how.key.scalar == "json") {
    x.kind = Extract::Kind::Json;
    x.path = JsonPath::parse(text, how.value.where);
  } else if (how.key.scalar == "header") {
    x.kind = Extract::Kind::Header;
    x.header = text;
  } else {
    x.kind = Extract::Kind::Regex;
    x.regex = std::make_shared<re2::RE2>(text, re2::RE2::Quiet);
    if (!x.regex->ok())
      throw Error(how.value.where, "bad regex '" + text + "': " + x.regex->error());
    if (x.regex->NumberOfCapturingGroups() > 1)
      throw Error(how.value.where, "regex '" + text + "' has more than one capture group");
  }
  return x;
}

}  // namespace

RequestSpec parse_request(const yaml::Node& node,
                          const std::vector<std::pair<std::string, Template>>& default_headers,
                          int64_t default_timeout_us) {
  if (!node.is_mapping())
    throw Error(node.where, "a request must be a mapping with at least a path");
  check_keys(node,
             {"name", "method", "path", "headers", "json", "body", "check", "extract", "timeout"},
             "request");
  RequestSpec r;
  r.where = node.where;
  r.timeout_us = default_timeout_us;
  const yaml::Node* path = node.find("path");
  if (!path) throw Error(node.where, "request has no path");
  r.path = Template::parse(path->as_string(), path->where);
  if (!path->scalar.starts_with("/") && !path->scalar.starts_with("${"))
    throw Error(path->where, "path '" + path->scalar + "' must start with /");
  if (const auto* m = node.find("method")) {
    r.method = str::upper(m->as_string());
    static const std::vector<std::string> kMethods = {"GET",    "POST",    "PUT", "PATCH",
                                                      "DELETE", "OPTIONS", "HEAD"};
    if (std::find(kMethods.begin(), kMethods.end(), r.method) == kMethods.end())
      throw Error(m->where, "unknown method '" + m->scalar + "'");
  }
  r.name = r.method + " " + path->scalar;
  if (const auto* n = node.find("name")) r.name = n->as_string();
  r.headers = default_headers;
  if (const auto* h = node.find("headers")) {
    if (!h->is_mapping()) throw Error(h->where, "headers must be a mapping of name to value");
    for (const auto& e : h->entries) {
      Template value = Template::parse(e.value.as_string(), e.value.where);
      auto same = [&](const auto& kv) { return str::lower(kv.first) == str::lower(e.key.scalar); };
      r.headers.erase(std::remove_if(r.headers.begin(), r.headers.end(), same), r.headers.end());
      r.headers.emplace_back(e.key.scalar, std::move(value));
    }
  }
  const yaml::Node* json = node.find("json");
  const yaml::Node* body = node.find("body");
  if (json && body) throw Error(body->where, "a request has either json or body, not both");
  if (json) {
    r.has_body = r.json_body = true;
    r.body = Template::parse(json->to_json().dump(), json->where);
    bool has_type = std::any_of(r.headers.begin(), r.headers.end(), [](const auto& kv) {
      return str::lower(kv.first) == "content-type";
    });
    if (!has_type)
      r.headers.emplace_back("Content-Type", Template::parse("application/json", json->where));
  } else if (body) {
    r.has_body = true;
    r.body = Template::parse(body->as_string(), body->where);
  }
  if (const auto* c = node.find("check")) r.check = parse_check(*c);
  if (const auto* x = node.find("extract")) {
    if (!x->is_mapping()) throw Error(x->where, "extract must map variable names to a source");
    for (const auto& e : x->entries)
      r.extract.push_back(parse_extract(e));
  }
  if (const auto* t = node.find("timeout")) r.timeout_us = duration_us(*t);
  return r;
}

}  // namespace tollgate::load::detail
